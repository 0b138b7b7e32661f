package fsm

import (
	"slices"

	"github.com/formation-engine/formation"
)

// Transition is one row of a transition table: Event moves a machine from any
// status in From to To. A row whose From and To are the same status is a
// self-transition (UpdateStack): the event is legal and changes nothing.
//
// Values returned by the table accessors are copies; changing them changes no
// machine.
type Transition[S, E ~string] struct {
	Event E   // the event that fires the transition
	From  []S // the statuses the event is legal from
	To    S   // the status the event leads to
}

// Guard is one row of a guard table: a named condition that refuses the
// listed events, even though the transition table allows them, when the facts
// passed to Fire say so. A refusal carries Code and Message ("{status}" in
// Message is replaced by the current status).
//
// Guards are checked only after the transition table has accepted the event,
// so a busy stack answers CodeStackBusy before any guard is asked.
type Guard[S, E ~string, F any] struct {
	Name    string         // stable name, e.g. "deletion_protection"
	Events  []E            // the events the guard applies to
	Code    formation.Code // the code of a refusal
	Message string         // the error message of a refusal, in RFS's words

	refuses func(from S, facts F) bool // pure: no I/O, no locks
}

// Refuses reports whether the guard refuses ev from status from, given facts.
func (g Guard[S, E, F]) Refuses(from S, ev E, facts F) bool {
	return slices.Contains(g.Events, ev) && g.refuses != nil && g.refuses(from, facts)
}

// eventSpec describes one event of a machine: whether a user request fires it
// (as opposed to the engine reporting an outcome), the words RFS uses for a
// refusal ("The stack cannot be <verb>."), and the refusal code when it is not
// the machine's default.
type eventSpec[E ~string] struct {
	name    E
	user    bool
	verb    string
	refusal formation.Code // "" means the definition's invalidCode
}

func cloneTransitions[S, E ~string](ts []Transition[S, E]) []Transition[S, E] {
	out := make([]Transition[S, E], len(ts))
	for i, t := range ts {
		out[i] = Transition[S, E]{Event: t.Event, From: slices.Clone(t.From), To: t.To}
	}
	return out
}

func cloneGuards[S, E ~string, F any](gs []Guard[S, E, F]) []Guard[S, E, F] {
	out := make([]Guard[S, E, F], len(gs))
	for i, g := range gs {
		g.Events = slices.Clone(g.Events)
		out[i] = g
	}
	return out
}
