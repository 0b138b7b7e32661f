package fsm

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// StackMermaid renders the stack machine as a Mermaid stateDiagram-v2, from
// the transition table: "[*]" is both the start (StackNone) and the end
// (StackDeleted) pseudo-state, and every edge is labelled with its event.
// Edges are sorted by source, event and target, so the output is stable.
func StackMermaid() string { return mermaid(stackDef) }

// StackDOT renders the same graph as StackMermaid in Graphviz DOT.
func StackDOT() string { return dot(stackDef, "stack") }

// PlanMermaid renders the execution plan machine as a Mermaid
// stateDiagram-v2, like StackMermaid.
func PlanMermaid() string { return mermaid(planDef) }

// PlanDOT renders the same graph as PlanMermaid in Graphviz DOT.
func PlanDOT() string { return dot(planDef, "plan") }

// The tables are immutable, so rendering takes no lock and never touches a
// looplab FSM (whose visualiser is unsynchronised and can only draw
// "[*] --> current").

type edge struct{ from, event, to string }

// edges expands the transition table into one edge per source status,
// sorted with the start pseudo-state first, then by source, event and target.
func edges[S, E ~string, F any](d *definition[S, E, F]) []edge {
	var out []edge
	for _, t := range d.transitions {
		for _, from := range t.From {
			out = append(out, edge{string(from), string(t.Event), string(t.To)})
		}
	}
	start := string(d.start)
	slices.SortFunc(out, func(a, b edge) int {
		return cmp.Or(
			cmp.Compare(boolRank(a.from != start), boolRank(b.from != start)),
			cmp.Compare(a.from, b.from),
			cmp.Compare(a.event, b.event),
			cmp.Compare(a.to, b.to),
		)
	})
	return out
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

func mermaid[S, E ~string, F any](d *definition[S, E, F]) string {
	name := func(s string) string {
		if s == string(d.start) || s == string(d.end) {
			return "[*]"
		}
		return s
	}
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	for _, e := range edges(d) {
		fmt.Fprintf(&b, "    %s --> %s: %s\n", name(e.from), name(e.to), e.event)
	}
	return b.String()
}

func dot[S, E ~string, F any](d *definition[S, E, F], graph string) string {
	const startID, endID = "(start)", "(end)"
	id := func(s string) string {
		switch s {
		case string(d.start):
			return startID
		case string(d.end):
			return endID
		}
		return s
	}
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", graph)
	b.WriteString("    node [shape=box, style=rounded];\n")
	fmt.Fprintf(&b, "    %q [shape=point, label=\"\", width=0.2];\n", startID)
	fmt.Fprintf(&b, "    %q [shape=doublecircle, label=\"\", width=0.15];\n", endID)
	states := make([]string, len(d.statuses))
	for i, s := range d.statuses {
		states[i] = string(s)
	}
	slices.Sort(states)
	for _, s := range states {
		fmt.Fprintf(&b, "    %q;\n", s)
	}
	for _, e := range edges(d) {
		fmt.Fprintf(&b, "    %q -> %q [label=%q];\n", id(e.from), id(e.to), e.event)
	}
	b.WriteString("}\n")
	return b.String()
}
