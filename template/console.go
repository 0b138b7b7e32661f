package template

import (
	"context"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// EvaluateExpression parses src, one expression, and evaluates it as an
// output of this Config would be evaluated: against its variables, locals,
// functions and, through values, its resource and data source instances.
// It is what terraform console does; references are checked as every
// expression of the template is, with the same did-you-mean.
func (c *Config) EvaluateExpression(ctx context.Context, src string, values Values) (cty.Value, hcl.Diagnostics) {
	if d := checkExprNesting([]byte(src), "<console-input>"); d != nil {
		return cty.DynamicVal, d
	}
	expr, diags := hclsyntax.ParseExpression([]byte(src), "<console-input>", hcl.InitialPos)
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	a := newAnalyzer(c.t.m, c.t.funcs)
	var sc scope
	a.expr(&sc, expr, rules{what: "a console expression"}, nil)
	if a.diags.HasErrors() {
		return cty.DynamicVal, a.diags
	}
	meter(expr, nil, c.t.funcs) // parsed for this evaluation, after its analysis
	ev := c.evaluator(ctx, values, c.root)
	ectx, diags := ev.context(&sc, nil, nil)
	v, d := expr.Value(ectx)
	diags = append(diags, d...)
	ev.budget().chargeValue(v, expr.Range())
	if diags = ev.budget().result(diags); len(diags) > 0 {
		attachFiles(diags, c.t.files)
	}
	return v, diags
}
