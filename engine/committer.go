package engine

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/formation-engine/formation/store"
)

// committer is the engine's one way into a store write transaction: the
// commits of concurrent callers — requests changing stacks, and every
// running deployment's writer — are coalesced into one store transaction,
// so that they share one fsync. bbolt runs one write transaction at a time
// and syncs each to disk: with commits taken one by one, two hundred
// deployments would queue on the disk, and the requests starting new ones
// behind them.
//
// Coalescing keeps each caller's meaning. Calls run in the order they
// arrived, each seeing the writes of those before it, as if committed one
// after another: the callers were all waiting at once, so that is an order
// they could have run in, and a caller's next call comes only after this
// one returned (a deployment's writes stay in the order it submitted them,
// on which crash recovery relies). A call whose function fails before it
// writes anything (most refusals: the stack is busy, the name taken) is
// simply left out of the transaction, with its error, as if it had run
// alone after the calls before it. One that fails after writing is taken
// out and the others are run again without it; it then runs in a
// transaction of its own, so its error is its alone and rolls back only its
// own writes. A transaction holds calls until it is nearly full
// (txn.nearlyFull, against store.Limits): the calls left over go into the
// next one.
//
// The first caller to find no transaction running leads: it commits what
// is queued, round after round, and hands the lead to a waiting caller once
// its own call is committed, so no caller waits for others' traffic to end.
//
// Only stores that one process uses (bbolt, memory) are coalesced. On a
// shared store (etcd) each call commits alone, under its own context: a
// deployment's commits carry its stack's claim (store.WithClaim), which one
// transaction cannot carry for several stacks, and etcd itself makes many
// concurrent transactions share a sync.
type committer struct {
	mu      sync.Mutex
	queue   []*commitCall
	leading bool // a caller is committing the queue
}

// commitCall is one caller's transaction function, waiting to be
// committed.
type commitCall struct {
	ctx context.Context
	fn  func(*txn) error
	err error
	// refused is fn's error when, in the group's transaction, fn failed
	// before it wrote anything: its outcome once the others commit.
	refused error
	// wake receives once the call is committed (or failed), or once its
	// caller is to lead.
	wake     chan struct{}
	finished bool // err is the outcome (set before wake)
}

// errCallFailed ends a group's transaction attempt when one call's function
// failed: the call is taken out and the attempt made again without it.
var errCallFailed = errors.New("engine: a call of the group failed")

// commitTx runs fn in a store write transaction, coalesced with concurrent
// calls (see committer), and returns fn's error or the commit's. After the
// commit it wakes the followers of the stacks that gained events.
func (e *Engine) commitTx(ctx context.Context, fn func(*txn) error) error {
	if store.IsShared(e.st) {
		return e.commitAlone(ctx, fn)
	}
	c := &e.committer
	call := &commitCall{ctx: ctx, fn: fn, wake: make(chan struct{}, 1)}
	c.mu.Lock()
	c.queue = append(c.queue, call)
	if c.leading {
		c.mu.Unlock()
		<-call.wake
		if call.finished {
			return call.err
		}
		c.mu.Lock() // this caller leads now
	}
	c.leading = true
	for !call.finished {
		group := c.queue
		c.queue = nil
		c.mu.Unlock()
		left := e.commitGroup(group)
		c.mu.Lock()
		c.queue = append(left, c.queue...)
	}
	if len(c.queue) > 0 {
		c.queue[0].wake <- struct{}{} // it leads next (queued calls are unfinished)
	} else {
		c.leading = false
	}
	c.mu.Unlock()
	return call.err
}

// commitGroup commits as many of group's calls, from the first, as fit in
// one transaction, and runs alone those that failed among them; it
// finishes all of these and returns the calls left for the next
// transaction, in their order.
func (e *Engine) commitGroup(group []*commitCall) (left []*commitCall) {
	lim := e.st.Limits()
	var alone []*commitCall
	for len(group) > 0 {
		var t *txn
		ran, bad := 0, -1
		var badErr error
		err := e.st.Update(context.Background(), func(tx store.Tx) error {
			t = e.newTxn(tx) // fresh per attempt: fn may run again
			ran, bad, badErr = 0, -1, nil
			for _, call := range group {
				call.refused = nil
			}
			for i, call := range group {
				if i > 0 && t.nearlyFull(lim) {
					break
				}
				ops := t.ops
				if err := call.run(t); err != nil {
					if t.ops == ops && !errors.Is(err, store.ErrTooLarge) {
						// Refused before it wrote anything: as if it had
						// run alone, after the calls before it.
						call.refused = err
						ran = i + 1
						continue
					}
					bad, badErr = i, err
					return errCallFailed
				}
				ran = i + 1
			}
			return t.recordEventSeqs()
		})
		cut := -1 // commit group[:cut] now, the rest later
		switch {
		case bad > 0 && errors.Is(badErr, store.ErrTooLarge):
			cut = bad // it did not fit after the others: it leads the next transaction
		case bad >= 0 && len(group) == 1:
			group[0].finish(badErr) // alone in its transaction: the error is its own
			group = nil
			continue
		case bad >= 0:
			alone = append(alone, group[bad])
			group = slices.Delete(slices.Clone(group), bad, bad+1)
			continue
		case errors.Is(err, store.ErrTooLarge) && ran > 1:
			// What the transaction adds after the calls (the events'
			// sequence records) did not fit: one call fewer.
			cut = ran - 1
		}
		if cut >= 0 {
			left = append(slices.Clone(group[cut:]), left...)
			group = group[:cut]
			continue
		}
		for _, call := range group[:ran] {
			if call.refused != nil && err == nil {
				call.finish(call.refused)
			} else {
				call.finish(err)
			}
		}
		if err == nil {
			e.followers.bury(t.buried)
			e.followers.wake(t.touched)
		}
		left = append(slices.Clone(group[ran:]), left...)
		break
	}
	for _, call := range alone {
		call.finish(e.commitAlone(call.ctx, call.fn))
	}
	return left
}

// run runs the call's function in a group's transaction. A call whose
// context ended, or whose claim was lost, fails here, so that it runs
// alone, where the store gives it the error it would have had without the
// group (store.ErrClaimLost, the context's).
func (call *commitCall) run(t *txn) error {
	if err := call.ctx.Err(); err != nil {
		return err
	}
	if c := store.ClaimOf(call.ctx); c != nil {
		select {
		case <-c.Lost():
			return store.ErrorClaimLost("store.Update", c.Name())
		default:
		}
	}
	return call.fn(t)
}

// finish sets the call's outcome and wakes its caller.
func (call *commitCall) finish(err error) {
	call.err, call.finished = err, true
	call.wake <- struct{}{}
}

// commitAlone runs fn in a store transaction of its own, under ctx.
func (e *Engine) commitAlone(ctx context.Context, fn func(*txn) error) error {
	var t *txn
	err := e.st.Update(ctx, func(tx store.Tx) error {
		t = e.newTxn(tx) // fresh per attempt: fn may run again
		if err := fn(t); err != nil {
			return err
		}
		return t.recordEventSeqs()
	})
	if err == nil {
		e.followers.bury(t.buried)
		e.followers.wake(t.touched)
	}
	return err
}

func (e *Engine) newTxn(tx store.Tx) *txn {
	return &txn{Tx: tx, followers: &e.followers, clock: e.clock}
}
