package fsm

import (
	"context"
	"fmt"
	"strings"
	"sync"

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
	machines  *sync.Pool // idle looplab machines, for next
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
	d.machines = &sync.Pool{}
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

// newFSM builds a fresh looplab machine at s. Machines restore a status
// this way; next reuses idle ones with SetState, which validates nothing and
// cannot clear a wedged transition, so next checks the status first and
// never reuses a machine that failed inside looplab.
func (d *definition[S, E, F]) newFSM(s S) *lfsm.FSM {
	return lfsm.NewFSM(string(s), d.lfEvents, d.callbacks)
}

// next returns what restoring a machine at from and firing ev with facts
// returns, on an idle looplab machine set to from: the engine asks at every
// status change, and building looplab's maps each time was 4 % of what a
// loaded server allocated.
func (d *definition[S, E, F]) next(ctx context.Context, from S, ev E, facts F) (S, error) {
	if !d.known[from] {
		return from, d.unknownStatus(from)
	}
	f, _ := d.machines.Get().(*lfsm.FSM)
	if f == nil {
		f = d.newFSM(from)
	} else {
		f.SetState(string(from))
	}
	to, err := d.fireOn(ctx, f, ev, facts)
	if !formation.HasCode(err, formation.CodeInternal) {
		d.machines.Put(f)
	}
	return to, err
}

// fireOn fires ev with facts on f and returns the new status, or the
// unchanged status and an error. After an error of CodeInternal f must not
// be used again: looplab may have left a transition pending.
//
// ctx is checked first and then withheld from looplab (context.WithoutCancel):
// looplab v1.0.3 leaves its FSM wedged in a pending transition forever when
// the ctx it is given is cancelled (upstream issue #115). Our callbacks do no
// I/O, so there is nothing for cancellation to interrupt.
func (d *definition[S, E, F]) fireOn(ctx context.Context, f *lfsm.FSM, ev E, facts F) (S, error) {
	from := S(f.Current())
	if err := ctx.Err(); err != nil {
		return from, err
	}
	if !d.isEvent(ev) {
		return from, d.unknownEvent(ev)
	}
	if err := f.Event(context.WithoutCancel(ctx), string(ev), facts); err != nil {
		if ferr := d.translate(from, ev, err); ferr != nil {
			return S(f.Current()), ferr
		}
	}
	return S(f.Current()), nil
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
