package template

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// moduleMetaSchema holds the meta-arguments of a module block; every
// other argument is an input variable of the called module.
var moduleMetaSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "source", Required: true}, {Name: "version"}, {Name: "count"}, {Name: "for_each"},
		{Name: "depends_on"}, {Name: "providers"},
	},
}

// moduleCall decodes a module block. The called module itself is loaded
// later (loadModules), once every block of this module is known.
func (d *decoder) moduleCall(b *hcl.Block) {
	name := b.Labels[0]
	if !d.validName(b, 0, "module") {
		return
	}
	content, remain, diags := b.Body.PartialContent(moduleMetaSchema)
	d.add(diags)
	if diags.HasErrors() {
		return
	}
	mc := &moduleCall{name: name}
	src := content.Attributes["source"]
	mc.source, mc.sourceRange = d.constString(src), src.Expr.Range()
	if !isLocalSource(mc.source) {
		d.unsupported(src.Expr.Range(), "Only local modules are supported",
			"The source %q of module %q is not a local path. RFS deploys local modules only: a directory of the template's own files, given as a path starting with ./ or ../, such as source = \"./modules/vpc\". Registry, git, HTTP and other remote sources are refused; copy the module into the template's files.", mc.source, name)
	}
	if attr := content.Attributes["version"]; attr != nil {
		d.errorf(attr.NameRange, "Invalid version argument",
			"The version argument applies to registry modules only; module %q is local, so remove it.", name)
	}
	mc.count, mc.forEach = d.repetition(content)
	if attr := content.Attributes["depends_on"]; attr != nil {
		mc.dependsOn = d.traversalList(attr.Expr)
	}
	if attr := content.Attributes["providers"]; attr != nil {
		mc.providers = d.providerPasses(attr)
	}
	args, diags := remain.JustAttributes()
	d.add(diags)
	mc.args = args
	if prev := d.m.calls[name]; prev != nil {
		d.errorf(b.DefRange, "Duplicate module call",
			"A module call named %q was already declared at %s. Module calls must have unique names within a module.", name, prev.rng)
		return
	}
	n := d.newNode(kindModule, "module."+name, b.DefRange)
	n.call = mc
	d.m.calls[name] = n
}

// isLocalSource reports whether a module source is a local path, as
// Terraform tells them apart: it starts with ./ or ../.
func isLocalSource(s string) bool {
	return strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") || s == "." || s == ".."
}

// providerPasses decodes providers = { huaweicloud = huaweicloud.west, … }.
func (d *decoder) providerPasses(attr *hcl.Attribute) []providerPass {
	pairs, diags := hcl.ExprMap(attr.Expr)
	if diags.HasErrors() {
		d.errorf(attr.Expr.Range(), "Invalid providers argument",
			"The providers argument maps the module's provider configurations to this module's: providers = { huaweicloud = huaweicloud.west }.")
		return nil
	}
	var out []providerPass
	for _, p := range pairs {
		child, ok1 := providerAddrOf(p.Key)
		parent, ok2 := providerAddrOf(p.Value)
		if !ok1 || !ok2 {
			d.errorf(p.Key.Range(), "Invalid providers argument",
				"Each entry of providers is a provider configuration of the module = one of this module: huaweicloud = huaweicloud.west.")
			continue
		}
		out = append(out, providerPass{child: child, parent: parent, rng: hcl.RangeBetween(p.Key.Range(), p.Value.Range()), childRange: p.Key.Range()})
	}
	return out
}

// providerAddrOf reads a provider configuration reference, "name" or
// "name.alias", written as a bare reference (or in JSON, a string).
func providerAddrOf(e hcl.Expression) (string, bool) {
	t, diags := hcl.AbsTraversalForExpr(referenceExpr(e))
	if diags.HasErrors() {
		if kw := hcl.ExprAsKeyword(e); kw != "" {
			return kw, true
		}
		return "", false
	}
	name, alias, ok := providerRef(t)
	if !ok {
		return "", false
	}
	if alias != "" {
		return name + "." + alias, true
	}
	return name, true
}

// rootOnly decodes a provider or import block. Import blocks belong to
// the root module only; a called module may hold provider blocks, as
// Terraform's legacy modules do (moduleProviders checks their calls).
func (d *decoder) rootOnly(b *hcl.Block) {
	switch {
	case b.Type == "provider" && d.m.parent != nil && proxyBody(b.Body):
		// An empty block (or one with an alias only) configures nothing:
		// it declared, before configuration_aliases, that the module
		// expects a configuration from its caller.
		d.diags = append(d.diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Redundant empty provider block",
			Detail:  fmt.Sprintf("Module %s declares an empty provider %q block. Earlier versions of Terraform used empty provider blocks (\"proxy provider configurations\") for child modules to declare their need to be passed a provider configuration by their callers; declare it in required_providers instead (configuration_aliases for an alias).", d.m.path, b.Labels[0]),
			Subject: rangePtr(b.DefRange)})
	case b.Type == "provider":
		d.provider(b)
	case d.m.parent == nil:
		d.importBlock(b)
	default:
		d.errorf(b.DefRange, "Invalid import block",
			"Import blocks are allowed in the root module only; module %s has one.", d.m.path)
	}
}

// proxyBody reports whether a provider block sets nothing but its alias
// and version.
func proxyBody(body hcl.Body) bool {
	names := map[string]bool{}
	if sb, ok := body.(*hclsyntax.Body); ok {
		if len(sb.Blocks) > 0 {
			return false
		}
		for name := range sb.Attributes {
			names[name] = true
		}
	} else {
		attrs, diags := body.JustAttributes()
		if diags.HasErrors() {
			return false
		}
		for name := range attrs {
			names[name] = true
		}
	}
	delete(names, "alias")
	delete(names, "version")
	return len(names) == 0
}
