package template

import (
	"fmt"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// A JSON template's strings are templates, but hcl's json package parses
// a string each time it evaluates it: the for expressions, interpolations
// and calls inside would be new trees at every evaluation, out of the
// budget's reach (meter wraps a tree once). So a JSON file's body is
// wrapped (jsonBody), and each expression it gives is converted once to a
// jsonExpr: the same value, with each string parsed once into a native
// template that the analysis walks and meter wraps, as for a .tf file.

// jsonFile is what the bodies of one JSON file share: the expressions
// converted so far, by source range (hcl's json package makes a new
// expression each time a body is read), and whether they were metered.
type jsonFile struct {
	mu      sync.Mutex
	exprs   map[hcl.Range]*jsonExpr
	funcs   map[string]function.Function // set by meter
	metered bool
}

// jsonBody is a body of a JSON file whose attributes are jsonExprs and
// whose blocks' bodies are jsonBodies.
type jsonBody struct {
	hcl.Body
	file *jsonFile
}

func newJSONBody(body hcl.Body) *jsonBody {
	return &jsonBody{Body: body, file: &jsonFile{exprs: map[hcl.Range]*jsonExpr{}}}
}

func (b *jsonBody) Content(schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Diagnostics) {
	c, diags := b.Body.Content(schema)
	return b.content(c), diags
}

func (b *jsonBody) PartialContent(schema *hcl.BodySchema) (*hcl.BodyContent, hcl.Body, hcl.Diagnostics) {
	c, rest, diags := b.Body.PartialContent(schema)
	return b.content(c), &jsonBody{Body: rest, file: b.file}, diags
}

func (b *jsonBody) JustAttributes() (hcl.Attributes, hcl.Diagnostics) {
	attrs, diags := b.Body.JustAttributes()
	return b.attributes(attrs), diags
}

func (b *jsonBody) content(c *hcl.BodyContent) *hcl.BodyContent {
	if c == nil {
		return nil
	}
	out := *c
	out.Attributes = b.attributes(c.Attributes)
	out.Blocks = make(hcl.Blocks, len(c.Blocks))
	for i, blk := range c.Blocks {
		nb := *blk
		nb.Body = &jsonBody{Body: blk.Body, file: b.file}
		out.Blocks[i] = &nb
	}
	return &out
}

func (b *jsonBody) attributes(attrs hcl.Attributes) hcl.Attributes {
	if attrs == nil {
		return nil
	}
	out := make(hcl.Attributes, len(attrs))
	for name, a := range attrs {
		na := *a
		na.Expr = b.file.expr(a.Expr)
		out[name] = &na
	}
	return out
}

// expr returns the conversion of e, made once per source range; metered
// at once when the file's expressions already were.
func (f *jsonFile) expr(e hcl.Expression) *jsonExpr {
	f.mu.Lock()
	defer f.mu.Unlock()
	rng := e.Range()
	if je, ok := f.exprs[rng]; ok {
		return je
	}
	je := convertJSON(e)
	f.exprs[rng] = je
	if f.metered {
		je.meter(f.funcs)
	}
	return je
}

// meter meters every expression of the file, now and later converted
// (after the analysis, which walks the templates as parsed).
func (f *jsonFile) meter(funcs map[string]function.Function) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.funcs, f.metered = funcs, true
	for _, je := range f.exprs {
		je.meter(funcs)
	}
}

type jsonKind int

const (
	jsonScalar jsonKind = iota // a number, bool or null; or what hcl could not parse
	jsonString
	jsonArray
	jsonObject
)

// jsonExpr is an expression of a JSON file, converted: it evaluates as
// hcl's json package does (json/structure.go, expression.Value), with
// each string's template parsed once. Without an evaluation context a
// JSON expression is literal (strings are not templates): orig answers.
// hcl's helpers (AbsTraversalForExpr, ExprCall, ExprAsKeyword) reach orig
// through UnwrapExpression; ExprList and ExprMap give converted parts.
type jsonExpr struct {
	orig hcl.Expression
	kind jsonKind

	tmpl    hclsyntax.Expression // a string's template
	diags   hcl.Diagnostics      // from parsing it
	metered bool

	elems []*jsonExpr    // an array's
	pairs []jsonExprPair // an object's, in source order
}

type jsonExprPair struct{ key, val *jsonExpr }

type exprLister interface{ ExprList() []hcl.Expression }
type exprMapper interface{ ExprMap() []hcl.KeyValuePair }

func convertJSON(e hcl.Expression) *jsonExpr {
	je := &jsonExpr{orig: e}
	if l, ok := e.(exprLister); ok {
		if list := l.ExprList(); list != nil {
			je.kind = jsonArray
			je.elems = make([]*jsonExpr, len(list))
			for i, el := range list {
				je.elems[i] = convertJSON(el)
			}
			return je
		}
	}
	if m, ok := e.(exprMapper); ok {
		if pairs := m.ExprMap(); pairs != nil {
			je.kind = jsonObject
			je.pairs = make([]jsonExprPair, len(pairs))
			for i, p := range pairs {
				je.pairs[i] = jsonExprPair{convertJSON(p.Key), convertJSON(p.Value)}
			}
			return je
		}
	}
	v, diags := e.Value(nil)
	if diags.HasErrors() || v.Type() != cty.String || v.IsNull() {
		return je
	}
	je.kind = jsonString
	rng := e.Range()
	// As hcl: the template starts after the opening quote (escapes the
	// JSON parser removed shift later columns, as they do in hcl).
	je.tmpl, je.diags = hclsyntax.ParseTemplate([]byte(v.AsString()), rng.Filename,
		hcl.Pos{Line: rng.Start.Line, Column: rng.Start.Column + 1, Byte: rng.Start.Byte + 1})
	return je
}

