package template

import (
	"strings"

	"github.com/formation-engine/formation"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// resourceMetaSchema holds the meta-arguments of resource and data blocks;
// everything else is the configuration handed to the provider.
var resourceMetaSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "count"}, {Name: "for_each"}, {Name: "provider"}, {Name: "depends_on"}},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "lifecycle"},
		{Type: "provisioner", LabelNames: []string{"type"}},
		{Type: "connection"},
	},
}

var lifecycleSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "create_before_destroy"}, {Name: "prevent_destroy"}, {Name: "ignore_changes"}, {Name: "replace_triggered_by"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "precondition"}, {Type: "postcondition"}},
}

func (d *decoder) resource(b *hcl.Block, mode formation.Mode) {
	what := "resource"
	if mode == formation.ModeData {
		what = "data source"
	}
	if !d.validName(b, 0, what+" type") || !d.validName(b, 1, what) {
		return
	}
	r := &resource{mode: mode, typ: b.Labels[0], name: b.Labels[1]}
	content, remain, diags := b.Body.PartialContent(resourceMetaSchema)
	d.add(diags)
	r.count, r.forEach = d.repetition(content)
	r.providerName, _, _ = strings.Cut(r.typ, "_")
	if attr := content.Attributes["provider"]; attr != nil {
		r.providerRange = attr.Expr.Range()
		t, diags := hcl.AbsTraversalForExpr(attr.Expr)
		name, alias, ok := providerRef(t)
		if diags.HasErrors() || !ok {
			d.errorf(attr.Expr.Range(), "Invalid provider reference",
				"The provider argument takes a provider name, optionally with an alias: huaweicloud or huaweicloud.west.")
		} else {
			r.providerName, r.providerAlias = name, alias
		}
	}
	if attr := content.Attributes["depends_on"]; attr != nil {
		r.dependsOn = d.traversalList(attr.Expr)
	}
	seenLifecycle := false
	var provs hcl.Blocks
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "lifecycle":
			if seenLifecycle {
				d.errorf(blk.DefRange, "Duplicate lifecycle block", "A %s may have only one lifecycle block.", what)
				continue
			}
			seenLifecycle = true
			d.lifecycle(blk, r)
		case "provisioner", "connection":
			provs = append(provs, blk)
		}
	}
	if len(provs) > 0 {
		if mode == formation.ModeData {
			for _, blk := range provs {
				d.errorf(blk.DefRange, "Unsupported block type", "Blocks of type %q are not expected here.", blk.Type)
			}
		} else {
			r.provisioners = d.provisioners(provs, r.typ+"."+r.name)
		}
	}
	body, diags := newShape(remain, resourceMetaSchema)
	d.add(diags)
	r.body = body

	addr := r.typ + "." + r.name
	if mode == formation.ModeData {
		addr = "data." + addr
	}
	if prev := d.m.resources[addr]; prev != nil {
		d.errorf(b.DefRange, "Duplicate "+what+" configuration",
			"A %s %q %q was already declared at %s. Resource names must be unique per type.", what, r.typ, r.name, prev.rng)
		return
	}
	kind := kindResource
	if mode == formation.ModeData {
		kind = kindData
	}
	n := d.newNode(kind, addr, b.DefRange)
	n.res = r
	d.m.resources[addr] = n
}

// repetition reads count and for_each, which exclude each other.
func (d *decoder) repetition(content *hcl.BodyContent) (count, forEach hcl.Expression) {
	if attr := content.Attributes["count"]; attr != nil {
		count = attr.Expr
	}
	if attr := content.Attributes["for_each"]; attr != nil {
		forEach = attr.Expr
		if count != nil {
			d.errorf(attr.NameRange, `Invalid combination of "count" and "for_each"`,
				`The "count" and "for_each" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.`)
		}
	}
	return count, forEach
}

