package plan

import (
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/formation-engine/formation/template"
)

// The configuration block of Terraform's JSON plan: the template as
// written, before expansion, module by module. Terraform derives it from
// the parsed configuration; Formation reads the same blocks from the
// template's files (Template.Files), so each expression is the one
// written: a constant_value when it needs nothing to evaluate, the
// references it makes otherwise, in Terraform's own spelling
// (terraform_data.a.output, then terraform_data.a).
//
// Where Terraform consults the provider's schema — a nested block written
// once is a single object for a NestingSingle block — Formation writes
// every nested block as a list of objects, as Terraform does for list and
// set blocks; and in .tf.json files, where a block cannot be told from an
// object without the schema, nested blocks are written as the argument
// they look like.

type tfConfiguration struct {
	ProviderConfig map[string]tfProviderConfig `json:"provider_config,omitempty"`
	RootModule     tfConfigModule              `json:"root_module"`
}

type tfProviderConfig struct {
	Name        string         `json:"name"`
	FullName    string         `json:"full_name"`
	Alias       string         `json:"alias,omitempty"`
	Expressions map[string]any `json:"expressions,omitempty"`
}

type tfConfigModule struct {
	Outputs     map[string]tfConfigOutput   `json:"outputs,omitempty"`
	Resources   []tfConfigResource          `json:"resources,omitempty"`
	ModuleCalls map[string]tfModuleCall     `json:"module_calls,omitempty"`
	Variables   map[string]tfConfigVariable `json:"variables,omitempty"`
}

type tfConfigOutput struct {
	Sensitive   bool         `json:"sensitive,omitempty"`
	Expression  tfExpression `json:"expression"`
	Description string       `json:"description,omitempty"`
	DependsOn   []string     `json:"depends_on,omitempty"`
}

type tfConfigResource struct {
	Address           string          `json:"address"`
	Mode              string          `json:"mode"`
	Type              string          `json:"type"`
	Name              string          `json:"name"`
	ProviderConfigKey string          `json:"provider_config_key"`
	Provisioners      []tfProvisioner `json:"provisioners,omitempty"`
	Expressions       map[string]any  `json:"expressions,omitempty"`
	SchemaVersion     int             `json:"schema_version"`
	CountExpression   *tfExpression   `json:"count_expression,omitempty"`
	ForEachExpression *tfExpression   `json:"for_each_expression,omitempty"`
	DependsOn         []string        `json:"depends_on,omitempty"`
}

// tfProvisioner is a provisioner block of a resource (which only a
// template previewed without RFS's limits may have): its type and
// arguments, without when, on_failure or connection, as Terraform shows it.
type tfProvisioner struct {
	Type        string         `json:"type"`
	Expressions map[string]any `json:"expressions,omitempty"`
}

type tfModuleCall struct {
	Source            string          `json:"source,omitempty"`
	Expressions       map[string]any  `json:"expressions,omitempty"`
	CountExpression   *tfExpression   `json:"count_expression,omitempty"`
	ForEachExpression *tfExpression   `json:"for_each_expression,omitempty"`
	Module            *tfConfigModule `json:"module,omitempty"`
	VersionConstraint string          `json:"version_constraint,omitempty"`
	DependsOn         []string        `json:"depends_on,omitempty"`
}

type tfConfigVariable struct {
	Default     json.RawMessage `json:"default,omitempty"`
	Description string          `json:"description,omitempty"`
	Sensitive   bool            `json:"sensitive,omitempty"`
}

// tfExpression is one expression: its value when it is a constant, else
// the references it makes.
type tfExpression struct {
	ConstantValue json.RawMessage `json:"constant_value,omitempty"`
	References    []string        `json:"references,omitempty"`
}

// tfTopLevel are the blocks of a module's files the configuration shows.
var tfTopLevel = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "resource", LabelNames: []string{"type", "name"}},
	{Type: "data", LabelNames: []string{"type", "name"}},
	{Type: "module", LabelNames: []string{"name"}},
	{Type: "output", LabelNames: []string{"name"}},
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "provider", LabelNames: []string{"name"}},
}}

// Meta-arguments: Terraform shows them apart from a block's expressions
// (count, for_each, depends_on) or not at all.
var (
	tfResourceMeta = map[string]bool{"count": true, "for_each": true, "depends_on": true, "provider": true,
		"lifecycle": true, "provisioner": true, "connection": true, "dynamic": true}
	tfCallMeta        = map[string]bool{"source": true, "version": true, "count": true, "for_each": true, "providers": true, "depends_on": true}
	tfProviderMeta    = map[string]bool{"alias": true, "version": true}
	tfProvisionerMeta = map[string]bool{"when": true, "on_failure": true, "connection": true}
)