// strings calls fn with each string of e, keys included, in source order.
func (e *jsonExpr) strings(fn func(*jsonExpr)) {
	switch e.kind {
	case jsonString:
		fn(e)
	case jsonArray:
		for _, el := range e.elems {
			el.strings(fn)
		}
	case jsonObject:
		for _, p := range e.pairs {
			p.key.strings(fn)
			p.val.strings(fn)
		}
	}
}

// templates returns the string templates of e, which the analysis walks,
// and the diagnostics of those that did not parse.
func (e *jsonExpr) templates() ([]hclsyntax.Expression, hcl.Diagnostics) {
	var out []hclsyntax.Expression
	var diags hcl.Diagnostics
	e.strings(func(s *jsonExpr) {
		diags = append(diags, s.diags...)
		if !s.diags.HasErrors() {
			out = append(out, s.tmpl)
		}
	})
	return out, diags
}

func (e *jsonExpr) meter(funcs map[string]function.Function) {
	e.strings(func(s *jsonExpr) {
		if !s.metered && !s.diags.HasErrors() {
			s.metered = true
			meter(s.tmpl, nil, funcs)
		}
	})
}

func (e *jsonExpr) Value(ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	if ctx == nil {
		return e.orig.Value(nil)
	}
	switch e.kind {
	case jsonString:
		if e.diags.HasErrors() {
			return cty.DynamicVal, e.diags
		}
		v, diags := e.tmpl.Value(ctx)
		return v, append(e.diags[:len(e.diags):len(e.diags)], diags...)
	case jsonArray:
		var diags hcl.Diagnostics
		vals := make([]cty.Value, len(e.elems))
		for i, el := range e.elems {
			v, d := el.Value(ctx)
			vals[i] = v
			diags = append(diags, d...)
		}
		return cty.TupleVal(vals), diags
	case jsonObject:
		return e.objectValue(ctx)
	}
	return e.orig.Value(nil)
}

// objectValue is hcl's evaluation of a JSON object: keys are templates
// too; a key that is not a string, null or a duplicate is an error, and
// an unknown key makes the whole object unknown.
func (e *jsonExpr) objectValue(ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	attrs := map[string]cty.Value{}
	attrRanges := map[string]hcl.Range{}
	known := true
	for _, p := range e.pairs {
		name, nameDiags := p.key.Value(ctx)
		val, valDiags := p.val.Value(ctx)
		diags = append(diags, nameDiags...)
		diags = append(diags, valDiags...)
		keyRange := p.key.Range()
		name, err := convert.Convert(name, cty.String)
		switch {
		case err != nil:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError, Summary: "Invalid object key expression",
				Detail:  fmt.Sprintf("Cannot use this expression as an object key: %s.", err),
				Subject: &keyRange, Expression: p.val, EvalContext: ctx,
			})
			continue
		case name.IsNull():
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError, Summary: "Invalid object key expression",
				Detail:  "Cannot use null value as an object key.",
				Subject: &keyRange, Expression: p.val, EvalContext: ctx,
			})
			continue
		case !name.IsKnown():
			known = false
			continue
		}
		nameStr := name.AsString()
		if _, defined := attrs[nameStr]; defined {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError, Summary: "Duplicate object attribute",
				Detail:  fmt.Sprintf("An attribute named %q was already defined at %s.", nameStr, attrRanges[nameStr]),
				Subject: &keyRange, Expression: e, EvalContext: ctx,
			})
			continue
		}
		attrs[nameStr] = val
		attrRanges[nameStr] = keyRange
	}
	if !known {
		return cty.DynamicVal, diags
	}
	return cty.ObjectVal(attrs), diags
}

func (e *jsonExpr) Variables() []hcl.Traversal { return e.orig.Variables() }
func (e *jsonExpr) Range() hcl.Range           { return e.orig.Range() }
func (e *jsonExpr) StartRange() hcl.Range      { return e.orig.StartRange() }

// UnwrapExpression gives hcl's helpers the JSON expression for what
// jsonExpr does not answer itself.
func (e *jsonExpr) UnwrapExpression() hcl.Expression { return e.orig }

// ExprList is hcl.ExprList's: an array's elements, converted.
func (e *jsonExpr) ExprList() []hcl.Expression {
	if e.kind != jsonArray {
		return nil
	}
	out := make([]hcl.Expression, len(e.elems))
	for i, el := range e.elems {
		out[i] = el
	}
	return out
}

// ExprMap is hcl.ExprMap's: an object's keys and values, converted.
func (e *jsonExpr) ExprMap() []hcl.KeyValuePair {
	if e.kind != jsonObject {
		return nil
	}
	out := make([]hcl.KeyValuePair, len(e.pairs))
	for i, p := range e.pairs {
		out[i] = hcl.KeyValuePair{Key: p.key, Value: p.val}
	}
	return out
}
