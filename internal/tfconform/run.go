package tfconform

import (
	"context"
	"errors"
	"time"

	"github.com/formation-engine/formation/template"
	"github.com/hashicorp/hcl/v2"
)

// Run evaluates a case as Formation does: an expression case is parsed,
// expanded and its output evaluated; a module case is deployed (deploy).
func Run(ctx context.Context, c Case) Result {
	if c.Module != "" {
		return deploy(ctx, c)
	}
	now := func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	tpl, err := template.Parse(c.Source(), template.Options{Now: now})
	if err != nil {
		return errorResult(err)
	}
	cfg, err := tpl.Expand(ctx, template.Input{})
	if err != nil {
		return errorResult(err)
	}
	outs, diags := cfg.Outputs(ctx, nil)
	if diags.HasErrors() {
		return errorResult(diags)
	}
	return outputResult(outs)
}

// errorResult keeps the summary of the first error diagnostic, or the
// error's text.
func errorResult(err error) Result {
	var diags hcl.Diagnostics
	if errors.As(err, &diags) {
		for _, d := range diags {
			if d.Severity == hcl.DiagError {
				return Result{Error: d.Summary}
			}
		}
	}
	return Result{Error: err.Error()}
}