// tfConfig is the template's configuration: its root module, with the
// modules it calls inside, and every provider configuration its
// resources use.
func tfConfig(cfg *template.Config) *tfConfiguration {
	tpl := cfg.Template()
	conf := &tfConfiguration{ProviderConfig: map[string]tfProviderConfig{}}
	conf.RootModule = *tfModuleConfig(tfReparse(tpl.Files()), ".", conf.ProviderConfig)
	// The root's variables as the template typed them: a default
	// converted to its type (2 for "2" with type number).
	for _, v := range tpl.Variables() {
		cv := conf.RootModule.Variables[v.Name]
		cv.Default = nil
		if !v.Required && !v.Sensitive && !v.Ephemeral {
			cv.Default = json.RawMessage(v.Default)
		}
		conf.RootModule.Variables[v.Name] = cv
	}
	for _, inst := range cfg.Instances() {
		tfAddProvider(conf.ProviderConfig, inst.ProviderAddr())
	}
	return conf
}

// tfReparse parses the template's files again: the template package
// instruments the expressions it parsed (to meter their evaluation), and
// hides their references from hclsyntax's walk in doing so.
func tfReparse(files map[string]*hcl.File) map[string]*hcl.File {
	out := make(map[string]*hcl.File, len(files))
	for name, f := range files {
		var diags hcl.Diagnostics
		if strings.HasSuffix(name, ".json") {
			out[name], diags = hcljson.Parse(f.Bytes, name)
		} else {
			out[name], diags = hclsyntax.ParseConfig(f.Bytes, name, hcl.InitialPos)
		}
		if diags.HasErrors() { // it parsed once: never expected
			out[name] = f
		}
	}
	return out
}

func tfAddProvider(configs map[string]tfProviderConfig, key string) {
	if _, ok := configs[key]; ok {
		return
	}
	name, alias, _ := strings.Cut(key, ".")
	configs[key] = tfProviderConfig{Name: name, FullName: tfProviderSource(name), Alias: alias}
}

// tfModuleConfig is the module in dir of the template's files. Provider
// configurations the root module declares go in providers.
func tfModuleConfig(files map[string]*hcl.File, dir string, providers map[string]tfProviderConfig) *tfConfigModule {
	names := make([]string, 0, len(files))
	for name := range files {
		if path.Dir(name) == dir {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	mod := &tfConfigModule{}
	var managed, data []tfConfigResource
	for _, name := range names {
		content, _, _ := files[name].Body.PartialContent(tfTopLevel)
		for _, b := range content.Blocks {
			switch b.Type {
			case "resource", "data":
				r := tfResourceConfig(b)
				if b.Type == "data" {
					data = append(data, r)
				} else {
					managed = append(managed, r)
				}
			case "module":
				if mod.ModuleCalls == nil {
					mod.ModuleCalls = map[string]tfModuleCall{}
				}
				mod.ModuleCalls[b.Labels[0]] = tfCall(files, dir, b)
			case "output":
				if mod.Outputs == nil {
					mod.Outputs = map[string]tfConfigOutput{}
				}
				mod.Outputs[b.Labels[0]] = tfOutputConfig(b)
			case "variable":
				if mod.Variables == nil {
					mod.Variables = map[string]tfConfigVariable{}
				}
				mod.Variables[b.Labels[0]] = tfVariableConfig(b)
			case "provider":
				if dir == "." {
					attrs, _ := b.Body.JustAttributes()
					key := b.Labels[0]
					alias := ""
					if a, ok := attrs["alias"]; ok {
						if v, diags := a.Expr.Value(nil); !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
							alias = v.AsString()
							key += "." + alias
						}
					}
					providers[key] = tfProviderConfig{Name: b.Labels[0], FullName: tfProviderSource(b.Labels[0]), Alias: alias,
						Expressions: tfExpressions(b.Body, tfProviderMeta)}
				}
			}
		}
	}
	byAddr := func(a, b tfConfigResource) int { return strings.Compare(a.Address, b.Address) }
	slices.SortFunc(managed, byAddr)
	slices.SortFunc(data, byAddr)
	mod.Resources = append(managed, data...)
	return mod
}

func tfResourceConfig(b *hcl.Block) tfConfigResource {
	r := tfConfigResource{Mode: "managed", Type: b.Labels[0], Name: b.Labels[1], Address: b.Labels[0] + "." + b.Labels[1]}
	if b.Type == "data" {
		r.Mode, r.Address = "data", "data."+r.Address
	}
	r.ProviderConfigKey, _, _ = strings.Cut(r.Type, "_") // the implied provider
	attrs := tfMeta(b.Body, "count", "for_each", "depends_on", "provider")
	if a, ok := attrs["provider"]; ok {
		if tr, diags := hcl.AbsTraversalForExpr(a.Expr); !diags.HasErrors() {
			r.ProviderConfigKey = tfTraversal(tr)
		}
	}
	r.CountExpression = tfMetaExpression(attrs, "count")
	r.ForEachExpression = tfMetaExpression(attrs, "for_each")
	r.DependsOn = tfDependsOn(attrs)
	r.Expressions = tfExpressions(b.Body, tfResourceMeta)
	if sb, ok := b.Body.(*hclsyntax.Body); ok {
		for _, p := range sb.Blocks {
			if p.Type == "provisioner" && len(p.Labels) == 1 {
				r.Provisioners = append(r.Provisioners, tfProvisioner{Type: p.Labels[0], Expressions: tfExpressions(p.Body, tfProvisionerMeta)})
			}
		}
	}
	return r
}

func tfCall(files map[string]*hcl.File, dir string, b *hcl.Block) tfModuleCall {
	attrs := tfMeta(b.Body, "source", "version", "count", "for_each", "depends_on")
	var call tfModuleCall
	if a, ok := attrs["source"]; ok {
		if v, diags := a.Expr.Value(nil); !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
			call.Source = v.AsString()
		}
	}
	if a, ok := attrs["version"]; ok {
		if v, diags := a.Expr.Value(nil); !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
			call.VersionConstraint = v.AsString()
		}
	}
	call.Expressions = tfExpressions(b.Body, tfCallMeta)
	call.CountExpression = tfMetaExpression(attrs, "count")
	call.ForEachExpression = tfMetaExpression(attrs, "for_each")
	call.DependsOn = tfDependsOn(attrs)
	if strings.HasPrefix(call.Source, "./") || strings.HasPrefix(call.Source, "../") {
		call.Module = tfModuleConfig(files, path.Join(dir, call.Source), nil)
	}
	return call
}

