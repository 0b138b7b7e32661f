package template

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// budget bounds one evaluation: an Expand (variables, locals, count,
// for_each, data source configurations), one Evaluate, one Outputs or
// Providers call. A template runs code its author wrote — a for
// expression over range(1000) three deep, setproduct of long lists, a
// string doubled in a chain of locals — and an embedding service runs
// templates it did not write, so what evaluation builds is counted as it
// is built, and the evaluation stops at the first overrun:
//
//   - elements: one per iteration of a for expression, one per value a
//     function is given or returns in a collection (a function's arguments
//     are walked, since walking them is what most functions do), and one
//     per value inside what an evaluation returns (values share structure:
//     a list of a thousand references to one long list is small until
//     something walks it);
//   - bytes: of the strings templates and functions build;
//   - the context: cancelled or past its deadline, evaluation stops.
//
// Functions are charged by construction: every function of the table is
// wrapped (bind), with what it will build estimated from its arguments
// before it runs where that can exceed what it is given (range,
// setproduct, format widths, …).
//
// A budget is used by one goroutine: each evaluation has its own.
type budget struct {
	done     <-chan struct{}
	ctx      context.Context
	elements int64 // left
	bytes    int64 // left
	limits   Limits
	ticks    int // charges since the context was last looked at

	overrun  *hcl.Diagnostic // the first overrun, nil while within budget
	reported bool            // overrun was returned as a diagnostic once

	val   cty.Value                    // the budget as a capsule, for evaluation contexts
	funcs map[string]function.Function // the template's functions
	bound map[string]function.Function // funcs bound to this budget, by name
	all   bool                         // bound holds every function
}

// budgetVar names the budget in an evaluation context's variables: not an
// identifier, so no template can refer to it.
const budgetVar = "formation budget"

var budgetType = cty.CapsuleWithOps("budget", reflect.TypeOf(budget{}), &cty.CapsuleOps{
	GoString: func(any) string { return "budget" },
})

// errOverBudget is what a bound function returns when its call would
// overrun the budget; the budget holds the diagnostic.
var errOverBudget = errors.New("the template's evaluation budget is exhausted")

func newBudget(ctx context.Context, limits Limits, funcs map[string]function.Function) *budget {
	b := &budget{
		ctx: ctx, done: ctx.Done(), limits: limits, funcs: funcs,
		elements: unlimited(limits.MaxElements), bytes: unlimited(limits.MaxStringBytes),
	}
	b.val = cty.CapsuleVal(budgetType, b)
	if ctx.Err() != nil {
		b.stop(hcl.Range{})
	}
	return b
}

func unlimited[T int | int64](max T) int64 {
	if max <= 0 {
		return math.MaxInt64
	}
	return int64(max)
}

// budgetOf finds the budget of an evaluation context; nil when it has
// none.
func budgetOf(ctx *hcl.EvalContext) *budget {
	for c := ctx; c != nil; c = c.Parent() {
		if v, ok := c.Variables[budgetVar]; ok {
			return v.EncapsulatedValue().(*budget)
		}
	}
	return nil
}

// install puts the budget into vars, an evaluation context's variables.
func (b *budget) install(vars map[string]cty.Value) { vars[budgetVar] = b.val }

// charge takes elements and bytes from the budget for what is built at
// rng (empty inside a function: hcl's diagnostic names the call); false
// once the budget is overrun (now or before).
func (b *budget) charge(elements, bytes int64, rng hcl.Range) bool {
	if b.overrun != nil {
		return false
	}
	b.elements -= elements
	b.bytes -= bytes
	switch {
	case b.elements < 0:
		b.over(rng, fmt.Sprintf("it builds more than %d elements (iterations of for expressions, and values functions take or return in collections), the limit of one evaluation (Limits.MaxElements)", b.limits.MaxElements))
	case b.bytes < 0:
		b.over(rng, fmt.Sprintf("it builds more than %d bytes of strings, the limit of one evaluation (Limits.MaxStringBytes)", b.limits.MaxStringBytes))
	case b.done != nil:
		if b.ticks++; b.ticks >= 64 {
			b.ticks = 0
			select {
			case <-b.done:
				b.stop(rng)
			default:
			}
		}
	}
	return b.overrun == nil
}

// check is charge of nothing: false once the budget is overrun or the
// context done.
func (b *budget) check(rng hcl.Range) bool { return b.charge(0, 0, rng) }

func (b *budget) over(rng hcl.Range, why string) {
	b.overrun = &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Template evaluation over budget",
		Detail:   fmt.Sprintf("This expression is refused: %s.", why),
		Extra:    &diagExtra{overBudget: true},
	}
	if rng.Filename != "" {
		b.overrun.Subject = rangePtr(rng)
	}
}

