package netlink

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// DumpConsistent executes the dump request m until the kernel answers it
// without flagging any part DumpInterrupted, at most attempts times (at
// least once). A dump the table changed under is flagged so; repeating it
// is how to get a consistent one.
//
// When every attempt was interrupted, it returns the messages of the last
// attempt with an error wrapping ErrDumpInterrupted that says how many
// attempts were made. Any other error ends it at once, as Execute reports
// it.
//
// Not every table flags interrupted dumps: on the kernels tried, link
// dumps under churn were flagged but IPv4 route dumps were not, even when
// inconsistent. DumpConsistent can only act on what the kernel flags.
func (c *Conn) DumpConsistent(m Message, attempts int) ([]Message, error) {
	return c.DumpConsistentContext(context.Background(), m, attempts)
}

// DumpConsistentContext is DumpConsistent with a context, which every
// attempt receives with as ExecuteContext does.
func (c *Conn) DumpConsistentContext(ctx context.Context, m Message, attempts int) ([]Message, error) {
	attempts = max(attempts, 1)
	for i := 1; ; i++ {
		// Each attempt gets a sequence number of its own, so that no
		// straggler of an earlier one is taken for its reply.
		req := m
		req.Header.Sequence = 0
		msgs, err := c.ExecuteContext(ctx, req)
		if err == nil || !errors.Is(err, ErrDumpInterrupted) {
			return msgs, err
		}
		if i == attempts {
			return msgs, fmt.Errorf("nlring: dump still interrupted after %d attempts: %w", attempts, err)
		}
	}
}

// DumpParallel executes the dump requests reqs at the same time, each on a
// Conn of its own obtained from dial and closed afterwards, and returns the
// messages of reqs[i] in result[i].
//
// It is for dumps the kernel serves independently: IPv4 and IPv6 routes,
// or the routing tables of a strict-checking Conn (Config.Strict) one by
// one. Each part is built by the kernel as its receiver reads, on the
// receiver's CPU, so parts run in parallel only with idle cores to run
// on; dialing a Conn costs too (a namespace switch, an io_uring ring), so
// on a busy machine it may gain nothing (docs/performance.md has figures).
// Measure before relying on it.
//
// When a part fails, the others are cancelled and the first error is
// returned (wrapped with the index of its request), with no result. A part
// flagged DumpInterrupted does not fail: all results are returned together
// with an error wrapping ErrDumpInterrupted, as Execute does.
func DumpParallel(ctx context.Context, dial func() (*Conn, error), reqs []Message) ([][]Message, error) {
	return dumpParts(ctx, reqs, func(int) (*Conn, func(), error) {
		c, err := dial()
		if err != nil {
			return nil, nil, err
		}
		return c, func() { c.Close() }, nil
	})
}

// DumpParallelConns is DumpParallel on Conns the caller keeps: reqs[i] is
// executed on conns[i], which must be distinct, and the Conns are left
// open. It saves dialing for programs that dump repeatedly.
func DumpParallelConns(ctx context.Context, conns []*Conn, reqs []Message) ([][]Message, error) {
	if len(conns) != len(reqs) {
		return nil, fmt.Errorf("nlring: %d Conns for %d dump requests", len(conns), len(reqs))
	}
	return dumpParts(ctx, reqs, func(i int) (*Conn, func(), error) {
		return conns[i], func() {}, nil
	})
}

// dumpParts runs the dumps of DumpParallel on the Conns conn hands out.
func dumpParts(ctx context.Context, reqs []Message, conn func(i int) (*Conn, func(), error)) ([][]Message, error) {
	ctx = orBackground(ctx)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	results := make([][]Message, len(reqs))
	errs := make([]error, len(reqs))
	var wg sync.WaitGroup
	for i, m := range reqs {
		wg.Go(func() {
			c, done, err := conn(i)
			if err != nil {
				errs[i] = err
				cancel()
				return
			}
			defer done()
			results[i], errs[i] = c.ExecuteContext(ctx, m)
			if errs[i] != nil && !errors.Is(errs[i], ErrDumpInterrupted) {
				cancel()
			}
		})
	}
	wg.Wait()

	// A part cancelled because another failed is not worth reporting:
	// the failure is. A part cancelled by ctx, or interrupted, is next.
	if i := firstFailure(errs); i >= 0 {
		return nil, fmt.Errorf("nlring: dump %d: %w", i, errs[i])
	}
	for i, err := range errs {
		if err != nil && !errors.Is(err, ErrDumpInterrupted) {
			return nil, fmt.Errorf("nlring: dump %d: %w", i, err)
		}
	}
	for i, err := range errs {
		if err != nil {
			return results, fmt.Errorf("nlring: dump %d: %w", i, err)
		}
	}
	return results, nil
}

// firstFailure returns the index of the first error in errs that is neither
// an interrupted dump nor a cancellation, or -1.
func firstFailure(errs []error) int {
	for i, err := range errs {
		if err != nil && !errors.Is(err, ErrDumpInterrupted) && !errors.Is(err, context.Canceled) {
			return i
		}
	}
	return -1
}
