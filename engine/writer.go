package engine

import (
	"context"
	"sync"
	"time"
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

// maxGroup bounds one commit, so one transaction never grows without limit.
const maxGroup = 4096

// commitSpacing is the least time from one commit's start to the next one's,
// unless a write in the group is waited for. It bounds how much later a
// result becomes durable (and is pushed to followers); intents, which
// operations wait for, are never held.
const commitSpacing = 5 * time.Millisecond

func newWriter(e *Engine, op string) *writer {
	w := &writer{e: e, op: op, in: make(chan writeReq, 1024), out: make(chan struct{})}
	go w.loop()
	return w
}

func (w *writer) loop() {
	defer close(w.out)
	var last time.Time // when the previous commit started
	for first := range w.in {
		group := w.gather(first, time.Until(last.Add(commitSpacing)))
		last = time.Now()
		err := w.failed()
		if err == nil {
			// Results are recorded even while the engine closes: Close
			// waits for this, so nothing that finished is thrown away.
			err = w.e.commit(context.Background(), w.op, func(tx *txn) error {
				for _, r := range group {
					if err := r.fn(tx); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				w.mu.Lock()
				w.err = err
				w.mu.Unlock()
			}
		}
		for _, r := range group {
			if r.then != nil {
				r.then(err)
			}
		}
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
