package template

import (
	"bytes"
	"errors"
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/customdecode"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// templateStringFunc is Terraform's templatestring(ref, vars): it renders
// a string held elsewhere (a variable, a local, an attribute) as a string
// template with vars as its variables. As in Terraform the first argument
// must be a reference, not a template written in place (which is a
// template expression of its own), and the template may call every
// function but templatestring itself. funcs is the function table,
// filled in after this function is made.
func templateStringFunc(funcs *map[string]function.Function) function.Function {
	return function.New(&function.Spec{
		Description: "Renders a string from elsewhere as a template, with the given variables.",
		Params: []function.Parameter{
			{Name: "template", Type: customdecode.ExpressionClosureType},
			{Name: "vars", Type: cty.DynamicPseudoType},
		},
		Type: function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			closure := customdecode.ExpressionClosureFromVal(args[0])
			switch e := unmetered(closure.Expression).(type) {
			case *hclsyntax.TemplateWrapExpr, *hclsyntax.TemplateExpr:
				return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "invalid template expression: templatestring is only for rendering templates retrieved dynamically from elsewhere; to render an inline template, use a template string expression")
			default:
				if !isReference(e) {
					return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "invalid template expression: must be a direct reference to a single string from elsewhere, containing valid template syntax")
				}
			}
			tv, diags := closure.Value()
			switch {
			case diags.HasErrors():
				return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "invalid template expression: %s", diags.Error())
			case !tv.IsKnown():
				return cty.UnknownVal(cty.String), nil
			case tv.Type() != cty.String || tv.IsNull():
				return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "invalid template value: a string is required")
			}
			tv, marks := tv.Unmark()
			toks, _ := hclsyntax.LexTemplate([]byte(tv.AsString()), templateStringFile, hcl.Pos{Line: 1, Column: 1})
			if tokenNesting(toks) != nil {
				return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "invalid template: it nests more than %d levels deep", MaxNesting)
			}
			expr, diags := hclsyntax.ParseTemplate([]byte(tv.AsString()), templateStringFile, hcl.Pos{Line: 1, Column: 1})
			if diags.HasErrors() {
				return cty.UnknownVal(cty.String), function.NewArgErrorf(0, "invalid template: %s", diags.Error())
			}
			b := budgetOf(closure.EvalContext)
			v, err := renderTemplate(expr, args[1], *funcs, b)
			if b != nil && b.overrun != nil {
				b.overranIn(templateStringFile)
				return cty.UnknownVal(cty.String), errOverBudget
			}
			if err != nil {
				return cty.UnknownVal(cty.String), err
			}
			if v, err = convert.Convert(v, cty.String); err != nil {
				return cty.UnknownVal(cty.String), fmt.Errorf("invalid template result: %s", err)
			}
			return v.WithMarks(marks), nil
		},
	})
}

// templateStringFile names the template templatestring renders in its
// diagnostics.
const templateStringFile = "<templatestring argument>"

// isReference reports whether e reads a value from elsewhere: a reference,
// possibly indexed or followed by attributes or a splat.
func isReference(e hcl.Expression) bool {
	switch e := unmetered(e).(type) {
	case *hclsyntax.ScopeTraversalExpr:
		return true
	case *hclsyntax.RelativeTraversalExpr:
		return isReference(e.Source)
	case *hclsyntax.IndexExpr:
		return isReference(e.Collection)
	case *hclsyntax.SplatExpr:
		return isReference(e.Source)
	}
	return false
}

// unmetered is the expression a budget's meter wraps, or e itself.
func unmetered(e hcl.Expression) hcl.Expression {
	for {
		m, ok := e.(*metered)
		if !ok {
			return e
		}
		e = m.Expression
	}
}

