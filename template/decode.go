package template

import (
	"fmt"
	"strings"

	"github.com/formation-engine/formation"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// rootSchema lists every top-level block a template may hold; hcl reports
// anything else (with a did-you-mean suggestion).
var rootSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "terraform"},
		{Type: "provider", LabelNames: []string{"name"}},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "output", LabelNames: []string{"name"}},
		{Type: "resource", LabelNames: []string{"type", "name"}},
		{Type: "data", LabelNames: []string{"type", "name"}},
		{Type: "module", LabelNames: []string{"name"}},
		{Type: "import"},
		{Type: "moved"},
		{Type: "removed"},
		{Type: "check", LabelNames: []string{"name"}},
	},
}

// decoder turns parsed files into a module. It only collects declarations;
// references are resolved afterwards by the analyzer.
type decoder struct {
	m      *module
	files  map[string]*hcl.File
	limits Limits
	diags  hcl.Diagnostics
}

func newDecoder(files map[string]*hcl.File, m *module, limits Limits) *decoder {
	m.variables = map[string]*node{}
	m.locals = map[string]*node{}
	m.outputs = map[string]*node{}
	m.resources = map[string]*node{}
	m.providers = map[string]*node{}
	m.calls = map[string]*node{}
	m.requiredProviders = map[string]RequiredProvider{}
	return &decoder{files: files, m: m, limits: limits}
}

func (d *decoder) add(diags hcl.Diagnostics) { d.diags = append(d.diags, diags...) }

func (d *decoder) errorf(rng hcl.Range, summary, format string, args ...any) {
	d.diags = append(d.diags, errorDiag(summary, fmt.Sprintf(format, args...), rangePtr(rng)))
}

func (d *decoder) unsupported(rng hcl.Range, summary, format string, args ...any) {
	d.diags = append(d.diags, unsupportedDiag(summary, fmt.Sprintf(format, args...), rangePtr(rng)))
}

func (d *decoder) file(f *hcl.File) {
	content, diags := f.Body.Content(rootSchema)
	d.add(diags)
	for _, b := range content.Blocks {
		switch b.Type {
		case "terraform":
			d.terraform(b)
		case "provider", "import":
			d.rootOnly(b)
		case "variable":
			d.variable(b)
		case "locals":
			d.locals(b)
		case "output":
			d.output(b)
		case "resource":
			d.resource(b, formation.ModeResource)
		case "data":
			d.resource(b, formation.ModeData)
		case "module":
			d.moduleCall(b)
		case "moved":
			d.moved(b)
		case "removed":
			d.removed(b)
		case "check":
			d.check(b)
		default:
			d.unsupported(b.DefRange, fmt.Sprintf("%s blocks are not supported", strings.ToUpper(b.Type[:1])+b.Type[1:]),
				"Formation does not support %q blocks.", b.Type)
		}
	}
}

// validName checks a block label against the identifier rule.
func (d *decoder) validName(b *hcl.Block, i int, what string) bool {
	if hclsyntax.ValidIdentifier(b.Labels[i]) {
		return true
	}
	d.errorf(b.LabelRanges[i], "Invalid "+what+" name",
		"A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.")
	return false
}

// constant evaluates an argument that may not refer to anything.
func (d *decoder) constant(attr *hcl.Attribute, ty cty.Type) (cty.Value, bool) {
	v, diags := attr.Expr.Value(nil)
	d.add(diags)
	if diags.HasErrors() {
		return cty.NilVal, false
	}
	cv, err := convert.Convert(v, ty)
	if err != nil || cv.IsNull() || !cv.IsWhollyKnown() {
		d.errorf(attr.Expr.Range(), "Invalid "+attr.Name+" value", "The %q argument must be a %s.", attr.Name, ty.FriendlyName())
		return cty.NilVal, false
	}
	return cv, true
}

func (d *decoder) constBool(attr *hcl.Attribute) bool {
	if attr == nil {
		return false
	}
	v, ok := d.constant(attr, cty.Bool)
	return ok && v.True()
}

