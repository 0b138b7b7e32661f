package fsm

import (
	"context"
	"fmt"
	"strings"

	lfsm "github.com/looplab/fsm"

	"github.com/formation-engine/formation"
)

// definition is everything static about one machine: its statuses, events,
// transition and guard tables, and how refusals are worded. The stack and the
// plan machine are two definitions of the one generic machine; the tables are
// the only source for looplab, the error codes and the diagrams.
type definition[S, E ~string, F any] struct {
	kind string // "Stack" or "Plan": names the operations in errors
	noun string // "stack" or "execution plan": names the target in messages

	start    S   // pseudo-state before the target exists
	end      S   // pseudo-state after the target is removed
	statuses []S // the real statuses, in lifecycle order

	events      []eventSpec[E]
	transitions []Transition[S, E]
	guards      []Guard[S, E, F]

	busy        func(S) bool   // statuses in which user requests get busyCode; nil: none
	busyCode    formation.Code // "" when the machine has no busy refusal
	invalidCode formation.Code // the default refusal code

	// Derived by newDefinition.
	lfEvents  lfsm.Events
	callbacks lfsm.Callbacks
	event     map[E]eventSpec[E]
	known     map[S]bool
	to        map[step[S, E]]S // the transition table as a map, for next
}

// step is one event fired from one status.
type step[S, E ~string] struct {
	from S
	ev   E
}

// newDefinition validates d's tables and derives the looplab events from them.
// A bad table is a programming error in this package, so it panics at
// initialisation (like regexp.MustCompile), and the package tests catch it.
func newDefinition[S, E ~string, F any](d definition[S, E, F]) *definition[S, E, F] {
	d.known = map[S]bool{d.start: true, d.end: true}
	for _, s := range d.statuses {
		if d.known[s] {
			panic(fmt.Sprintf("fsm: %s status %q listed twice", d.noun, s))
		}
		d.known[s] = true
	}
	d.event = make(map[E]eventSpec[E], len(d.events))
	for _, ev := range d.events {
		if _, dup := d.event[ev.name]; dup || ev.name == "" || ev.verb == "" {
			panic(fmt.Sprintf("fsm: %s event %q duplicated or incomplete", d.noun, ev.name))
		}
		d.event[ev.name] = ev
	}
	// looplab silently lets a later (event, src) overwrite an earlier one, and
	// validates nothing; do it here.
	seen := map[[2]string]bool{}
	used := map[E]bool{}
	d.to = map[step[S, E]]S{}
	for _, t := range d.transitions {
		if _, ok := d.event[t.Event]; !ok {
			panic(fmt.Sprintf("fsm: %s transition uses undeclared event %q", d.noun, t.Event))
		}
		if !d.known[t.To] || t.To == d.start {
			panic(fmt.Sprintf("fsm: %s event %q leads to bad status %q", d.noun, t.Event, t.To))
		}
		src := make([]string, len(t.From))
		for i, s := range t.From {
			key := [2]string{string(t.Event), string(s)}
			if !d.known[s] || s == d.end || seen[key] {
				panic(fmt.Sprintf("fsm: %s event %q from bad or repeated status %q", d.noun, t.Event, s))
			}
			seen[key] = true
			src[i] = string(s)
			d.to[step[S, E]{s, t.Event}] = t.To
		}
		used[t.Event] = true
		d.lfEvents = append(d.lfEvents, lfsm.EventDesc{Name: string(t.Event), Src: src, Dst: string(t.To)})
	}
	for _, ev := range d.events {
		if !used[ev.name] {
			panic(fmt.Sprintf("fsm: %s event %q has no transition", d.noun, ev.name))
		}
	}
	for _, g := range d.guards {
		for _, ev := range g.Events {
			if _, ok := d.event[ev]; !ok || g.refuses == nil || g.Name == "" || !g.Code.Known() {
				panic(fmt.Sprintf("fsm: %s guard %q is incomplete or names undeclared event %q", d.noun, g.Name, ev))
			}
		}
	}
	def := &d
	// Guards run in before_event, which looplab calls only for a transition
	// its table allows. The callback is pure: it reads the facts passed to
	// Event and cancels with our error. It must not call back into the FSM
	// (looplab deadlocks on Can or Event from a before callback).
	def.callbacks = lfsm.Callbacks{
		"before_event": func(_ context.Context, e *lfsm.Event) {
			var facts F
			if len(e.Args) > 0 {
				facts, _ = e.Args[0].(F)
			}
			if err := def.guard(S(e.Src), E(e.Event), facts); err != nil {
				e.Cancel(err)
			}
		},
	}
	return def
}

