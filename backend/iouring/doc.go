// Package iouring is nlring's io_uring backend.
//
// Each Socket owns one ring and no goroutine: the goroutines that call it
// drive the ring themselves.
//
// Receiving is one multishot RECVMSG (the receiver) that takes buffers from
// a ring-mapped provided buffer group: the kernel keeps delivering one
// datagram per CQE, through a whole dump, without further submissions.
// Receive buffers are Go memory, a few at first and more as the consumer
// holds them, so a slice a caller keeps never faults. Release puts a buffer
// straight back into the buffer ring.
//
// io_uring runs the deferred work of a request (here: each receive) on the
// OS thread that submitted it, as task work, when that thread next enters or
// leaves the kernel; a thread asleep is woken for it, a running one is
// interrupted. So the receiver is armed from the thread that waits for its
// datagrams, and re-armed (migrated) when a Recv that has to wait runs on
// another thread. A request/response round trip then costs one system call:
// Send is a plain sendto(2) (netlink handles the request inside it and
// queues the reply, which wakes the receiver), the receive runs as task work
// on the way out of that same call, and Recv finds the datagram in the
// completion queue without entering the kernel.
//
// A Recv with nothing to return waits in io_uring_enter on the ring itself
// (the poller; further concurrent Recv calls wait on a channel for it). Close,
// deadlines and contexts wake it by submitting a NOP, whose completion ends
// the wait; Close cancels the receiver and waits for its final completion
// before the buffers can go.
//
// Sends do not use the ring at all: sendto(2) delivers to the kernel
// synchronously, which is everything Send promises, in one system call.
//
// An open Socket costs three descriptors (socket, ring, an eventfd that
// wakes RawConn waiters at Close) and up to 128 receive buffers.
//
// Only Linux has the code of this package; elsewhere it is empty.
package iouring
