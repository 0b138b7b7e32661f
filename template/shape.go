package template

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// bodyShape is a configuration body without its meta-arguments, decoded
// once without a schema: the provider's schema is not known here. Native
// syntax keeps attributes and nested blocks apart; a nested block evaluates
// to a tuple of objects under its type name. JSON has no blocks, so its
// properties are all attributes: a nested block written as a JSON array of
// objects evaluates to the same tuple.
type bodyShape struct {
	attrs  []*hcl.Attribute // sorted by name
	blocks []*blockShape    // in source order
}

type blockShape struct {
	typ     string
	rng     hcl.Range
	body    *bodyShape    // a static block
	dynamic *dynamicShape // a dynamic block
}

// dynamicShape is a dynamic "typ" { for_each = …, iterator = …, content { … } } block.
type dynamicShape struct {
	forEach  hcl.Expression
	iterator string
	content  *bodyShape
}

var dynamicSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "for_each", Required: true}, {Name: "iterator"}, {Name: "labels"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "content"}},
}

// newShape decodes body, leaving out the attributes and block types meta
// lists (the meta-arguments PartialContent already took).
func newShape(body hcl.Body, meta *hcl.BodySchema) (*bodyShape, hcl.Diagnostics) {
	skip := map[string]bool{}
	if meta != nil {
		for _, a := range meta.Attributes {
			skip[a.Name] = true
		}
		for _, b := range meta.Blocks {
			skip[b.Type] = true
		}
	}
	native, ok := body.(*hclsyntax.Body)
	if !ok {
		return jsonShape(body, skip)
	}
	return nativeShape(native, skip)
}

// jsonDynamicSchema finds the dynamic blocks of a JSON body, written as
// Terraform reads them: "dynamic": {"TYPE": {"for_each": …, "content": {…}}}.
var jsonDynamicSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "dynamic", LabelNames: []string{"type"}}}}

// jsonShape is newShape of a JSON body: its dynamic blocks, and every
// other property as an attribute.
func jsonShape(body hcl.Body, skip map[string]bool) (*bodyShape, hcl.Diagnostics) {
	s := &bodyShape{}
	content, rest, diags := body.PartialContent(jsonDynamicSchema)
	for _, b := range content.Blocks {
		dyn, d := dynamicBlock(b)
		diags = append(diags, d...)
		if dyn != nil {
			s.blocks = append(s.blocks, &blockShape{typ: b.Labels[0], rng: b.DefRange, dynamic: dyn})
		}
	}
	attrs, d := rest.JustAttributes()
	diags = append(diags, d...)
	for _, name := range sortedAttrNames(attrs) {
		if !skip[name] {
			s.attrs = append(s.attrs, attrs[name])
		}
	}
	return s, diags
}