func tfOutputConfig(b *hcl.Block) tfConfigOutput {
	attrs := tfMeta(b.Body, "value", "sensitive", "description", "depends_on")
	var o tfConfigOutput
	if a, ok := attrs["value"]; ok {
		o.Expression = tfExpr(a.Expr)
	}
	o.Sensitive = tfConstBool(attrs, "sensitive")
	o.Description = tfConstString(attrs, "description")
	o.DependsOn = tfDependsOn(attrs)
	return o
}

// tfVariableConfig is a variable as its block gives it; the root
// module's defaults are replaced by the typed ones (tfConfig).
func tfVariableConfig(b *hcl.Block) tfConfigVariable {
	attrs := tfMeta(b.Body, "default", "description", "sensitive", "ephemeral")
	v := tfConfigVariable{Description: tfConstString(attrs, "description"), Sensitive: tfConstBool(attrs, "sensitive")}
	if a, ok := attrs["default"]; ok && !v.Sensitive && !tfConstBool(attrs, "ephemeral") {
		v.Default = tfExpr(a.Expr).ConstantValue
	}
	return v
}

// tfMeta are the named arguments of a block that are there.
func tfMeta(body hcl.Body, names ...string) hcl.Attributes {
	schema := &hcl.BodySchema{}
	for _, n := range names {
		schema.Attributes = append(schema.Attributes, hcl.AttributeSchema{Name: n})
	}
	content, _, _ := body.PartialContent(schema)
	return content.Attributes
}

func tfMetaExpression(attrs hcl.Attributes, name string) *tfExpression {
	a, ok := attrs[name]
	if !ok {
		return nil
	}
	e := tfExpr(a.Expr)
	if e.ConstantValue == nil && e.References == nil {
		return nil // as Terraform leaves out for_each = toset([…])
	}
	return &e
}

func tfConstString(attrs hcl.Attributes, name string) string {
	if a, ok := attrs[name]; ok {
		if v, diags := a.Expr.Value(nil); !diags.HasErrors() && v.Type() == cty.String && v.IsKnown() && !v.IsNull() {
			return v.AsString()
		}
	}
	return ""
}

func tfConstBool(attrs hcl.Attributes, name string) bool {
	if a, ok := attrs[name]; ok {
		if v, diags := a.Expr.Value(nil); !diags.HasErrors() && v.Type() == cty.Bool && v.IsKnown() && !v.IsNull() {
			return v.True()
		}
	}
	return false
}

