package main

import (
	"context"
	"flag"

	"github.com/formation-engine/formation"
)

// graph: a template's dependency graph, offline.
func init() {
	register(&command{
		name:    "graph",
		summary: "Print a template's dependency graph",
		help: `Expands the template with its variables and prints the dependency graph of
its resource and data source instances, as Mermaid (the default) or DOT,
ready to pipe into mermaid or dot, laid out in the direction of -rankdir.
With -plan, each node is filled by the action a plan of the template takes
on it (create, update, replace, delete, read, no-op; a resource the plan
deletes, gone from the template, is drawn dashed), against an empty state
or, with -stack, the stored stack's; a legend names the colours. With -json: {"format", "diagram",
"nodes": [{"address", "depends_on"}]}, the nodes dependencies first. Needs
no database.`,
		setup: graphCommand,
	})
}

// graphDocument is graph's -json output.
type graphDocument struct {
	Format  string      `json:"format"`
	Diagram string      `json:"diagram"`
	Nodes   []graphNode `json:"nodes"`
}

type graphNode struct {
	Address   string   `json:"address"`
	DependsOn []string `json:"depends_on"`
	Action    string   `json:"action,omitempty"` // with -plan
}

func graphCommand(fs *flag.FlagSet) action {
	var (
		tmpl     templateFlags
		withPlan bool
		stack    string
	)
	tmpl.register(fs)
	format := diagramFormat(fs)
	rankdir := newChoice("RL", "RL", "LR", "TB", "BT")
	fs.Var(&rankdir, "rankdir", "the layout's direction, `RL|LR|TB|BT`: dependents right of (RL), left of, above or below what they depend on")
	fs.BoolVar(&withPlan, "plan", false, "colour each node by the action a plan of the template takes on it")
	fs.StringVar(&stack, "stack", "", "with -plan, plan against the stored stack `NAME` instead of an empty state")
	return func(ctx context.Context, inv *invocation) error {
		if stack != "" {
			if !withPlan {
				return usageError(formation.CodeInvalidParameter, "graph", "-stack needs -plan")
			}
			if err := stackArg.check(stack); err != nil {
				return err
			}
		}
		in, cfg, err := tmpl.load(ctx, &inv.g)
		if err != nil {
			return err
		}
		g := cfg.Graph()
		d := &drawing{nodes: g.Nodes(), deps: map[string][]string{}, rankdir: rankdir.value}
		for _, n := range d.nodes {
			d.deps[n] = g.DependsOn(n)
		}
		if withPlan {
			p, err := inv.previewPlan(ctx, stack, in)
			if err != nil {
				return err
			}
			d.addPlan(p)
		}
		diagram := d.mermaid()
		if format.value == "dot" {
			diagram = d.dot()
		}
		if !inv.out.json {
			return inv.out.printf("%s", diagram)
		}
		doc := graphDocument{Format: format.value, Diagram: diagram, Nodes: []graphNode{}}
		for _, addr := range g.TopologicalOrder() {
			deps := g.DependsOn(addr)
			if deps == nil {
				deps = []string{}
			}
			doc.Nodes = append(doc.Nodes, graphNode{addr, deps, d.actions[addr]})
		}
		return inv.out.printJSON(doc)
	}
}
