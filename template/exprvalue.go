package template

import (
	"math/big"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// exprValue evaluates expr in ctx exactly as expr.Value does, faster for
// the expressions resource bodies are mostly made of: "name-${count.index}"
// and prev[count.index].id. hcl turns a number into a string (a template
// part, the key of a map or object) with cty's conversion, which formats
// the number with math/big's shortest-decimal algorithm: over 2 µs and 20
// allocations for count.index, more than all the rest of such an
// evaluation. quick does what hcl does, but formats a whole number with
// strconv.
//
// Whenever quick meets a diagnostic it gives up and expr.Value evaluates
// the expression again, so diagnostics are always hcl's own. Evaluating
// part of an expression twice is harmless: functions have no side effects,
// and the value returned always comes from one evaluation.
//
// lz holds the variables of ctx not built yet (nil: none); whatever hcl
// evaluates sees them built.
func exprValue(expr hcl.Expression, ctx *hcl.EvalContext, lz *lazyGroups) (cty.Value, hcl.Diagnostics) {
	if e, ok := expr.(hclsyntax.Expression); ok {
		if v, ok := quick(e, ctx, lz); ok {
			return v, nil
		}
	}
	lz.build()
	return expr.Value(ctx)
}

// quick evaluates e as e.Value(ctx) would; ok is false if that would
// report any diagnostic. Expressions other than literals, traversals,
// index expressions and templates are left to hcl.
func quick(e hclsyntax.Expression, ctx *hcl.EvalContext, lz *lazyGroups) (v cty.Value, ok bool) {
	switch e := e.(type) {
	case *hclsyntax.LiteralValueExpr:
		return e.Val, true
	case *hclsyntax.ScopeTraversalExpr:
		return quickTraversal(e.Traversal, ctx, lz)
	case *hclsyntax.RelativeTraversalExpr:
		if v, ok = quick(e.Source, ctx, lz); !ok {
			return v, false
		}
		return quickSteps(v, e.Traversal)
	case *hclsyntax.IndexExpr:
		if v, ok, done := quickKeyed(e, ctx, lz); done {
			return v, ok
		}
		coll, ok := quick(e.Collection, ctx, lz)
		if !ok {
			return coll, false
		}
		key, ok := quick(e.Key, ctx, lz)
		if !ok {
			return key, false
		}
		return quickIndex(coll, key, lz)
	case *hclsyntax.TemplateWrapExpr:
		return quick(e.Wrapped, ctx, lz)
	case *hclsyntax.TemplateExpr:
		return quickTemplate(e, ctx, lz)
	case *metered:
		if b := e.budget(ctx); b != nil && e.kind != meterIteration {
			if v, ok = quick(e.Expression, ctx, lz); ok && !e.charge(b, v) {
				return cty.DynamicVal, false // hcl evaluates it again, and reports the overrun
			}
			return v, ok
		}
	}
	lz.build()
	v, diags := e.Value(ctx)
	return v, len(diags) == 0
}

// quickKeyed is quick of TYPE.NAME[key] where TYPE is deferred and NAME a
// keyed reference: the instance under key, without the record; done is
// false when e is not that or the record may not hold key.
func quickKeyed(e *hclsyntax.IndexExpr, ctx *hcl.EvalContext, lz *lazyGroups) (v cty.Value, ok, done bool) {
	coll, isTraversal := e.Collection.(*hclsyntax.ScopeTraversalExpr)
	if lz == nil || lz.built || !isTraversal || len(coll.Traversal) != 2 {
		return cty.NilVal, false, false
	}
	i, found := lz.use(coll.Traversal.RootName(), coll.Traversal[1:])
	if !found || lz.ev.keyed(lz.sc.targets[i], keysOf(lz.keys, i)) == nil {
		return cty.NilVal, false, false
	}
	key, ok := quick(e.Key, ctx, lz)
	if !ok {
		return key, false, true
	}
	if v, found := lz.element(i, key); found {
		return v, true, true
	}
	lz.build()
	return cty.NilVal, false, false
}

// quickTraversal is hcl.Traversal.TraverseAbs when it succeeds.
func quickTraversal(t hcl.Traversal, ctx *hcl.EvalContext, lz *lazyGroups) (cty.Value, bool) {
	if v, ok, done := lz.traverse(t); done {
		return v, ok
	}
	name := t.RootName()
	for c := ctx; c != nil; c = c.Parent() {
		if v, ok := c.Variables[name]; ok {
			return quickSteps(v, t[1:])
		}
	}
	return cty.DynamicVal, false
}

// quickSteps is hcl.Traversal.TraverseRel when it succeeds. The source
// ranges hcl passes serve only diagnostics, and quick reports none:
// passing nil also spares the allocation of each step's range.
func quickSteps(v cty.Value, steps hcl.Traversal) (cty.Value, bool) {
	for _, step := range steps {
		var diags hcl.Diagnostics
		switch step := step.(type) {
		case hcl.TraverseAttr:
			v, diags = hcl.GetAttr(v, step.Name, nil)
		case hcl.TraverseIndex:
			var ok bool
			if v, ok = quickIndex(v, step.Key, nil); !ok {
				return v, false
			}
		default:
			return cty.DynamicVal, false
		}
		if len(diags) > 0 {
			return v, false
		}
	}
	return v, true
}

// quickIndex is hcl.Index when it succeeds. A map or an object converts
// its key to a string; a whole number gets the string cty would make of
// it, formatted by strconv (lz.intString).
func quickIndex(coll, key cty.Value, lz *lazyGroups) (cty.Value, bool) {
	if ty := coll.Type(); ty.IsMapType() || ty.IsObjectType() {
		if s, ok := lz.intString(key); ok {
			key = cty.StringVal(s)
		}
	}
	v, diags := hcl.Index(coll, key, nil)
	return v, len(diags) == 0
}

// quickTemplate is TemplateExpr.Value when every part is known, not null
// and not marked: the string of its parts converted to strings. Otherwise
// hcl's result (unknown with a known prefix, marked) is built by hcl.
//
// The parts are gathered first so that the result is allocated once, at
// its length, and not at all for a template of one part (a quoted
// literal).
func quickTemplate(e *hclsyntax.TemplateExpr, ctx *hcl.EvalContext, lz *lazyGroups) (cty.Value, bool) {
	var buf [4]string // the parts of most templates, without allocating
	strs, n := buf[:0], 0
	for _, part := range e.Parts {
		v, ok := quick(part, ctx, lz)
		var s string
		switch {
		case !ok:
			return v, false
		case v.IsNull() || !v.IsKnown() || v.IsMarked():
			lz.build()
			v, diags := e.Value(ctx)
			return v, len(diags) == 0
		case v.Type() == cty.String:
			s = v.AsString()
		default:
			if s, ok = lz.intString(v); !ok {
				sv, err := convert.Convert(v, cty.String)
				if err != nil {
					return cty.DynamicVal, false
				}
				s = sv.AsString()
			}
		}
		strs, n = append(strs, s), n+len(s)
	}
	if len(strs) == 1 {
		return cty.StringVal(strs[0]), true
	}
	var b strings.Builder
	b.Grow(n)
	for _, s := range strs {
		b.WriteString(s)
	}
	return cty.StringVal(b.String()), true
}

// intString is the string cty's conversion makes of v when v is a known,
// unmarked whole number in the range of int64 whose precision holds it
// exactly (every whole number from a count, an index or an integer
// literal): its decimal digits, as strconv writes them. cty formats
// numbers in the shortest decimal that rounds back to the same number at
// its precision; when the number's unit in the last place is at most 1,
// only the number itself is in that range. Negative zero is left to cty,
// which writes it "-0".
func intString(v cty.Value) (string, bool) {
	if v.Type() != cty.Number || !v.IsKnown() || v.IsNull() || v.IsMarked() {
		return "", false
	}
	f := v.AsBigFloat()
	if !f.IsInt() || f.Signbit() && f.Sign() == 0 || f.MantExp(nil) > int(f.Prec()) {
		return "", false
	}
	i, acc := f.Int64()
	if acc != big.Exact {
		return "", false
	}
	return strconv.FormatInt(i, 10), true
}
