package main

import (
	"context"
	"flag"

	"github.com/formation-engine/formation/fsm"
)

// fsm prints the stack and execution-plan status machines, rendered from
// the same tables the engine runs on. It needs no database.
func init() {
	register(&command{
		name:    "fsm",
		summary: "Print the stack and execution-plan status machines",
		help: `Prints both machines, the stack's and then the plan's, each preceded by a
comment line naming it; -machine prints one, exactly as rendered, ready to
pipe into mermaid or dot.`,
		setup: fsmCommand,
	})
}

// diagrams are the renderers by -format: the stack machine's, then the plan
// machine's.
var diagrams = map[string]struct {
	comment     string // starts a comment line in the format
	stack, plan func() string
}{
	"mermaid": {"%%", fsm.StackMermaid, fsm.PlanMermaid},
	"dot":     {"//", fsm.StackDOT, fsm.PlanDOT},
}

// fsmDocument is fsm's -json output: the selected machines' diagrams.
type fsmDocument struct {
	Format string `json:"format"`
	Stack  string `json:"stack,omitempty"`
	Plan   string `json:"plan,omitempty"`
}

// diagramFormat defines -format, the diagram format of fsm and graph.
func diagramFormat(fs *flag.FlagSet) *choice {
	format := newChoice("mermaid", "mermaid", "dot")
	fs.Var(&format, "format", "the diagram format: mermaid or dot")
	return &format
}

func fsmCommand(fs *flag.FlagSet) action {
	format := diagramFormat(fs)
	machine := newChoice("both", "both", "stack", "plan")
	fs.Var(&machine, "machine", "which machine: both, stack or plan")
	return func(_ context.Context, inv *invocation) error {
		d := diagrams[format.value]
		doc := fsmDocument{Format: format.value}
		if machine.value != "plan" {
			doc.Stack = d.stack()
		}
		if machine.value != "stack" {
			doc.Plan = d.plan()
		}
		switch {
		case inv.out.json:
			return inv.out.printJSON(doc)
		case machine.value != "both":
			return inv.out.printf("%s", doc.Stack+doc.Plan)
		}
		return inv.out.printf("%s stack status machine\n%s\n%s execution plan status machine\n%s",
			d.comment, doc.Stack, d.comment, doc.Plan)
	}
}
