package bench

import (
	"sync/atomic"
	"time"
)

// quietWatch ends a blocking event loop once events stop arriving, for
// clients whose receive call takes no timeout of its own. The loop counts
// each event with Seen (an uncontended atomic add); a goroutine that wakes
// every quiet calls unblock when the count has not moved since its last
// look. Setting a deadline before every receive would instead charge each
// event a timer update the client would not pay in real use.
type quietWatch struct {
	n    atomic.Int64
	done chan struct{}
}

func watchQuiet(quiet time.Duration, unblock func()) *quietWatch {
	w := &quietWatch{done: make(chan struct{})}
	go func() {
		t := time.NewTicker(quiet)
		defer t.Stop()
		last := int64(-1)
		for {
			select {
			case <-w.done:
				return
			case <-t.C:
				n := w.n.Load()
				if n == last {
					unblock()
					return
				}
				last = n
			}
		}
	}()
	return w
}

// Seen records one event.
func (w *quietWatch) Seen() { w.n.Add(1) }

// Stop ends the watch; call it when the loop returns.
func (w *quietWatch) Stop() { close(w.done) }
