package fsm_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/fsm"
)

// graph is a machine's transition table as adjacency over status names.
type graph struct {
	start, end string
	states     []string // every status, pseudo-states included
	out        map[string][]string
}

func stackGraph() graph {
	g := graph{start: string(fsm.StackNone), end: string(fsm.StackDeleted), out: map[string][]string{}}
	for _, s := range allStackStatuses() {
		g.states = append(g.states, string(s))
	}
	for _, tr := range fsm.StackTransitions() {
		for _, from := range tr.From {
			g.out[string(from)] = append(g.out[string(from)], string(tr.To))
		}
	}
	return g
}

func planGraph() graph {
	g := graph{start: string(fsm.PlanNone), end: string(fsm.PlanDeleted), out: map[string][]string{}}
	for _, s := range allPlanStatuses() {
		g.states = append(g.states, string(s))
	}
	for _, tr := range fsm.PlanTransitions() {
		for _, from := range tr.From {
			g.out[string(from)] = append(g.out[string(from)], string(tr.To))
		}
	}
	return g
}

// reach returns every state reachable from s (s included).
func (g graph) reach(s string) map[string]bool {
	seen := map[string]bool{s: true}
	for queue := []string{s}; len(queue) > 0; queue = queue[1:] {
		for _, next := range g.out[queue[0]] {
			if !seen[next] {
				seen[next] = true
				queue = append(queue, next)
			}
		}
	}
	return seen
}

func TestGraphs(t *testing.T) {
	for name, g := range map[string]graph{"stack": stackGraph(), "plan": planGraph()} {
		t.Run(name, func(t *testing.T) {
			fromStart := g.reach(g.start)
			for _, s := range g.states {
				if !fromStart[s] {
					t.Errorf("%q is unreachable from the start", s)
				}
				if s == g.end {
					if len(g.out[s]) != 0 {
						t.Errorf("the end pseudo-state has transitions: %v", g.out[s])
					}
					continue
				}
				if !g.reach(s)[g.end] {
					t.Errorf("the end pseudo-state is unreachable from %q", s)
				}
				if strings.HasSuffix(s, "_IN_PROGRESS") && !slices.ContainsFunc(g.out[s], func(to string) bool { return to != s }) {
					t.Errorf("%q has no way out", s)
				}
			}
			for from, tos := range g.out {
				if !slices.Contains(g.states, from) {
					t.Errorf("transition from unknown status %q", from)
				}
				for _, to := range tos {
					if !slices.Contains(g.states, to) || to == g.start {
						t.Errorf("transition %q → %q leads to an unknown status or the start", from, to)
					}
				}
			}
		})
	}
}

func TestPseudoStates_AreNotRFSStatuses(t *testing.T) {
	for _, s := range []formation.StackStatus{fsm.StackNone, fsm.StackDeleted} {
		if s.Valid() {
			t.Errorf("stack pseudo-state %q is a valid status", s)
		}
	}
	for _, s := range []formation.PlanStatus{fsm.PlanNone, fsm.PlanDeleted} {
		if s.Valid() {
			t.Errorf("plan pseudo-state %q is a valid status", s)
		}
	}
}