func (d *decoder) constString(attr *hcl.Attribute) string {
	if attr == nil {
		return ""
	}
	v, ok := d.constant(attr, cty.String)
	if !ok {
		return ""
	}
	return v.AsString()
}

// exprText is an expression as written: the source text for native syntax,
// the string's content for a JSON string.
//
// A JSON string that is one interpolation ("${length(var.x) > 0}") gives
// the inner expression, as the HCL form would.
func (d *decoder) exprText(e hcl.Expression) string {
	if _, native := e.(hclsyntax.Expression); !native {
		if v, diags := e.Value(nil); !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
			s := v.AsString()
			if inner, ok := strings.CutPrefix(s, "${"); ok && strings.HasSuffix(inner, "}") {
				tmpl, diags := hclsyntax.ParseTemplate([]byte(s), "", hcl.InitialPos)
				if _, wrap := tmpl.(*hclsyntax.TemplateWrapExpr); wrap && !diags.HasErrors() {
					return strings.TrimSpace(inner[:len(inner)-1])
				}
			}
			return s
		}
	}
	return sourceText(d.files, e.Range())
}

func sourceText(files map[string]*hcl.File, rng hcl.Range) string {
	f := files[rng.Filename]
	if f == nil || rng.Start.Byte < 0 || rng.End.Byte > len(f.Bytes) || rng.Start.Byte > rng.End.Byte {
		return ""
	}
	return string(f.Bytes[rng.Start.Byte:rng.End.Byte])
}

func (d *decoder) newNode(kind nodeKind, addr string, rng hcl.Range) *node {
	n := &node{idx: len(d.m.nodes), mod: d.m, kind: kind, addr: addr, rng: rng}
	d.m.nodes = append(d.m.nodes, n)
	return n
}

func (d *decoder) duplicate(prev *node, rng hcl.Range, what, name string) bool {
	if prev == nil {
		return false
	}
	d.errorf(rng, "Duplicate "+what,
		"A %s named %s was already declared at %s. Names must be unique within a template.", what, name, prev.rng)
	return true
}

var reservedVariableNames = map[string]bool{
	"source": true, "version": true, "providers": true, "count": true,
	"for_each": true, "lifecycle": true, "depends_on": true, "locals": true,
}

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "type"}, {Name: "default"}, {Name: "description"}, {Name: "sensitive"}, {Name: "nullable"}, {Name: "ephemeral"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "validation"}},
}

var validationSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "condition", Required: true}, {Name: "error_message", Required: true}},
}

