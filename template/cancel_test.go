package template_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// cancelling is Values that cancels the evaluation's context when the
// evaluation first reads an instance: what follows runs cancelled.
type cancelling struct{ cancel context.CancelFunc }

func (c cancelling) Value(string) cty.Value {
	c.cancel()
	return cty.DynamicVal
}

// TestEvaluate_StopsWhenCancelled: with every limit lifted, a for three
// deep over range(1000) would run for minutes; cancelled as it starts,
// each entry point stops within the budget's check interval and answers
// with diagnostics whose error is CodeCanceled, through which errors.Is
// sees context.Canceled, naming where it stopped.
func TestEvaluate_StopsWhenCancelled(t *testing.T) {
	const heavy = `[for a in range(1000): [for b in range(1000): [for c in range(1000): a_b.src.id]]]`
	tpl, err := template.Parse(`
resource "a_b" "src" {}
resource "a_b" "c" { v = `+heavy+` }
output "o" { value = `+heavy+` }
provider "z" { v = `+heavy+` }
`, template.Options{Limits: &template.Limits{}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := mustExpand(t, tpl, template.Input{})
	calls := map[string]func(context.Context, template.Values) hcl.Diagnostics{
		"Evaluate": func(ctx context.Context, v template.Values) hcl.Diagnostics {
			_, diags := cfg.Evaluate(ctx, cfg.Instance("a_b.c"), v)
			return diags
		},
		"Outputs": func(ctx context.Context, v template.Values) hcl.Diagnostics {
			_, diags := cfg.Outputs(ctx, v)
			return diags
		},
		"Providers": func(ctx context.Context, v template.Values) hcl.Diagnostics {
			_, diags := cfg.Providers(ctx, v)
			return diags
		},
		"EvaluateExpression": func(ctx context.Context, v template.Values) hcl.Diagnostics {
			_, diags := cfg.EvaluateExpression(ctx, heavy, v)
			return diags
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			err := cfg.DiagnosticsError("test", "x", call(ctx, cancelling{cancel}))
			var fe *formation.Error
			if !errors.As(err, &fe) || fe.Code != formation.CodeCanceled || !errors.Is(err, context.Canceled) {
				t.Fatalf("got %v, want a CodeCanceled error through which errors.Is sees context.Canceled", err)
			}
			var diags hcl.Diagnostics
			if !errors.As(err, &diags) || !regexp.MustCompile(`(main\.tf|<console-input>):\d+`).MatchString(err.Error()) {
				t.Errorf("got %v, want the diagnostics naming where the evaluation stopped", err)
			}
		})
	}
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
		defer cancel()
		_, diags := cfg.Evaluate(ctx, cfg.Instance("a_b.c"), nil)
		err := cfg.DiagnosticsError("test", "a_b.c", diags)
		if !formation.HasCode(err, formation.CodeTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, want a CodeTimeout error through which errors.Is sees context.DeadlineExceeded", err)
		}
	})
	t.Run("Expand", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := tpl.Expand(ctx, template.Input{})
		if !formation.HasCode(err, formation.CodeCanceled) || !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want a CodeCanceled error through which errors.Is sees context.Canceled", err)
		}
	})
}
