package template

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// Provisioner and connection blocks. RFS refuses them (Limits.NoProvisioners);
// a template previewed as Terraform would take it (no limits) may have them.
// They are then checked as Terraform checks them, and their references
// order the graph as Terraform's do, but they are never run: Formation runs
// no commands and copies no files, and the template's warnings say so.

// provisioner is one provisioner block, or a resource's connection block
// (typ "connection"), reduced to what the analysis needs.
type provisioner struct {
	typ     string
	destroy bool // when = destroy: may refer only to self, count.index, each.key
	exprs   []hcl.Expression
	rng     hcl.Range
}

// provisionerSchemas are the arguments of Terraform's built-in provisioners;
// provisionerMeta those every provisioner block takes.
var (
	provisionerSchemas = map[string]*hcl.BodySchema{
		"local-exec": {Attributes: []hcl.AttributeSchema{
			{Name: "command", Required: true}, {Name: "working_dir"}, {Name: "interpreter"}, {Name: "environment"}, {Name: "quiet"},
		}},
		"remote-exec": {Attributes: []hcl.AttributeSchema{{Name: "inline"}, {Name: "script"}, {Name: "scripts"}}},
		"file":        {Attributes: []hcl.AttributeSchema{{Name: "source"}, {Name: "content"}, {Name: "destination", Required: true}}},
	}
	provisionerMeta = &hcl.BodySchema{
		Attributes: []hcl.AttributeSchema{{Name: "when"}, {Name: "on_failure"}},
		Blocks:     []hcl.BlockHeaderSchema{{Type: "connection"}},
	}
)

// provisioners decodes the provisioner and connection blocks of a resource
// (or of a removed block, what names it): refused when the limits forbid
// them, else checked and returned with a warning that they will not run.
func (d *decoder) provisioners(blocks hcl.Blocks, what string) []*provisioner {
	var out []*provisioner
	for _, blk := range blocks {
		if d.limits.NoProvisioners {
			d.errorf(blk.DefRange, "Provisioners are not allowed",
				"RFS does not allow %s blocks: a template describes resources only, and nothing runs commands on their hosts. Remove the %s block.", blk.Type, blk.Type)
			continue
		}
		if blk.Type == "connection" {
			out = append(out, d.connection(blk, false))
			continue
		}
		out = append(out, d.provisioner(blk)...)
	}
	if len(out) > 0 {
		d.diags = append(d.diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Provisioners are not run",
			Detail:  fmt.Sprintf("Formation runs no commands and copies no files: the provisioner and connection blocks of %s are checked as Terraform checks them, and a deployment goes on as if they had succeeded. RFS refuses them.", what),
			Subject: rangePtr(out[0].rng)})
	}
	return out
}

// provisioner decodes one provisioner block: its type, when and
// on_failure, its arguments, and its own connection block if any.
func (d *decoder) provisioner(blk *hcl.Block) []*provisioner {
	schema, known := provisionerSchemas[blk.Labels[0]]
	if !known {
		d.errorf(blk.LabelRanges[0], "Missing required provisioner plugin",
			"This configuration requires provisioner plugin %q, which isn't available: Terraform's built-in provisioners are local-exec, remote-exec and file.", blk.Labels[0])
		return nil
	}
	meta, remain, diags := blk.Body.PartialContent(provisionerMeta)
	d.add(diags)
	p := &provisioner{typ: blk.Labels[0], rng: blk.DefRange}
	if a := meta.Attributes["when"]; a != nil {
		switch hcl.ExprAsKeyword(a.Expr) {
		case "create":
		case "destroy":
			p.destroy = true
		default:
			d.errorf(a.Expr.Range(), `Invalid "when" keyword`, `The "when" argument requires one of the following keywords: create or destroy.`)
		}
	}
	if a := meta.Attributes["on_failure"]; a != nil {
		if k := hcl.ExprAsKeyword(a.Expr); k != "continue" && k != "fail" {
			d.errorf(a.Expr.Range(), `Invalid "on_failure" keyword`, `The "on_failure" argument requires one of the following keywords: continue or fail.`)
		}
	}
	args, diags := remain.Content(schema)
	d.add(diags)
	for _, name := range sortedAttrNames(args.Attributes) {
		p.exprs = append(p.exprs, args.Attributes[name].Expr)
	}
	out := []*provisioner{p}
	for _, c := range meta.Blocks {
		out = append(out, d.connection(c, p.destroy))
	}
	return out
}

// connection decodes a connection block, of a resource or of one of its
// provisioners (destroy: of a destroy-time one). Its arguments depend on
// its type; Terraform requires host in every one.
func (d *decoder) connection(blk *hcl.Block, destroy bool) *provisioner {
	attrs, diags := blk.Body.JustAttributes()
	d.add(diags)
	if _, ok := attrs["host"]; !ok && !diags.HasErrors() {
		d.errorf(blk.DefRange, "Missing required argument", `The argument "host" is required, but no definition was found.`)
	}
	p := &provisioner{typ: "connection", destroy: destroy, rng: blk.DefRange}
	for _, name := range sortedAttrNames(attrs) {
		p.exprs = append(p.exprs, attrs[name].Expr)
	}
	return p
}

// provisionerRefs analyses the references of a resource's provisioners:
// self is the instance's own object; a destroy-time provisioner may refer
// only to self, count.index and each.key, as in Terraform. The references
// go to sc, which orders the graph and is never evaluated.
func (a *analyzer) provisionerRefs(sc *scope, provs []*provisioner, rl rules) {
	rl.self, rl.graphOnly = true, true
	for _, p := range provs {
		for _, e := range p.exprs {
			if !p.destroy {
				a.expr(sc, e, rl, nil)
				continue
			}
			var own scope
			a.expr(&own, e, rl, nil)
			for _, r := range own.refs {
				if r.root != "self" && r.root != "count" && !(r.root == "each" && attrIs(r.trav, "key")) {
					a.errorf(r.rng, "Invalid reference from destroy provisioner",
						"Destroy-time provisioners and their connection configurations may only reference attributes of the related resource, via 'self', 'count.index', or 'each.key'.\n\nReferences to other resources during the destroy phase can cause dependency cycles and interact poorly with create_before_destroy.")
				}
			}
		}
	}
}

// attrIs reports whether the traversal's first attribute step is name.
func attrIs(t hcl.Traversal, name string) bool {
	a, ok := attrStep(t, 1)
	return ok && a == name
}