// newFSM builds a fresh looplab machine at s. This is the only way this
// package restores a status: SetState validates nothing and cannot clear a
// wedged transition.
func (d *definition[S, E, F]) newFSM(s S) *lfsm.FSM {
	return lfsm.NewFSM(string(s), d.lfEvents, d.callbacks)
}

// next returns what restoring a machine at from and firing ev with facts
// returns, worked out from the tables without building a looplab machine:
// the engine asks it at every status change, and building looplab's maps
// each time was 4 % of what a loaded server allocated. The package's tests
// hold it to the machine's answer for every status, event and facts.
func (d *definition[S, E, F]) next(ctx context.Context, from S, ev E, facts F) (S, error) {
	if !d.known[from] {
		return from, d.unknownStatus(from)
	}
	if err := ctx.Err(); err != nil {
		return from, err
	}
	if !d.isEvent(ev) {
		return from, d.unknownEvent(ev)
	}
	to, ok := d.to[step[S, E]{from, ev}]
	if !ok {
		return from, d.refusal(from, ev)
	}
	// Guards run for a transition the table allows, a self-transition
	// (StackUpdate) included, as looplab runs them in before_event.
	if err := d.guard(from, ev, facts); err != nil {
		return from, err
	}
	return to, nil
}

// unknownStatus is the error for restoring a status the definition does
// not know.
func (d *definition[S, E, F]) unknownStatus(s S) error {
	return &formation.Error{
		Code:    formation.CodeInternal,
		Op:      d.restoreOp(),
		Message: fmt.Sprintf("unknown %s status %q", d.noun, s),
		Err:     ErrUnknownStatus,
	}
}

// unknownEvent is the error for firing an undeclared event.
func (d *definition[S, E, F]) unknownEvent(ev E) error {
	return formation.Errorf(formation.CodeInternal, d.fireOp(), "", "unknown %s event %q", d.noun, ev)
}

// guard returns the refusal of the first guard that refuses ev from from.
func (d *definition[S, E, F]) guard(from S, ev E, facts F) *formation.Error {
	for _, g := range d.guards {
		if g.Refuses(from, ev, facts) {
			msg := strings.ReplaceAll(g.Message, "{status}", string(from))
			return formation.Errorf(g.Code, d.fireOp(), "", "%s", msg)
		}
	}
	return nil
}

// refusal is the error for an event the transition table does not allow from
// from: the busy code for a user request while the target is busy, the
// event's own refusal code, or the machine's default.
func (d *definition[S, E, F]) refusal(from S, ev E) *formation.Error {
	spec := d.event[ev]
	if d.busyCode != "" && spec.user && d.busy != nil && d.busy(from) {
		return formation.Errorf(d.busyCode, d.fireOp(), "",
			"%s The %s cannot be %s until the operation in progress ends.", d.statusPhrase(from), d.noun, spec.verb)
	}
	code := spec.refusal
	if code == "" {
		code = d.invalidCode
	}
	return formation.Errorf(code, d.fireOp(), "", "%s The %s cannot be %s.", d.statusPhrase(from), d.noun, spec.verb)
}

// statusPhrase opens a refusal message the way RFS does ("Invalid stack
// status DEPLOYMENT_COMPLETE.").
func (d *definition[S, E, F]) statusPhrase(s S) string {
	switch s {
	case d.start:
		return fmt.Sprintf("The %s does not exist.", d.noun)
	case d.end:
		return fmt.Sprintf("The %s is deleted.", d.noun)
	}
	return fmt.Sprintf("Invalid %s status %s.", d.noun, s)
}

func (d *definition[S, E, F]) fireOp() string    { return "fsm." + d.kind + "Machine.Fire" }
func (d *definition[S, E, F]) restoreOp() string { return "fsm.Restore" + d.kind }

// eventNames lists the events in table order.
func (d *definition[S, E, F]) eventNames() []E {
	out := make([]E, len(d.events))
	for i, ev := range d.events {
		out[i] = ev.name
	}
	return out
}

// isUser reports whether ev is a declared user-request event.
func (d *definition[S, E, F]) isUser(ev E) bool { return d.event[ev].user }

// isEvent reports whether ev is declared.
func (d *definition[S, E, F]) isEvent(ev E) bool {
	_, ok := d.event[ev]
	return ok
}
