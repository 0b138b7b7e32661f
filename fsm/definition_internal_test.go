package fsm

import (
	"testing"

	"github.com/formation-engine/formation"
)

// newDefinition is unexported, so its table checks are tested from inside.
func TestNewDefinition_RejectsBadTables(t *testing.T) {
	type S = formation.PlanStatus
	type E = PlanEvent
	ok := func() definition[S, E, struct{}] {
		return definition[S, E, struct{}]{
			kind: "Test", noun: "test", start: "", end: "GONE",
			statuses:    []S{"A", "B"},
			events:      []eventSpec[E]{{name: "go", user: true, verb: "gone"}, {name: "stop", verb: "stopped"}},
			transitions: []Transition[S, E]{{Event: "go", From: []S{"", "A"}, To: "B"}, {Event: "stop", From: []S{"B"}, To: "GONE"}},
			invalidCode: formation.CodeInvalidPlanStatus,
		}
	}
	newDefinition(ok()) // the base table is fine

	for name, mutate := range map[string]func(d *definition[S, E, struct{}]){
		"duplicate status":      func(d *definition[S, E, struct{}]) { d.statuses = append(d.statuses, "A") },
		"duplicate event":       func(d *definition[S, E, struct{}]) { d.events = append(d.events, d.events[0]) },
		"event without verb":    func(d *definition[S, E, struct{}]) { d.events[1].verb = "" },
		"undeclared event":      func(d *definition[S, E, struct{}]) { d.transitions[0].Event = "jump" },
		"unknown target":        func(d *definition[S, E, struct{}]) { d.transitions[0].To = "C" },
		"back to start":         func(d *definition[S, E, struct{}]) { d.transitions[0].To = "" },
		"unknown source":        func(d *definition[S, E, struct{}]) { d.transitions[0].From = []S{"C"} },
		"from the end":          func(d *definition[S, E, struct{}]) { d.transitions[1].From = []S{"GONE"} },
		"repeated (event, src)": func(d *definition[S, E, struct{}]) { d.transitions = append(d.transitions, d.transitions[0]) },
		"event without row": func(d *definition[S, E, struct{}]) {
			d.events = append(d.events, eventSpec[E]{name: "idle", verb: "idled"})
		},
		"guard on undeclared event": func(d *definition[S, E, struct{}]) {
			d.guards = []Guard[S, E, struct{}]{{Name: "g", Events: []E{"jump"}, Code: formation.CodeInvalidPlanStatus,
				refuses: func(S, struct{}) bool { return true }}}
		},
		"guard without predicate": func(d *definition[S, E, struct{}]) {
			d.guards = []Guard[S, E, struct{}]{{Name: "g", Events: []E{"go"}, Code: formation.CodeInvalidPlanStatus}}
		},
		"guard with unknown code": func(d *definition[S, E, struct{}]) {
			d.guards = []Guard[S, E, struct{}]{{Name: "g", Events: []E{"go"}, Code: "RF.99999999",
				refuses: func(S, struct{}) bool { return true }}}
		},
	} {
		t.Run(name, func(t *testing.T) {
			d := ok()
			mutate(&d)
			defer func() {
				if recover() == nil {
					t.Error("newDefinition accepted a bad table")
				}
			}()
			newDefinition(d)
		})
	}
}
