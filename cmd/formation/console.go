package main

import (
	"bufio"
	"context"
	"flag"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/template"
)

// console: Terraform's console, over a template and a stack's state.
func init() {
	register(&command{
		name:    "console",
		summary: "Evaluate expressions against a template and a stack's state",
		help: `Reads expressions from stdin, one a line, and prints each one's value, as
terraform console does: var.*, local.*, functions, and resource and data
source instances (huaweicloud_vpc.vpc.id). The template is -t (default the
current directory) with its variables found as deploy finds them.

With -stack, resources read the stack's recorded state, refreshed through
the simulated cloud (a resource the template adds reads as planned, its
computed attributes "(known after apply)"); the database is only read.
Without -stack, every resource reads as planned against an empty state,
with no database. An expression that fails prints its error on stderr and
the next line is read; the exit status is then 2.`,
		setup: consoleCommand,
	})
}

func consoleCommand(fs *flag.FlagSet) action {
	var (
		tmpl  templateFlags
		stack string
	)
	tmpl.register(fs)
	fs.StringVar(&stack, "stack", "", "read resources from the state of the stack `NAME`")
	return func(ctx context.Context, inv *invocation) error {
		if tmpl.path == "" {
			tmpl.path = "."
		}
		p, cfg, err := inv.planTemplate(ctx, &tmpl, stack)
		if err != nil {
			return err
		}
		values := stateValues(p)
		failed := false
		lines := bufio.NewScanner(inv.stdin)
		lines.Buffer(nil, 1<<20)
		for lines.Scan() {
			src := strings.TrimSpace(lines.Text())
			if src == "" {
				continue
			}
			v, diags := cfg.EvaluateExpression(ctx, src, values)
			if diags.HasErrors() {
				failed = true
				_ = template.WriteDiagnostics(inv.g.warnings, diags)
				continue
			}
			if err := inv.out.printf("%s\n", consoleText(v)); err != nil {
				return err
			}
		}
		if err := lines.Err(); err != nil {
			return formation.Errorf(formation.CodeInvalidParameter, "", "stdin", "cannot read the expressions: %v", err)
		}
		if failed {
			return exitStatus(exitRejected)
		}
		return nil
	}
}

// stateValues are the values the console reads for instances: the prior
// object of a recorded resource, the planned one of a resource to add or
// of a data source.
func stateValues(p *plan.Plan) template.Values {
	m := map[string]cty.Value{}
	for _, c := range p.Changes {
		if c.Drifted || c.Deposed != "" {
			continue
		}
		v := c.After
		if c.Mode == formation.ModeResource && c.Before != cty.NilVal && !c.Before.IsNull() {
			v = c.Before
		}
		m[c.Addr] = v
	}
	return template.ValuesFunc(func(addr string) cty.Value {
		if v, ok := m[addr]; ok {
			return v
		}
		return cty.DynamicVal
	})
}

// consoleText renders a value as terraform console shows it: HCL syntax,
// "(known after apply)" for what is not known yet, "(sensitive value)" for
// what is sensitive.
func consoleText(v cty.Value) string {
	switch {
	case v.IsMarked():
		return "(sensitive value)" // as terraform console shows it
	case !v.IsKnown():
		return "(known after apply)"
	case v.IsWhollyKnown() && !v.ContainsMarked():
		return hclText(v)
	}
	ty := v.Type()
	var parts []string
	switch {
	case ty.IsObjectType() || ty.IsMapType():
		m := v.AsValueMap()
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			parts = append(parts, k+" = "+consoleText(m[k]))
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	default: // list, set, tuple
		for _, e := range v.AsValueSlice() {
			parts = append(parts, consoleText(e))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
}
