package sim

import (
	"context"
	"slices"
	"time"
)

// Call is one provider call as the simulated provider saw it, recorded for
// assertions. Calls are recorded in the order they finish.
type Call struct {
	// Op is the operation.
	Op Op
	// Type is the resource or data source type.
	Type string
	// Address is the resource address the caller gave.
	Address string
	// ID is the resource's id: the one asked for, or for a create the one
	// made or found ("" when the create failed before its side effect).
	ID string
	// Token is the idempotency token the caller gave.
	Token string
	// Attempt is the attempt the call was matched against (see Fault).
	Attempt int
	// Replayed reports a create whose token the provider had seen: it
	// returned the existing resource and created nothing.
	Replayed bool
	// Latency is how long the call took in the clock's time.
	Latency time.Duration
	// Err is the error the call returned, nil on success.
	Err error
}

// call is a call in flight.
type call struct {
	op       Op
	typ      string
	address  string
	id       string
	token    string
	attempt  int
	replayed bool
	latency  time.Duration
}

// attemptKey identifies the tries of one operation on one resource.
type attemptKey struct {
	op                  Op
	typ, address, token string
}

// begin counts a call and returns it, with its attempt: the caller's, when
// it numbers attempts, or the provider's count.
func (w *world) begin(op Op, typ, address, id, token string, attempt int) *call {
	w.mu.Lock()
	k := attemptKey{op, typ, address, token}
	w.attempts[k]++
	n := w.attempts[k]
	w.mu.Unlock()
	if attempt <= 0 {
		attempt = n
	}
	return &call{op: op, typ: typ, address: address, id: id, token: token, attempt: attempt}
}

// start runs what precedes every call's effect: it checks ctx, waits out the
// call's latency on the clock (without holding any lock) and injects the
// faults that strike before the effect.
func (w *world) start(ctx context.Context, c *call) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.latency = w.latency(c); c.latency > 0 {
		if err := w.clock.Sleep(ctx, c.latency); err != nil {
			return err
		}
	}
	return w.injectFault(c, false)
}

// finish records c with its outcome and returns err.
func (w *world) finish(c *call, err error) error {
	w.mu.Lock()
	w.calls = append(w.calls, Call{Op: c.op, Type: c.typ, Address: c.address, ID: c.id, Token: c.token,
		Attempt: c.attempt, Replayed: c.replayed, Latency: c.latency, Err: err})
	w.mu.Unlock()
	return err
}

// Calls returns every call recorded so far, in the order they finished. The
// slice is a copy; Calls is safe to call while calls are running.
func (p *Provider) Calls() []Call {
	p.w.mu.Lock()
	defer p.w.mu.Unlock()
	return slices.Clone(p.w.calls)
}