// referenceExpr returns a reference expression as native syntax: in JSON a
// reference is a string holding the expression ("a_b.x[count.index]"), or
// one interpolation of it ("${a_b.x[count.index]}").
func referenceExpr(e hcl.Expression) hcl.Expression {
	if _, native := e.(hclsyntax.Expression); native {
		return e
	}
	v, diags := e.Value(nil)
	if diags.HasErrors() || v.Type() != cty.String || !v.IsKnown() || v.IsNull() {
		return e
	}
	rng := e.Range()
	start := hcl.Pos{Line: rng.Start.Line, Column: rng.Start.Column + 1, Byte: rng.Start.Byte + 1}
	src := v.AsString()
	if strings.HasPrefix(src, "${") {
		if tmpl, diags := hclsyntax.ParseTemplate([]byte(src), rng.Filename, start); !diags.HasErrors() {
			if wrap, ok := tmpl.(*hclsyntax.TemplateWrapExpr); ok {
				return wrap.Wrapped
			}
		}
		return e
	}
	if expr, diags := hclsyntax.ParseExpression([]byte(src), rng.Filename, start); !diags.HasErrors() {
		return expr
	}
	return e
}

// providerRef splits a provider reference: "name" or "name.alias".
func providerRef(t hcl.Traversal) (name, alias string, ok bool) {
	switch len(t) {
	case 1:
		return t.RootName(), "", true
	case 2:
		if a, isAttr := t[1].(hcl.TraverseAttr); isAttr {
			return t.RootName(), a.Name, true
		}
	}
	return "", "", false
}

func (d *decoder) lifecycle(b *hcl.Block, r *resource) {
	content, diags := b.Body.Content(lifecycleSchema)
	d.add(diags)
	for _, blk := range content.Blocks {
		c := d.condition(blk)
		switch {
		case c == nil:
		case blk.Type == "precondition":
			r.pre = append(r.pre, c)
		default:
			r.post = append(r.post, c)
		}
	}
	if r.mode == formation.ModeData {
		for _, name := range sortedAttrNames(content.Attributes) {
			d.errorf(content.Attributes[name].NameRange, "Invalid data source lifecycle argument",
				"The lifecycle argument %q applies to managed resources only.", name)
		}
		return
	}
	lc := &r.lifecycle
	lc.createBeforeDestroy = d.constBool(content.Attributes["create_before_destroy"])
	lc.preventDestroy = d.constBool(content.Attributes["prevent_destroy"])
	if attr := content.Attributes["ignore_changes"]; attr != nil {
		d.ignoreChanges(attr, lc)
	}
	if attr := content.Attributes["replace_triggered_by"]; attr != nil {
		exprs, diags := hcl.ExprList(attr.Expr)
		d.add(diags)
		for _, e := range exprs {
			lc.triggers = append(lc.triggers, &trigger{rng: e.Range(), expr: referenceExpr(e)})
		}
	}
}

func (d *decoder) ignoreChanges(attr *hcl.Attribute, lc *lifecycle) {
	if hcl.ExprAsKeyword(attr.Expr) == "all" {
		lc.ignoreAll = true
		return
	}
	exprs, diags := hcl.ExprList(attr.Expr)
	if diags.HasErrors() {
		d.errorf(attr.Expr.Range(), "Invalid ignore_changes",
			`ignore_changes takes the keyword all or a list of attribute references, such as [tags, name].`)
		return
	}
	for _, e := range exprs {
		if hcl.ExprAsKeyword(e) == "all" {
			d.errorf(e.Range(), "Invalid ignore_changes wildcard",
				`The "all" keyword cannot be used inside a list; write ignore_changes = all.`)
			continue
		}
		t, diags := hcl.RelTraversalForExpr(e)
		if diags.HasErrors() {
			d.errorf(e.Range(), "Invalid ignore_changes reference",
				"ignore_changes entries are attribute references relative to the resource, such as tags or tags[\"Name\"].")
			continue
		}
		lc.ignore = append(lc.ignore, traversalPath(t))
	}
}

// traversalPath turns a relative traversal into a cty.Path.
func traversalPath(t hcl.Traversal) cty.Path {
	p := make(cty.Path, 0, len(t))
	for _, step := range t {
		switch s := step.(type) {
		case hcl.TraverseAttr:
			p = append(p, cty.GetAttrStep{Name: s.Name})
		case hcl.TraverseIndex:
			p = append(p, cty.IndexStep{Key: s.Key})
		case hcl.TraverseRoot:
			p = append(p, cty.GetAttrStep{Name: s.Name})
		}
	}
	return p
}