func (d *decoder) variable(b *hcl.Block) {
	name := b.Labels[0]
	if !d.validName(b, 0, "variable") {
		return
	}
	if reservedVariableNames[name] {
		d.errorf(b.LabelRanges[0], "Invalid variable name",
			"The variable name %q is reserved due to its special meaning inside module blocks.", name)
		return
	}
	content, diags := b.Body.Content(variableSchema)
	d.add(diags)
	v := &variable{name: name, typ: cty.DynamicPseudoType, nullable: true, def: cty.NilVal}
	if attr := content.Attributes["type"]; attr != nil {
		ty, defaults, diags := typeexpr.TypeConstraintWithDefaults(attr.Expr)
		d.add(diags)
		if !diags.HasErrors() {
			v.typ, v.defaults = ty, defaults
		}
		v.typeText = d.exprText(attr.Expr)
	}
	v.description = d.constString(content.Attributes["description"])
	v.sensitive = d.constBool(content.Attributes["sensitive"])
	v.ephemeral = d.constBool(content.Attributes["ephemeral"])
	d.m.ephemeral = d.m.ephemeral || v.ephemeral
	if attr := content.Attributes["nullable"]; attr != nil {
		v.nullable = d.constBool(attr)
	}
	if attr := content.Attributes["default"]; attr != nil {
		val, diags := attr.Expr.Value(nil)
		d.add(diags)
		if !diags.HasErrors() {
			if v.defaults != nil {
				val = v.defaults.Apply(val)
			}
			cv, err := convert.Convert(val, v.typ)
			switch {
			case err != nil:
				d.errorf(attr.Expr.Range(), "Invalid default value for variable",
					"This default value is not compatible with the variable's type constraint: %s.", convertErrText(err))
			case cv.IsNull() && !v.nullable:
				d.errorf(attr.Expr.Range(), "Invalid default value for variable",
					"A null default value is not valid when nullable=false.")
			default:
				v.def = cv
			}
		}
	}
	for _, vb := range content.Blocks {
		vc, diags := vb.Body.Content(validationSchema)
		d.add(diags)
		if diags.HasErrors() {
			continue
		}
		val := &validation{condition: vc.Attributes["condition"].Expr, message: vc.Attributes["error_message"].Expr}
		val.conditionText = d.exprText(val.condition)
		if m, diags := val.message.Value(nil); !diags.HasErrors() && m.Type() == cty.String && m.IsKnown() && !m.IsNull() {
			val.messageText = m.AsString()
		} else {
			// a template: show it without its quotes, as written
			val.messageText = d.exprText(val.message)
			if _, tmpl := val.message.(*hclsyntax.TemplateExpr); tmpl && len(val.messageText) >= 2 && strings.HasPrefix(val.messageText, `"`) && strings.HasSuffix(val.messageText, `"`) {
				val.messageText = val.messageText[1 : len(val.messageText)-1]
			}
		}
		v.validations = append(v.validations, val)
	}
	if d.duplicate(d.m.variables[name], b.DefRange, "variable", name) {
		return
	}
	n := d.newNode(kindVariable, "var."+name, b.DefRange)
	n.variable = v
	d.m.variables[name] = n
}

func (d *decoder) locals(b *hcl.Block) {
	attrs, diags := b.Body.JustAttributes()
	d.add(diags)
	for _, name := range sortedAttrNames(attrs) {
		attr := attrs[name]
		if !hclsyntax.ValidIdentifier(name) {
			d.errorf(attr.NameRange, "Invalid local value name",
				"A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.")
			continue
		}
		if d.duplicate(d.m.locals[name], attr.NameRange, "local value", name) {
			continue
		}
		n := d.newNode(kindLocal, "local."+name, attr.NameRange)
		n.local = &local{name: name, expr: attr.Expr}
		d.m.locals[name] = n
	}
}

var outputSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "value", Required: true}, {Name: "description"}, {Name: "sensitive"}, {Name: "depends_on"}, {Name: "ephemeral"},
	},
	Blocks: []hcl.BlockHeaderSchema{{Type: "precondition"}},
}

func (d *decoder) output(b *hcl.Block) {
	name := b.Labels[0]
	if !d.validName(b, 0, "output") {
		return
	}
	content, diags := b.Body.Content(outputSchema)
	d.add(diags)
	if diags.HasErrors() {
		return
	}
	o := &output{name: name, expr: content.Attributes["value"].Expr}
	o.description = d.constString(content.Attributes["description"])
	o.sensitive = d.constBool(content.Attributes["sensitive"])
	if attr := content.Attributes["depends_on"]; attr != nil {
		o.dependsOn = d.traversalList(attr.Expr)
	}
	if attr := content.Attributes["ephemeral"]; attr != nil {
		if o.ephemeral = d.constBool(attr); o.ephemeral && d.m.parent == nil {
			d.errorf(attr.NameRange, "Ephemeral output not allowed",
				"Ephemeral outputs are not allowed in context of a root module: their values are never recorded.")
		}
		d.m.ephemeral = d.m.ephemeral || o.ephemeral
	}
	for _, pb := range content.Blocks {
		if c := d.condition(pb); c != nil {
			o.pre = append(o.pre, c)
		}
	}
	if d.duplicate(d.m.outputs[name], b.DefRange, "output", name) {
		return
	}
	n := d.newNode(kindOutput, "output."+name, b.DefRange)
	n.output = o
	d.m.outputs[name] = n
}

var providerSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "alias"}, {Name: "version"}},
}

func (d *decoder) provider(b *hcl.Block) {
	name := b.Labels[0]
	if !d.validName(b, 0, "provider") {
		return
	}
	content, remain, diags := b.Body.PartialContent(providerSchema)
	d.add(diags)
	p := &providerConfig{name: name}
	addr := name
	if attr := content.Attributes["alias"]; attr != nil {
		p.alias = d.constString(attr)
		if p.alias != "" && !hclsyntax.ValidIdentifier(p.alias) {
			d.errorf(attr.Expr.Range(), "Invalid provider configuration alias",
				"An alias must be a valid name: a letter or underscore, then letters, digits, underscores and dashes.")
		}
		addr += "." + p.alias
	}
	body, diags := newShape(remain, providerSchema)
	d.add(diags)
	p.body = body
	if prev := d.m.providers[addr]; prev != nil {
		d.errorf(b.DefRange, "Duplicate provider configuration",
			"A provider configuration for %q was already given at %s. Give each extra configuration of a provider a unique alias.", addr, prev.rng)
		return
	}
	n := d.newNode(kindProvider, "provider."+addr, b.DefRange)
	n.provider = p
	d.m.providers[addr] = n
}

var terraformSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "required_version"}, {Name: "experiments"}},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "required_providers"},
		{Type: "backend", LabelNames: []string{"type"}},
		{Type: "cloud"},
		{Type: "provider_meta", LabelNames: []string{"provider"}},
	},
}

func (d *decoder) terraform(b *hcl.Block) {
	content, diags := b.Body.Content(terraformSchema)
	d.add(diags)
	if attr := content.Attributes["required_version"]; attr != nil {
		d.requiredVersion(attr)
	}
	if attr := content.Attributes["experiments"]; attr != nil {
		d.unsupported(attr.NameRange, "Experiments are not supported", "Formation does not support language experiments.")
	}
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "backend":
			d.errorf(blk.DefRange, "Backend configuration is not allowed",
				"RFS keeps the state of every stack itself and rejects backend configuration; remove the backend %q block.", blk.Labels[0])
		case "cloud":
			d.errorf(blk.DefRange, "Cloud configuration is not allowed",
				"RFS keeps the state of every stack itself and rejects the cloud block; remove it.")
		case "provider_meta":
			// Terraform hands the block to the provider's module metadata;
			// Formation's providers take none, so it is accepted and
			// unused, as a provider that ignores it would.
		case "required_providers":
			d.requiredProviders(blk)
		}
	}
}

func (d *decoder) requiredProviders(b *hcl.Block) {
	attrs, diags := b.Body.JustAttributes()
	d.add(diags)
	for _, name := range sortedAttrNames(attrs) {
		attr := attrs[name]
		rp := RequiredProvider{Name: name}
		pairs, diags := hcl.ExprMap(attr.Expr)
		if diags.HasErrors() {
			// Not an object: the legacy form, a version constraint.
			v, diags := attr.Expr.Value(nil)
			d.add(diags)
			if diags.HasErrors() {
				continue
			}
			if v.Type() != cty.String || !v.IsKnown() || v.IsNull() {
				d.errorf(attr.Expr.Range(), "Invalid required_providers entry",
					"Give %s as an object: { source = \"namespace/%s\", version = \">= 1.0\" }.", name, name)
				continue
			}
			rp.Version = v.AsString()
			d.m.requiredProviders[name] = rp
			continue
		}
		for _, p := range pairs {
			kv, diags := p.Key.Value(nil)
			if diags.HasErrors() || kv.Type() != cty.String || !kv.IsKnown() || kv.IsNull() {
				continue
			}
			switch k := kv.AsString(); k {
			case "source", "version":
				v, diags := p.Value.Value(nil)
				d.add(diags)
				s, err := convert.Convert(v, cty.String)
				if diags.HasErrors() || err != nil || !s.IsKnown() || s.IsNull() {
					d.errorf(p.Value.Range(), "Invalid required_providers entry", "%s.%s must be a string.", name, k)
					continue
				}
				if k == "source" {
					rp.Source = s.AsString()
				} else {
					rp.Version = s.AsString()
				}
			case "configuration_aliases":
				if d.m.configurationAliases == nil {
					d.m.configurationAliases = map[string][]string{}
				}
				d.m.configurationAliases[name] = d.configurationAliases(name, p.Value)
			}
		}
		d.m.requiredProviders[name] = rp
	}
}