// tfDependsOn are depends_on's entries as Terraform writes them: the
// address each names (terraform_data.a, module.net).
func tfDependsOn(attrs hcl.Attributes) []string {
	a, ok := attrs["depends_on"]
	if !ok {
		return nil
	}
	exprs, _ := hcl.ExprList(a.Expr)
	var out []string
	for _, e := range exprs {
		tr, diags := hcl.AbsTraversalForExpr(e)
		if diags.HasErrors() {
			continue
		}
		n, _, _ := tfSubject(tr)
		out = append(out, tfTraversal(tr[:n]))
	}
	return out
}

// tfExpressions are a block's arguments, nested blocks as lists of their
// own, leaving out the meta-arguments in skip.
func tfExpressions(body hcl.Body, skip map[string]bool) map[string]any {
	out := map[string]any{}
	if sb, ok := body.(*hclsyntax.Body); ok {
		for name, a := range sb.Attributes {
			if !skip[name] {
				out[name] = tfExpr(a.Expr)
			}
		}
		for _, b := range sb.Blocks {
			if !skip[b.Type] {
				list, _ := out[b.Type].([]map[string]any)
				out[b.Type] = append(list, tfExpressions(b.Body, nil))
			}
		}
	} else {
		attrs, _ := body.JustAttributes()
		for name, a := range attrs {
			if !skip[name] {
				out[name] = tfExpr(a.Expr)
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// tfExpr is an expression as Terraform's JSON shows it: its value when it
// evaluates without any variable or function, and the references it makes,
// each followed by the shorter addresses it contains
// (terraform_data.b[0].output, terraform_data.b[0], terraform_data.b).
func tfExpr(expr hcl.Expression) tfExpression {
	var e tfExpression
	if v, diags := expr.Value(nil); !diags.HasErrors() && v.IsWhollyKnown() {
		if b, err := ctyjson.Marshal(v, v.Type()); err == nil {
			e.ConstantValue = b
		}
	}
	for _, tr := range expr.Variables() {
		n, keyed, output := tfSubject(tr)
		for rest := len(tr); rest > n; rest-- {
			e.References = append(e.References, tfTraversal(tr[:rest]))
		}
		e.References = append(e.References, tfTraversal(tr[:n]))
		switch {
		case output: // module.net[0].id: also the call instance
			e.References = append(e.References, tfTraversal(tr[:n-1]))
		case keyed && tr.RootName() != "module": // terraform_data.b[0]: also the resource
			e.References = append(e.References, tfTraversal(tr[:n-1]))
		}
	}
	return e
}

// tfSubject finds the object a traversal refers to, as Terraform's
// addrs.ParseRef does: its length in steps, whether it ends with an
// instance key, and whether it is a module call's output.
func tfSubject(tr hcl.Traversal) (n int, keyed, output bool) {
	index := func(i int) bool {
		if i < len(tr) {
			_, ok := tr[i].(hcl.TraverseIndex)
			return ok
		}
		return false
	}
	attr := func(i int) bool {
		if i < len(tr) {
			_, ok := tr[i].(hcl.TraverseAttr)
			return ok
		}
		return false
	}
	switch tr.RootName() {
	case "self":
		return 1, false, false
	case "var", "local", "count", "each", "path", "terraform":
		return min(2, len(tr)), false, false
	case "module":
		n = min(2, len(tr))
		if index(n) {
			n, keyed = n+1, true
		}
		if attr(n) {
			n, output = n+1, true
		}
		return n, keyed, output
	case "data":
		n = min(3, len(tr))
	default:
		n = min(2, len(tr))
	}
	if index(n) {
		n, keyed = n+1, true
	}
	return n, keyed, false
}

// tfTraversal spells a traversal as Terraform does in references.
func tfTraversal(tr hcl.Traversal) string {
	var b strings.Builder
	for _, step := range tr {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		case hcl.TraverseIndex:
			b.WriteString("[" + tfKey(s.Key) + "]")
		}
	}
	return b.String()
}

// tfKey is an index key as Terraform writes it: a number or a quoted
// string; "..." for anything larger.
func tfKey(k cty.Value) string {
	switch {
	case !k.IsKnown() || k.IsNull():
		return "..."
	case k.Type() == cty.String:
		return fmt.Sprintf("%q", k.AsString())
	case k.Type() == cty.Number:
		return k.AsBigFloat().Text('f', -1)
	case k.Type() == cty.Bool:
		return fmt.Sprint(k.True())
	}
	return "..."
}
