package template

import (
	"context"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/customdecode"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// metered stands in for an expression whose evaluation a budget charges.
// It is an hclsyntax.Expression like the one it wraps, so hcl evaluates it
// in place; the budget is the evaluation context's, or fixed for a source
// parsed for one evaluation (vars_body).
type metered struct {
	hclsyntax.Expression
	kind  meterKind
	fixed *budget
}

type meterKind int

const (
	// meterIteration is the body of a for expression: one element per
	// iteration, charged before the iteration runs, so a refused loop
	// stops at once.
	meterIteration meterKind = iota
	// meterPart is a part of a string template: its bytes, as the
	// template's string grows.
	meterPart
	// meterOperand is an argument of a function, an operand of == or !=,
	// or a result of a conditional: its size, before a function walks it
	// (cty's calls look for marks deep inside every argument) or hcl
	// compares or unifies values (and types) that can share structure a
	// billion times over.
	meterOperand
)

func (m *metered) budget(ctx *hcl.EvalContext) *budget {
	if m.fixed != nil {
		return m.fixed
	}
	return budgetOf(ctx)
}

// Value evaluates the wrapped expression within the budget; once the
// budget is overrun it returns an unknown value without evaluating.
func (m *metered) Value(ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	b := m.budget(ctx)
	if b == nil {
		return m.Expression.Value(ctx)
	}
	rng := m.Expression.Range()
	if m.kind == meterIteration {
		if !b.charge(1, 0, rng) {
			return cty.DynamicVal, b.report()
		}
		return m.Expression.Value(ctx)
	}
	if !b.check(rng) {
		return cty.DynamicVal, b.report()
	}
	v, diags := m.Expression.Value(ctx)
	if !m.charge(b, v) {
		// diags may name the function call that overran the budget
		return cty.DynamicVal, append(diags, b.report()...)
	}
	return v, diags
}

// charge charges the value of a part or an operand.
func (m *metered) charge(b *budget, v cty.Value) bool {
	if m.kind == meterPart {
		return b.charge(0, stringLen(v), m.Range())
	}
	return b.chargeValue(v, m.Range())
}

// meter wraps, in place, the bodies of for expressions, the parts of
// templates, the arguments of functions, the operands of == and != and the
// results of conditionals in the syntax tree of node. It runs after the analysis, which
// needs the tree as hcl parsed it; after it, the tree is not walked again.
// funcs are the functions the tree may call (nil: none).
func meter(node hclsyntax.Node, fixed *budget, funcs map[string]function.Function) {
	_ = hclsyntax.Walk(node, meterWalker{fixed, funcs})
}

type meterWalker struct {
	fixed *budget
	funcs map[string]function.Function
}

func (meterWalker) Enter(hclsyntax.Node) hcl.Diagnostics { return nil }

// Exit wraps a node's children after they were walked, so the walk never
// meets a wrapper.
func (w meterWalker) Exit(n hclsyntax.Node) hcl.Diagnostics {
	switch n := n.(type) {
	case *hclsyntax.ForExpr:
		if n.CondExpr != nil {
			n.CondExpr = w.wrap(n.CondExpr, meterIteration)
		} else {
			n.ValExpr = w.wrap(n.ValExpr, meterIteration)
		}
	case *hclsyntax.TemplateExpr:
		for i, p := range n.Parts {
			if _, literal := p.(*hclsyntax.LiteralValueExpr); !literal || len(n.Parts) > 1 {
				n.Parts[i] = w.wrap(p, meterPart)
			}
		}
	case *hclsyntax.BinaryOpExpr:
		if n.Op == hclsyntax.OpEqual || n.Op == hclsyntax.OpNotEqual {
			n.LHS, n.RHS = w.wrap(n.LHS, meterOperand), w.wrap(n.RHS, meterOperand)
		}
	case *hclsyntax.ConditionalExpr:
		n.TrueResult, n.FalseResult = w.wrap(n.TrueResult, meterOperand), w.wrap(n.FalseResult, meterOperand)
	case *hclsyntax.FunctionCallExpr:
		if !shallowFunctions[n.Name] {
			for i, a := range n.Args {
				if !w.takesExpression(n.Name, i) {
					n.Args[i] = w.wrap(a, meterOperand)
				}
			}
		}
	}
	return nil
}

func (w meterWalker) wrap(e hclsyntax.Expression, kind meterKind) hclsyntax.Expression {
	return &metered{Expression: e, kind: kind, fixed: w.fixed}
}

// takesExpression reports whether argument i of the function name is given
// as an expression, not a value (templatestring's template must be a
// reference as written): a wrapper would hide it.
func (w meterWalker) takesExpression(name string, i int) bool {
	f, ok := w.funcs[name]
	if !ok {
		return false
	}
	params := f.Params()
	var p *function.Parameter
	switch {
	case i < len(params):
		p = &params[i]
	default:
		p = f.VarParam()
	}
	return p != nil && customdecode.CustomExpressionDecoderForType(p.Type) != nil
}

// ConstantValue evaluates expr, a constant expression (a value in a
// variables file), within the evaluation budget of limits: a for
// expression over literal lists nests as deep as any other. An overrun is
// a diagnostic; so are references and function calls.
func ConstantValue(expr hcl.Expression, limits Limits) (cty.Value, hcl.Diagnostics) {
	b := newBudget(context.Background(), limits, nil)
	if native, ok := expr.(hclsyntax.Expression); ok {
		meter(native, b, nil)
	}
	v, diags := expr.Value(nil)
	b.chargeValue(v, expr.Range())
	return v, b.result(diags)
}
