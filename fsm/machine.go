package fsm

import (
	"context"
	"errors"
	"sync"

	lfsm "github.com/looplab/fsm"

	"github.com/formation-engine/formation"
)

// machine is the one wrapper around looplab, shared by StackMachine and
// PlanMachine. Its zero value is at the definition's start pseudo-state. The
// definition is passed to every method rather than stored, so the zero value
// needs no constructor.
//
// Every looplab call happens under mu, so looplab's own re-entrancy and
// unlocked-visualiser traps never apply, and f is never exposed.
type machine[S, E ~string, F any] struct {
	mu sync.Mutex
	f  *lfsm.FSM // nil means a fresh machine at the start pseudo-state
}

// restore puts the machine at the persisted status s after checking that d
// knows it. It rebuilds the looplab FSM rather than calling SetState.
func (m *machine[S, E, F]) restore(d *definition[S, E, F], s S) error {
	if !d.known[s] {
		return d.unknownStatus(s)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.f = d.newFSM(s)
	return nil
}

// fsm returns the looplab FSM, building it at the start pseudo-state on first
// use. The caller holds mu.
func (m *machine[S, E, F]) fsm(d *definition[S, E, F]) *lfsm.FSM {
	if m.f == nil {
		m.f = d.newFSM(d.start)
	}
	return m.f
}

// status returns the current status.
func (m *machine[S, E, F]) status(d *definition[S, E, F]) S {
	m.mu.Lock()
	defer m.mu.Unlock()
	return S(m.fsm(d).Current())
}

// can reports whether the transition table allows ev from the current status.
// Guards are not consulted: they need facts.
func (m *machine[S, E, F]) can(d *definition[S, E, F], ev E) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.fsm(d).Can(string(ev))
}

// available lists, in table order, the events the transition table allows
// from the current status.
func (m *machine[S, E, F]) available(d *definition[S, E, F]) []E {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.fsm(d)
	var out []E
	for _, ev := range d.eventNames() {
		if f.Can(string(ev)) {
			out = append(out, ev)
		}
	}
	return out
}

// fire runs ev with facts and returns the new status, or the unchanged status
// and an error.
func (m *machine[S, E, F]) fire(ctx context.Context, d *definition[S, E, F], ev E, facts F) (S, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.fsm(d)
	to, err := d.fireOn(ctx, f, ev, facts)
	if formation.HasCode(err, formation.CodeInternal) {
		// Whatever went wrong inside looplab, never leave a wedged FSM
		// behind: rebuild it at the status it reports.
		m.f = d.newFSM(to)
	}
	return to, err
}

// translate turns looplab's value-typed errors into *formation.Error; it
// returns nil for a self-transition, which looplab reports as
// NoTransitionError with no cause (upstream issue #110). No looplab type is
// kept as a cause, so callers can never come to depend on it.
func (d *definition[S, E, F]) translate(from S, ev E, err error) error {
	var (
		noop     lfsm.NoTransitionError
		canceled lfsm.CanceledError
		invalid  lfsm.InvalidEventError
		unknown  lfsm.UnknownEventError
		guardErr *formation.Error
	)
	switch {
	case errors.As(err, &noop) && noop.Err == nil:
		return nil
	case errors.As(err, &canceled) && errors.As(canceled.Err, &guardErr):
		return guardErr
	case errors.As(err, &invalid):
		return d.refusal(from, ev)
	case errors.As(err, &unknown):
		return formation.Errorf(formation.CodeInternal, d.fireOp(), "", "%s event %q is missing from the transition table", d.noun, ev)
	default:
		return formation.Errorf(formation.CodeInternal, d.fireOp(), "", "%s event %s from %s: state machine: %v", d.noun, ev, d.statusName(from), err)
	}
}

// statusName renders a status for internal messages, naming the pseudo-states.
func (d *definition[S, E, F]) statusName(s S) string {
	switch s {
	case d.start:
		return "(start)"
	case d.end:
		return "(end)"
	}
	return string(s)
}
