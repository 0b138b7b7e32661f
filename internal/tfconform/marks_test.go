package tfconform

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/formation-engine/formation/template"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// unmarkedResults are the functions whose result does not carry their
// arguments' sensitivity, as in Terraform.
var unmarkedResults = map[string]bool{"can": true, "issensitive": true, "nonsensitive": true}

// unmarkedCalls are calls whose result is not sensitive in Terraform
// either: merge skips null arguments, marks and all (case
// sensitivity/064).
var unmarkedCalls = map[string]bool{"merge(sensitive(null))": true}

// TestSensitiveArguments calls every function case again with each
// argument made sensitive: no call may panic (cty refuses marked values
// in some operations), and a call that succeeds returns a sensitive
// result, since Terraform's functions pass their arguments' marks on.
func TestSensitiveArguments(t *testing.T) {
	tpl, err := template.Parse(`locals {}`, template.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := tpl.Expand(context.Background(), template.Input{})
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	for _, c := range Cases() {
		if c.Expr == "" || !strings.Contains(c.Name, "/") {
			continue
		}
		expr, diags := hclsyntax.ParseExpression([]byte(c.Expr), "case", hcl.InitialPos)
		call, ok := expr.(*hclsyntax.FunctionCallExpr)
		if diags.HasErrors() || !ok || len(call.Args) == 0 {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s(", call.Name)
		for i, a := range call.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			r := a.Range()
			fmt.Fprintf(&b, "sensitive(%s)", c.Expr[r.Start.Byte:r.End.Byte])
		}
		if call.ExpandFinal {
			b.WriteString("...")
		}
		b.WriteString(")")
		src := b.String()
		calls++
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: %s panicked: %v", c.Name, src, r)
				}
			}()
			v, diags := cfg.EvaluateExpression(context.Background(), src, nil)
			if !diags.HasErrors() && v.IsWhollyKnown() && !v.ContainsMarked() && !unmarkedResults[strings.TrimPrefix(call.Name, "core::")] && !unmarkedCalls[src] {
				t.Errorf("%s: %s = %#v, not sensitive", c.Name, src, v)
			}
		}()
	}
	if calls < 500 {
		t.Errorf("%d calls, want every function case", calls)
	}
}
