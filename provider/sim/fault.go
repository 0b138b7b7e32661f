package sim

import (
	"fmt"

	"github.com/formation-engine/formation/provider"
)

// Fault makes matching calls fail. A fault fires on a call when its Match
// selects the call, the call's attempt is within Times, and the seeded draw
// falls under Probability; the first fault in Config.Faults that fires
// decides the error.
//
// The attempt of a call is the request's Attempt when the caller sets it
// (the engine numbers the tries of one operation 1, 2, 3, …), and otherwise
// the number of calls of the same operation on the same resource (address
// and token) this Provider has seen, this one included.
type Fault struct {
	Match
	// Times limits the fault to the first Times attempts (Times 2: the
	// first two attempts fail, the third succeeds); 0 means every attempt.
	Times int
	// Probability, when above 0, makes each selected attempt fail with
	// that probability (at most 1). The draw is derived from the seed, the
	// fault's index, the call's operation, type, address, token and
	// attempt, so it is the same on every run.
	Probability float64
	// Message is the error text the provider returns, as a real provider
	// would ("Quota exceeded for resources: vpc"); "" means a generic text.
	Message string
	// Transient makes the error wrap provider.ErrTransient, so the engine
	// retries; otherwise the failure is permanent.
	Transient bool
	// Err, if set, is a further sentinel the error wraps, such as
	// provider.ErrNotFound or provider.ErrConflict.
	Err error
	// AfterEffect makes the call fail after its side effect: the resource
	// is created, updated or deleted and persisted, and then the error is
	// returned, as when the response is lost on the way back. A retry of a
	// create with the same token then finds the resource. For reads it
	// makes no difference.
	AfterEffect bool
}

// validate checks the fault's fields.
func (f Fault) validate() error {
	if err := f.Match.validate(); err != nil {
		return err
	}
	switch {
	case f.Times < 0:
		return fmt.Errorf("times %d is negative", f.Times)
	case !(f.Probability >= 0 && f.Probability <= 1):
		return fmt.Errorf("probability %v is not within [0, 1]", f.Probability)
	}
	return nil
}

// fires reports whether the fault, at index i of the config, fails a call.
func (f Fault) fires(s seeder, i int, c *call) bool {
	if !f.matches(c.op, c.typ, c.address) || (f.Times > 0 && c.attempt > f.Times) {
		return false
	}
	return f.Probability == 0 || s.float("fault", itoa(i), string(c.op), c.typ, c.address, c.token, itoa(c.attempt)) < f.Probability
}

// FaultError is the error an injected fault makes a call return. Match it
// with errors.As, or match the sentinels it wraps with errors.Is.
type FaultError struct {
	// Op is the failed call's operation.
	Op Op
	// Address is the failed call's resource address.
	Address string
	// Attempt is the failed call's attempt (see Fault).
	Attempt int
	// Message is the fault's text.
	Message string
	// Transient reports whether the error wraps provider.ErrTransient.
	Transient bool
	// AfterEffect reports whether the call's side effect happened.
	AfterEffect bool
	// Err is the fault's further sentinel, if any.
	Err error
}

// newFaultError is the error fault f makes call c return.
func newFaultError(f Fault, c *call) *FaultError {
	msg := f.Message
	if msg == "" {
		msg = fmt.Sprintf("simulated %s failure of %s (attempt %d)", c.op, c.address, c.attempt)
	}
	return &FaultError{Op: c.op, Address: c.address, Attempt: c.attempt, Message: msg,
		Transient: f.Transient, AfterEffect: f.AfterEffect, Err: f.Err}
}

// Error returns the fault's message.
func (e *FaultError) Error() string { return e.Message }

// Unwrap returns provider.ErrTransient for a transient fault and the fault's
// further sentinel, so errors.Is sees both.
func (e *FaultError) Unwrap() []error {
	var errs []error
	if e.Transient {
		errs = append(errs, provider.ErrTransient)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// injectFault returns the error of the first fault that fires on c in the
// given phase (before or after the side effect), or nil. Calls without a side
// effect have only the first phase.
func (w *world) injectFault(c *call, afterEffect bool) error {
	for i, f := range w.faults {
		if (f.AfterEffect && c.op.mutates()) == afterEffect && f.fires(w.seed, i, c) {
			return newFaultError(f, c)
		}
	}
	return nil
}