// stop ends the evaluation at rng because its context is done: an overrun
// whose error is the context's (see diagError).
func (b *budget) stop(rng hcl.Range) {
	b.over(rng, "")
	b.overrun.Summary = "Template evaluation stopped"
	b.overrun.Detail = fmt.Sprintf("The evaluation stopped here: %v.", context.Cause(b.ctx))
	b.overrun.Extra.(*diagExtra).stopped = b.ctx.Err()
}

// overranIn moves an overrun inside a source parsed at run time, named
// file (the template templatestring renders), to the call that parsed
// it: the overrun names the call (see result), and its place in the
// source goes into the detail.
func (b *budget) overranIn(file string) {
	if s := b.overrun.Subject; s != nil && s.Filename == file {
		b.overrun.Detail += fmt.Sprintf(" (at %s)", s)
		b.overrun.Subject = nil
	}
}

// report returns the overrun as diagnostics the first time it is asked,
// then nothing: hcl goes on evaluating the rest of an expression, and each
// further step the budget refuses returns an unknown value at once.
func (b *budget) report() hcl.Diagnostics {
	if b.reported || b.overrun == nil {
		return nil
	}
	b.reported = true
	return hcl.Diagnostics{b.overrun}
}

// result is what an evaluation returns: diags, or only the overrun when
// there was one (whatever else went wrong followed from it). A function
// call refused for the budget names its call in hcl's diagnostic; the
// overrun takes that place when it had none.
func (b *budget) result(diags hcl.Diagnostics) hcl.Diagnostics {
	if b.overrun == nil {
		return diags
	}
	if b.overrun.Subject == nil {
		for _, d := range diags {
			if x, ok := hcl.DiagnosticExtra[hclsyntax.FunctionCallDiagExtra](d); ok && errors.Is(x.FunctionCallError(), errOverBudget) && d.Subject != nil {
				b.overrun.Subject = d.Subject
				break
			}
		}
	}
	return hcl.Diagnostics{b.overrun}
}

// chargeValue charges the size of v (see budget): each value inside its
// collections and structures, and the bytes of its strings. It walks at
// most what is left of the budget, so a value that shares structure a
// billion times over costs no more to refuse than the budget allows.
func (b *budget) chargeValue(v cty.Value, rng hcl.Range) bool {
	if b.overrun != nil {
		return false
	}
	elements, bytes := valueSize(v, b.elements, b.bytes)
	return b.charge(elements, bytes, rng)
}

// valueSize counts the elements and string bytes of v, stopping once
// either is over its max.
func valueSize(v cty.Value, maxElements, maxBytes int64) (elements, bytes int64) {
	var walk func(v cty.Value) bool
	walk = func(v cty.Value) bool {
		v, _ = v.Unmark()
		if !v.IsKnown() || v.IsNull() {
			return true
		}
		ty := v.Type()
		switch {
		case ty == cty.String:
			bytes += int64(len(v.AsString()))
		case ty.IsObjectType():
			for name := range ty.AttributeTypes() {
				elements++
				if elements > maxElements || !walk(v.GetAttr(name)) {
					return false
				}
			}
		case ty.IsListType() || ty.IsTupleType() || ty.IsSetType() || ty.IsMapType():
			for it := v.ElementIterator(); it.Next(); {
				_, e := it.Element()
				elements++
				if elements > maxElements || !walk(e) {
					return false
				}
			}
		}
		return bytes <= maxBytes
	}
	walk(v)
	return elements, bytes
}

// allFunctions returns every function, bound to the budget, for contexts
// whose expressions are not analysed (variable validations, instance
// keys).
func (b *budget) allFunctions() map[string]function.Function {
	return b.functions(nil)
}

// scopeFunctions returns the functions a scope's expressions call, bound
// to the budget. A scope that calls none gets none: binding the whole
// table for it was most of what evaluating an instance allocated.
func (b *budget) scopeFunctions(names []string) map[string]function.Function {
	if len(names) == 0 {
		return nil // no map either: an evaluation without calls allocates none
	}
	return b.functions(names)
}

// functions returns the functions of an evaluation context, bound to the
// budget: those named, or every function when names is nil.
func (b *budget) functions(names []string) map[string]function.Function {
	if b.bound == nil {
		b.bound = make(map[string]function.Function, len(names))
	}
	if names == nil {
		if !b.all {
			for name, f := range b.funcs {
				if _, ok := b.bound[name]; !ok {
					b.bound[name] = b.bind(name, f)
				}
			}
			b.all = true
		}
		return b.bound
	}
	for _, name := range names {
		if _, ok := b.bound[name]; !ok {
			if f, ok := b.funcs[name]; ok {
				b.bound[name] = b.bind(name, f)
			}
		}
	}
	return b.bound
}