// renderTemplate evaluates a parsed template with vars (a map or object)
// as its only variables, within the budget b of the evaluation that calls
// templatestring (nil: none): the template is built at run time, but its
// for directives and interpolations build as the template's own do.
func renderTemplate(expr hclsyntax.Expression, vars cty.Value, funcs map[string]function.Function, b *budget) (cty.Value, error) {
	if ty := vars.Type(); !ty.IsMapType() && !ty.IsObjectType() {
		return cty.DynamicVal, function.NewArgErrorf(1, "invalid vars value: must be a map")
	}
	ctx := &hcl.EvalContext{Variables: vars.AsValueMap(), Functions: map[string]function.Function{}}
	for name := range ctx.Variables {
		if !hclsyntax.ValidIdentifier(name) {
			return cty.DynamicVal, function.NewArgErrorf(1, "invalid template variable name %q: must start with a letter, followed by zero or more letters, digits, and underscores", name)
		}
	}
	for _, t := range expr.Variables() {
		if _, ok := ctx.Variables[t.RootName()]; !ok {
			return cty.DynamicVal, function.NewArgErrorf(1, "vars map does not contain key %q, referenced at %s", t.RootName(), t[0].SourceRange())
		}
	}
	if b != nil {
		funcs = b.allFunctions()
		meter(expr, b, funcs)
	}
	for name, fn := range funcs {
		if name == "templatestring" {
			fn = function.New(&function.Spec{Params: fn.Params(), VarParam: fn.VarParam(), Type: func([]cty.Value) (cty.Type, error) {
				return cty.NilType, errors.New("cannot recursively call templatestring from inside another template function")
			}})
		}
		ctx.Functions[name] = fn
	}
	v, diags := expr.Value(ctx)
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	if v.IsNull() {
		return cty.DynamicVal, errors.New("the result of the template is null, which is not a valid result for a templatestring call")
	}
	return v, nil
}

// The functions of Terraform's built-in provider, called as
// provider::terraform::NAME.

var encodeTfvarsFunc = function.New(&function.Spec{
	Description: "Encodes an object as tfvars text, one variable per attribute.",
	Params:      []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType}},
	Type:        function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		v := args[0]
		if !v.IsWhollyKnown() {
			return cty.UnknownVal(cty.String), nil
		}
		var keys []string
		switch ty := v.Type(); {
		case ty.IsObjectType():
			for k := range ty.AttributeTypes() {
				keys = append(keys, k)
			}
		case ty.IsMapType():
			for it := v.ElementIterator(); it.Next(); {
				k, _ := it.Element()
				keys = append(keys, k.AsString())
			}
		default:
			return cty.NilVal, function.NewArgErrorf(0, "invalid value to encode: must be an object whose attribute names will become the encoded variable names")
		}
		sort.Strings(keys)
		f := hclwrite.NewEmptyFile()
		for _, k := range keys {
			if !hclsyntax.ValidIdentifier(k) {
				return cty.NilVal, function.NewArgErrorf(0, "invalid variable name %q: must be a valid identifier, per Terraform's rules for input variable declarations", k)
			}
			ev, _ := hcl.Index(v, cty.StringVal(k), nil)
			f.Body().SetAttributeValue(k, ev)
		}
		return cty.StringVal(string(f.Bytes())), nil
	},
})

var decodeTfvarsFunc = function.New(&function.Spec{
	Description: "Decodes tfvars text into an object, one attribute per variable.",
	Params:      []function.Parameter{{Name: "src", Type: cty.String}},
	Type:        function.StaticReturnType(cty.DynamicPseudoType),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		f, diags := hclsyntax.ParseConfig([]byte(args[0].AsString()), "<decode_tfvars argument>", hcl.InitialPos)
		if diags.HasErrors() {
			return cty.NilVal, fmt.Errorf("invalid tfvars syntax: %s", diags.Error())
		}
		attrs, diags := f.Body.JustAttributes()
		if diags.HasErrors() {
			return cty.NilVal, fmt.Errorf("invalid tfvars content: %s", diags.Error())
		}
		out := make(map[string]cty.Value, len(attrs))
		for name, attr := range attrs {
			v, diags := attr.Expr.Value(nil) // as a tfvars file: no references, no functions
			if diags.HasErrors() {
				return cty.NilVal, fmt.Errorf("invalid expression for variable %q: %s", name, diags.Error())
			}
			out[name] = v
		}
		return cty.ObjectVal(out), nil
	},
})

var encodeExprFunc = function.New(&function.Spec{
	Description: "Encodes a value as the expression that writes it.",
	Params:      []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType, AllowNull: true}},
	Type:        function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if !args[0].IsWhollyKnown() {
			return cty.UnknownVal(cty.String), nil
		}
		return cty.StringVal(string(bytes.TrimSpace(hclwrite.TokensForValue(args[0]).Bytes()))), nil
	},
})
