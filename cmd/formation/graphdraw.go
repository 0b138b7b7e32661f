package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
)

// Drawing a template's dependency graph: DOT or Mermaid, laid out in the
// direction -rankdir names, and with -plan each node filled by the action
// the plan takes on it, as terraform graph cannot.

// drawing is a graph to draw: nodes in order, each one's dependencies,
// and, with a plan, each node's planned action (nodes the plan deletes,
// gone from the template, are added).
type drawing struct {
	nodes   []string
	deps    map[string][]string
	rankdir string
	actions map[string]string // by address: create, update, replace, delete, no-op, read; nil without -plan
}

// actionStyles are the node colours of -plan: fill and outline.
var actionStyles = map[string][2]string{
	"create":  {"#dafbe1", "#1a7f37"},
	"update":  {"#fff8c5", "#9a6700"},
	"replace": {"#fbefff", "#8250df"},
	"delete":  {"#ffebe9", "#cf222e"},
	"no-op":   {"#f6f8fa", "#57606a"},
	"read":    {"#ddf4ff", "#0969da"},
}

// actionOrder is the legend's order.
var actionOrder = []string{"create", "update", "replace", "delete", "read", "no-op"}

// addPlan colours the nodes by p's actions and adds the nodes p deletes,
// which the template no longer has, with the dependencies the state
// recorded for them (their deletion is ordered by those).
func (d *drawing) addPlan(p *plan.Plan) {
	d.actions = map[string]string{}
	var gone []*plan.Change
	for _, c := range p.Changes {
		if c.Drifted || c.Deposed != "" {
			continue
		}
		a := "no-op"
		switch {
		case c.Mode == formation.ModeData:
			a = "read"
		case c.Action == formation.ActionAdd:
			a = "create"
		case c.Action == formation.ActionUpdate:
			a = "update"
		case c.Action == formation.ActionDelete:
			a = "delete"
		case c.Action == formation.ActionDeleteThenAdd, c.Action == formation.ActionAddThenDelete:
			a = "replace"
		}
		d.actions[c.Addr] = a
		if a == "delete" && !slices.Contains(d.nodes, c.Addr) {
			gone = append(gone, c)
		}
	}
	for _, c := range gone { // in plan order: by address
		d.nodes = append(d.nodes, c.Addr)
		d.deps[c.Addr] = c.Dependencies
	}
}

// usedActions are the actions present, in legend order.
func (d *drawing) usedActions() []string {
	var out []string
	for _, a := range actionOrder {
		for _, got := range d.actions {
			if got == a {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// dot renders the drawing as Graphviz DOT.
func (d *drawing) dot() string {
	var b strings.Builder
	b.WriteString("digraph {\n\tcompound = \"true\"\n\tnewrank = \"true\"\n")
	fmt.Fprintf(&b, "\trankdir = %q\n", d.rankdir)
	b.WriteString("\tnode [shape = \"box\", fontname = \"Helvetica\"]\n")
	for _, n := range d.nodes {
		fmt.Fprintf(&b, "\t%s%s\n", dotQuote(n), d.dotStyle(n))
	}
	for _, n := range d.nodes {
		for _, dep := range d.deps[n] {
			fmt.Fprintf(&b, "\t%s -> %s\n", dotQuote(n), dotQuote(dep))
		}
	}
	if d.actions != nil {
		b.WriteString("\tsubgraph \"cluster_legend\" {\n\t\tlabel = \"planned action\"\n\t\tfontname = \"Helvetica\"\n")
		for _, a := range d.usedActions() {
			s := actionStyles[a]
			fmt.Fprintf(&b, "\t\t\"legend %s\" [label = %q, style = \"filled\", fillcolor = %q, color = %q]\n", a, a, s[0], s[1])
		}
		b.WriteString("\t}\n")
	}
	b.WriteString("}\n")
	return b.String()
}

func (d *drawing) dotStyle(addr string) string {
	a, ok := d.actions[addr]
	if !ok {
		return ""
	}
	s := actionStyles[a]
	style := "filled"
	if a == "delete" {
		style = "filled,dashed"
	}
	return fmt.Sprintf(" [style = %q, fillcolor = %q, color = %q, tooltip = %q]", style, s[0], s[1], a)
}

// mermaid renders the drawing as a Mermaid flowchart.
func (d *drawing) mermaid() string {
	var b strings.Builder
	fmt.Fprintf(&b, "flowchart %s\n", d.rankdir)
	id := map[string]int{}
	for i, n := range d.nodes {
		id[n] = i
		fmt.Fprintf(&b, "    n%d[\"%s\"]\n", i, strings.ReplaceAll(n, `"`, "#quot;"))
	}
	for _, n := range d.nodes {
		for _, dep := range d.deps[n] {
			fmt.Fprintf(&b, "    n%d --> n%d\n", id[n], id[dep])
		}
	}
	for _, a := range d.usedActions() {
		s := actionStyles[a]
		class := strings.ReplaceAll(a, "-", "")
		fmt.Fprintf(&b, "    classDef %s fill:%s,stroke:%s\n", class, s[0], s[1])
		var members []string
		for _, n := range d.nodes {
			if d.actions[n] == a {
				members = append(members, fmt.Sprintf("n%d", id[n]))
			}
		}
		fmt.Fprintf(&b, "    class %s %s\n", strings.Join(members, ","), class)
	}
	return b.String()
}

func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
