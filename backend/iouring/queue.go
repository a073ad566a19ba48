//go:build linux

package iouring

import (
	"errors"

	"github.com/nlring/netlink/backend"
	"golang.org/x/sys/unix"
)

// result is one received datagram or error.
type result struct {
	d   backend.Datagram
	err error
}

// A queue holds what the receiver delivered and Recv has not taken yet,
// oldest first. Every element but one error holds a buffer, so
// numBuffers+1 slots never overflow. Socket.mu guards it.
type queue struct {
	res  [numBuffers + 1]result
	head int
	n    int
	// errPending is set while an error without a buffer is queued: errors
	// are coalesced, which also bounds the queue.
	errPending bool
}

func (q *queue) len() int { return q.n }

func (q *queue) push(r result) {
	q.res[(q.head+q.n)%len(q.res)] = r
	q.n++
}

// report queues err for Recv unless an error is waiting already.
func (q *queue) report(err error) {
	if !q.errPending {
		q.errPending = true
		q.push(result{err: err})
	}
}

// reportFirst queues err ahead of every datagram held; the caller made sure
// no error is queued already.
func (q *queue) reportFirst(err error) {
	q.errPending = true
	q.head = (q.head + len(q.res) - 1) % len(q.res)
	q.res[q.head] = result{err: err}
	q.n++
}

func (q *queue) pop() result {
	if q.errPending {
		q.overrunFirst()
	}
	r := q.res[q.head]
	q.res[q.head] = result{}
	q.head = (q.head + 1) % len(q.res)
	q.n--
	if r.err != nil && r.d.Ref == 0 {
		q.errPending = false
	}
	return r
}

// overrunFirst moves a queued overrun ahead of the datagrams queued before
// it. They arrived before the loss, but the syscall backend reports an
// overrun to the next recvmsg, ahead of whatever the socket still holds, and
// so must this one: a program learns of the loss at the next receive, not
// some datagrams later on an unrelated request.
func (q *queue) overrunFirst() {
	n := len(q.res)
	for i := range q.n {
		r := q.res[(q.head+i)%n]
		if r.d.Ref != 0 || r.err == nil {
			continue
		}
		if !errors.Is(r.err, unix.ENOBUFS) {
			return
		}
		for j := i; j > 0; j-- {
			q.res[(q.head+j)%n] = q.res[(q.head+j-1)%n]
		}
		q.res[q.head] = r
		return
	}
}