func nativeShape(body *hclsyntax.Body, skip map[string]bool) (*bodyShape, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	s := &bodyShape{}
	names := make([]string, 0, len(body.Attributes))
	for name := range body.Attributes {
		if !skip[name] {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		s.attrs = append(s.attrs, body.Attributes[name].AsHCLAttribute())
	}
	for _, b := range body.Blocks {
		if skip[b.Type] {
			continue
		}
		bs := &blockShape{typ: b.Type, rng: b.DefRange()}
		if b.Type == "dynamic" {
			if len(b.Labels) != 1 {
				diags = append(diags, errorDiag("Invalid dynamic block", "A dynamic block takes one label: the type of the blocks it generates.", rangePtr(b.DefRange())))
				continue
			}
			dyn, d := dynamicBlock(b.AsHCLBlock())
			diags = append(diags, d...)
			if dyn == nil {
				continue
			}
			bs.typ, bs.dynamic = b.Labels[0], dyn
		} else {
			if len(b.Labels) > 0 {
				diags = append(diags, errorDiag("Unexpected block labels",
					fmt.Sprintf("Nested %q blocks take no labels.", b.Type), rangePtr(b.LabelRanges[0])))
				continue
			}
			inner, d := nativeShape(b.Body, nil)
			diags = append(diags, d...)
			bs.body = inner
		}
		if attr, clash := body.Attributes[bs.typ]; clash && !skip[bs.typ] {
			diags = append(diags, errorDiag("Attribute and block of the same name",
				fmt.Sprintf("%q is set as an argument at %s and also given as a block.", bs.typ, attr.SrcRange), rangePtr(bs.rng)))
			continue
		}
		s.blocks = append(s.blocks, bs)
	}
	return s, diags
}

func dynamicBlock(b *hcl.Block) (*dynamicShape, hcl.Diagnostics) {
	content, diags := b.Body.Content(dynamicSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	dyn := &dynamicShape{forEach: content.Attributes["for_each"].Expr, iterator: b.Labels[0]}
	if attr := content.Attributes["iterator"]; attr != nil {
		name := hcl.ExprAsKeyword(attr.Expr)
		if name == "" {
			return nil, append(diags, errorDiag("Invalid dynamic iterator name", "The iterator must be a single name, such as setting.", rangePtr(attr.Expr.Range())))
		}
		dyn.iterator = name
	}
	if attr := content.Attributes["labels"]; attr != nil {
		return nil, append(diags, errorDiag("Unexpected block labels", "Dynamic blocks in resource configuration generate blocks without labels.", rangePtr(attr.NameRange)))
	}
	if len(content.Blocks) != 1 {
		return nil, append(diags, errorDiag("Invalid dynamic block", "A dynamic block needs exactly one content block.", rangePtr(b.DefRange)))
	}
	shape, d := newShape(content.Blocks[0].Body, nil)
	dyn.content = shape
	return dyn, append(diags, d...)
}

// eval evaluates the body to an object: attributes by name, nested blocks
// as tuples of objects under their type. lz holds the variables of ctx not
// built yet (nil: none).
func (s *bodyShape) eval(ctx *hcl.EvalContext, lz *lazyGroups) (cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	vals := make(map[string]cty.Value, len(s.attrs)+len(s.blocks))
	for _, a := range s.attrs {
		v, d := exprValue(a.Expr, ctx, lz)
		diags = append(diags, d...)
		vals[a.Name] = v
	}
	if len(s.blocks) == 0 {
		return cty.ObjectVal(vals), diags
	}
	lists := map[string][]cty.Value{}
	unknown := map[string]bool{}
	for _, b := range s.blocks {
		if _, ok := lists[b.typ]; !ok {
			lists[b.typ] = []cty.Value{}
		}
		if b.body != nil {
			v, d := b.body.eval(ctx, lz)
			diags = append(diags, d...)
			lists[b.typ] = append(lists[b.typ], v)
			continue
		}
		lz.build() // hcl evaluates for_each, in ctx and its children
		elems, known, d := b.dynamic.expand(ctx)
		diags = append(diags, d...)
		if !known {
			unknown[b.typ] = true
		}
		lists[b.typ] = append(lists[b.typ], elems...)
	}
	for typ, list := range lists {
		if unknown[typ] {
			vals[typ] = cty.DynamicVal
			continue
		}
		vals[typ] = cty.TupleVal(list)
	}
	return cty.ObjectVal(vals), diags
}

// expand evaluates a dynamic block into one object per for_each element.
// known is false when for_each is not known yet.
func (dyn *dynamicShape) expand(ctx *hcl.EvalContext) (elems []cty.Value, known bool, diags hcl.Diagnostics) {
	fe, diags := dyn.forEach.Value(ctx)
	if diags.HasErrors() {
		return nil, true, diags
	}
	// A sensitive for_each makes every block it generates sensitive, as
	// hcl's dynblock does.
	fe, marks := fe.Unmark()
	switch {
	case fe.IsNull():
		return nil, true, diags
	case !fe.IsKnown():
		return nil, false, diags
	case !fe.CanIterateElements():
		return nil, true, append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError, Summary: "Invalid dynamic for_each value",
			Detail:     fmt.Sprintf("Cannot use a %s value in for_each. An iterable collection is required.", fe.Type().FriendlyName()),
			Subject:    rangePtr(dyn.forEach.Range()),
			Expression: dyn.forEach, EvalContext: ctx,
		})
	}
	for it := fe.ElementIterator(); it.Next(); {
		k, v := it.Element()
		child := ctx.NewChild()
		child.Variables = map[string]cty.Value{dyn.iterator: cty.ObjectVal(map[string]cty.Value{"key": k, "value": v})}
		obj, d := dyn.content.eval(child, nil)
		diags = append(diags, d...)
		elems = append(elems, obj.WithMarks(marks))
	}
	return elems, true, diags
}

func sortedAttrNames(attrs hcl.Attributes) []string {
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
