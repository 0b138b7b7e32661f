package main

import (
	"context"
	"flag"
)

// graph: a template's dependency graph, offline.
func init() {
	register(&command{
		name:    "graph",
		summary: "Print a template's dependency graph",
		help: `Expands the template with its variables and prints the dependency graph of
its resource and data source instances, as Mermaid (the default) or DOT,
ready to pipe into mermaid or dot. With -json: {"format", "diagram",
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
}

func graphCommand(fs *flag.FlagSet) action {
	var tmpl templateFlags
	tmpl.register(fs)
	format := diagramFormat(fs)
	return func(ctx context.Context, inv *invocation) error {
		_, cfg, err := tmpl.load(ctx, &inv.g)
		if err != nil {
			return err
		}
		g := cfg.Graph()
		diagram := g.Mermaid()
		if format.value == "dot" {
			diagram = g.DOT()
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
			doc.Nodes = append(doc.Nodes, graphNode{addr, deps})
		}
		return inv.out.printJSON(doc)
	}
}
