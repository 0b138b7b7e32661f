package engine

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/store"
)

// writer commits a deployment's writes — resource results, intents, events —
// in the order they are submitted, many to a commit: whatever queued up
// while the previous commit was syncing goes into the next one. One durable
// commit costs milliseconds; a resource operation with a fast provider costs
// microseconds, so without grouping the disk, not the providers, would set
// the pace.
//
// Commits are also spaced (commitSpacing): a write that arrives soon after
// the previous commit waits for more to join it, unless someone waits for
// it. A commit costs a few hundred microseconds of CPU besides its fsync, and
// operations that finish in bursts would otherwise pay that once per handful
// of results, on the CPU the next operations need.
//
// Order is what makes grouping safe: a dependent's result is submitted after
// its dependency's, so a crash can lose a suffix of results but never a
// dependency's result while keeping a dependent's.
type writer struct {
	e   *Engine
	op  string
	ctx context.Context // carries the operation's claim (store.WithClaim)
	in  chan writeReq
	out chan struct{} // closed when the loop has stopped

	mu        sync.Mutex
	err       error // the first failed commit; every later write fails with it
	closeOnce sync.Once
}

type writeReq struct {
	fn   func(*txn) error
	then func(error) // nil, or called after the commit on the writer's goroutine; must not block
}

// maxGroup bounds the writes gathered for one round of commits; the
// store's limits bound each commit (commitPrefix).
const maxGroup = 4096

// commitSpacing is the least time from one commit's start to the next one's,
// unless a write in the group is waited for. It bounds how much later a
// result becomes durable (and is pushed to followers); intents, which
// operations wait for, are never held.
const commitSpacing = 5 * time.Millisecond

// newWriter starts a writer for the operation whose ctx is given: its
// commits carry ctx's claim (store.WithClaim), so that they fail once the
// claim is lost, but not its cancellation, so that what finished is
// recorded while the engine closes.
func newWriter(ctx context.Context, e *Engine, op string) *writer {
	w := &writer{e: e, op: op, ctx: context.WithoutCancel(ctx), in: make(chan writeReq, 1024), out: make(chan struct{})}
	go w.loop()
	return w
}

func (w *writer) loop() {
	defer close(w.out)
	var last time.Time // when the previous commit started
	for first := range w.in {
		group := w.gather(first, time.Until(last.Add(commitSpacing)))
		last = time.Now()
		for len(group) > 0 {
			n, err := w.commitPrefix(group)
			for _, r := range group[:n] {
				if r.then != nil {
					r.then(err)
				}
			}
			group = group[n:]
		}
	}
}

// errCut ends a commit attempt whose writes grew past the store's limits,
// so that it is retried with fewer of the group's writes.
var errCut = errors.New("engine: the group is larger than one transaction")

// commitPrefix commits as many of group's writes, from the first, as fit
// in one transaction of the store (store.Limits), and returns how many it
// committed (or, on an error, failed). A transaction closes once it is
// nearly full; a write that overflows it is left for the next one, unless
// it is the first, which then fails alone.
func (w *writer) commitPrefix(group []writeReq) (int, error) {
	if err := w.failed(); err != nil {
		return len(group), err
	}
	lim := w.e.st.Limits()
	n := len(group)
	for {
		cut := n
		// Results are recorded even while the engine closes: Close
		// waits for this, so nothing that finished is thrown away.
		err := w.e.commit(w.ctx, w.op, func(tx *txn) error {
			cut = n // fn may run again: start over
			for i, r := range group[:n] {
				if i > 0 && tx.nearlyFull(lim) {
					cut = i
					return nil
				}
				if err := r.fn(tx); err != nil {
					if i > 0 && errors.Is(err, store.ErrTooLarge) {
						cut = i
						return errCut
					}
					cut = i + 1
					return err
				}
			}
			return nil
		})
		switch {
		case errors.Is(err, errCut):
			n = cut
			continue
		case errors.Is(err, store.ErrTooLarge) && cut > 1:
			// What the transaction adds after the writes (the events'
			// sequence records) did not fit: one write fewer.
			n = cut - 1
			continue
		}
		if err != nil {
			w.mu.Lock()
			w.err = err
			w.mu.Unlock()
		}
		return cut, err
	}
}

// gather returns first and whatever else is queued, waiting up to wait for
// more, until the group is full, the writer is closing, or it holds a write
// someone waits for: that write ends the group, so that a waiter is not
// held up by the writes queued behind it (the executor queues its intents
// in several groups, the first ones needed soonest).
func (w *writer) gather(first writeReq, wait time.Duration) []writeReq {
	group := []writeReq{first}
	if first.then != nil {
		return group
	}
	var hold <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		hold = t.C
	}
	for len(group) < maxGroup {
		var r writeReq
		var ok bool
		if hold == nil {
			select {
			case r, ok = <-w.in:
			default:
				return group
			}
		} else {
			select {
			case r, ok = <-w.in:
			case <-hold:
				hold = nil
				continue
			}
		}
		if !ok {
			return group
		}
		group = append(group, r)
		if r.then != nil {
			return group
		}
	}
	return group
}

func (w *writer) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// submit queues fn for the next commit without waiting for it.
func (w *writer) submit(fn func(*txn) error) { w.in <- writeReq{fn: fn} }

// eventsPerWrite is how many events one write appends: each costs three
// puts (the event and two index entries), and one write must fit in a
// transaction with room to spare (store.DefaultLimits).
const eventsPerWrite = 24

// submitEvents queues evs for the stack, a few per write, so that any
// number of them fits the store's limits.
func (w *writer) submitEvents(stackID string, evs []*formation.Event) {
	for chunk := range slices.Chunk(evs, eventsPerWrite) {
		w.submit(func(tx *txn) error { return tx.appendEvents(stackID, chunk...) })
	}
}

// then queues fn and calls done with the commit's outcome once it is
// committed; done runs on the writer's goroutine and must not block.
func (w *writer) then(fn func(*txn) error, done func(error)) { w.in <- writeReq{fn: fn, then: done} }

// close commits what is queued, stops the writer, and returns the first
// commit error.
func (w *writer) close() error {
	w.closeOnce.Do(func() { close(w.in) })
	<-w.out
	return w.failed()
}