// configurationAliases decodes configuration_aliases = [name.alias, …].
func (d *decoder) configurationAliases(name string, e hcl.Expression) []string {
	list, diags := hcl.ExprList(e)
	if diags.HasErrors() {
		d.errorf(e.Range(), "Invalid configuration_aliases value",
			"configuration_aliases is a list of provider configuration references, such as [%s.east].", name)
		return nil
	}
	var out []string
	for _, item := range list {
		addr, ok := providerAddrOf(item)
		if !ok || !strings.HasPrefix(addr, name+".") {
			d.errorf(item.Range(), "Invalid configuration_aliases value",
				"Each entry of %s's configuration_aliases is an aliased configuration of %s, such as %s.east.", name, name, name)
			continue
		}
		out = append(out, addr)
	}
	return out
}

var importSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "to", Required: true}, {Name: "id", Required: true}, {Name: "provider"}, {Name: "for_each"}},
}

func (d *decoder) importBlock(b *hcl.Block) {
	content, diags := b.Body.Content(importSchema)
	d.add(diags)
	if diags.HasErrors() {
		return
	}
	if attr := content.Attributes["for_each"]; attr != nil {
		d.unsupported(attr.NameRange, "for_each in import blocks is not supported yet",
			"Write one import block per instance.")
		return
	}
	to := content.Attributes["to"]
	trav, diags := hcl.AbsTraversalForExpr(to.Expr)
	d.add(diags)
	if diags.HasErrors() {
		return
	}
	d.m.imports = append(d.m.imports, &importDecl{to: trav, toRange: to.Expr.Range(), id: content.Attributes["id"].Expr, rng: b.DefRange})
}

// traversalList decodes a list of static references (depends_on).
func (d *decoder) traversalList(e hcl.Expression) []hcl.Traversal {
	exprs, diags := hcl.ExprList(e)
	d.add(diags)
	var out []hcl.Traversal
	for _, el := range exprs {
		t, diags := hcl.AbsTraversalForExpr(el)
		if diags.HasErrors() {
			d.errorf(el.Range(), "Invalid depends_on reference",
				"depends_on takes references to resources, data sources and other named values, such as huaweicloud_vpc.vpc.")
			continue
		}
		out = append(out, t)
	}
	return out
}

// convertErrText renders a cty conversion error with its path, as
// `attribute "name": string required`.
func convertErrText(err error) string {
	if pe, ok := err.(cty.PathError); ok && len(pe.Path) > 0 {
		return formatPath(pe.Path) + ": " + pe.Error()
	}
	return err.Error()
}

// formatPath renders a cty.Path as attribute steps and index keys.
func formatPath(p cty.Path) string {
	var b strings.Builder
	for _, step := range p {
		switch s := step.(type) {
		case cty.GetAttrStep:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Name)
		case cty.IndexStep:
			switch {
			case s.Key.Type() == cty.String && s.Key.IsKnown():
				b.WriteString("[" + quoteKey(s.Key.AsString()) + "]")
			case s.Key.Type() == cty.Number && s.Key.IsKnown():
				b.WriteString("[" + s.Key.AsBigFloat().Text('f', -1) + "]")
			default:
				b.WriteString("[…]")
			}
		}
	}
	return b.String()
}
