package template

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
)

// loader decodes the root module and, depth first, every module it calls:
// each call's source is a directory of the template's own file set.
type loader struct {
	t    *Template
	p    *hclparse.Parser
	read func(dir string) ([]source, hcl.Diagnostics, error) // nil: the template has no directories
	// blocks are the module blocks seen so far, each once however often
	// the module holding it is called: RFS counts the modules a template
	// is written with.
	blocks map[hcl.Range]bool
}

// module decodes m from its files and loads the modules it calls.
func (l *loader) module(m *module, files []*hcl.File) hcl.Diagnostics {
	m.index = len(l.t.mods)
	l.t.mods = append(l.t.mods, m)
	dec := newDecoder(l.t.files, m, l.t.limits)
	for _, f := range files {
		dec.file(f)
	}
	diags := dec.diags
	for _, name := range sortedKeys(m.calls) {
		diags = append(diags, l.call(m, m.calls[name])...)
	}
	return diags
}

// call loads the module a module block calls, checking RFS's limits on
// modules, and binds the block's arguments to the module's variables.
func (l *loader) call(m *module, n *node) hcl.Diagnostics {
	mc := n.call
	if !isLocalSource(mc.source) {
		return nil // reported by the decoder
	}
	subject := rangePtr(mc.sourceRange)
	if !l.blocks[n.rng] {
		if l.blocks == nil {
			l.blocks = map[hcl.Range]bool{}
		}
		l.blocks[n.rng] = true
		if max := l.t.limits.MaxModuleCalls; exceeds(len(l.blocks), max) {
			if len(l.blocks) == max+1 { // once is enough
				return hcl.Diagnostics{errorDiag("Too many module calls",
					fmt.Sprintf("The template has more than %d module blocks in its files; RFS allows at most %d.", max, max), subject)}
			}
			return nil
		}
	} else if exceeds(len(l.blocks), l.t.limits.MaxModuleCalls) {
		return nil
	}
	dir := path.Join(m.dir, mc.source)
	if dir == ".." || strings.HasPrefix(dir, "../") {
		return hcl.Diagnostics{errorDiag("Module source outside the template",
			fmt.Sprintf("The source %q of module %q leads outside the template's files. A local module must be a directory of the template's own file set (the directory, zip or stored template it was given as), such as ./modules/vpc.", mc.source, mc.name), subject)}
	}
	for a := m; a != nil; a = a.parent {
		if a.dir == dir {
			chain := []string{dir}
			for b := m; b != a.parent; b = b.parent {
				chain = append(chain, b.dir)
			}
			slices.Reverse(chain)
			return hcl.Diagnostics{errorDiag("Module cycle",
				fmt.Sprintf("Module %q calls %s, which is already being loaded above it: %s. A module cannot call itself, directly or through others.", mc.name, dir, strings.Join(chain, " → ")), subject)}
		}
	}
	static := strings.TrimPrefix(m.path+".module."+mc.name, ".")
	if max := l.t.limits.MaxModuleDepth; exceeds(m.depth+1, max) {
		return hcl.Diagnostics{errorDiag("Modules nested too deeply",
			fmt.Sprintf("Module %q would be nested %d deep (%s); RFS allows modules nested at most %d deep.", mc.name, m.depth+1, static, max), subject)}
	}
	var srcs []source
	var diags hcl.Diagnostics
	if l.read != nil {
		var err error
		srcs, diags, err = l.read(dir)
		if err != nil {
			return append(diags, errorDiag("Unreadable module directory",
				fmt.Sprintf("Module %q: reading %s failed: %s.", mc.name, dir, err), subject))
		}
	}
	if len(srcs) == 0 {
		detail := fmt.Sprintf("Module %q has source %q, but the template's files have no directory %s with .tf or .tf.json files.", mc.name, mc.source, dir)
		if l.read == nil {
			detail = fmt.Sprintf("Module %q has source %q, but a template given as one body has no directories. Give the template as a file set (a directory, a zip, or a multi-file template) to use local modules.", mc.name, mc.source)
		}
		return append(diags, errorDiag("Module not found", detail, subject))
	}
	files, d := parseSources(l.p, srcs)
	diags = append(diags, d...)
	if diags.HasErrors() {
		return diags
	}
	child := &module{parent: m, call: n, dir: dir, depth: m.depth + 1, path: static}
	mc.child = child
	diags = append(diags, l.module(child, files)...)
	diags = append(diags, bindArgs(n)...)
	diags = append(diags, child.passProviders()...)
	return diags
}

// bindArgs gives each variable of the called module the module block's
// argument for it, refusing arguments the module does not declare and
// leaving out none it requires.
func bindArgs(n *node) hcl.Diagnostics {
	mc := n.call
	child := mc.child
	var diags hcl.Diagnostics
	for _, name := range sortedAttrNames(mc.args) {
		attr := mc.args[name]
		vn := child.variables[name]
		if vn == nil {
			diags = append(diags, errorDiag("Unsupported argument",
				fmt.Sprintf("An argument named %q is not expected here: module %q (%s) declares no variable %q.%s",
					name, mc.name, mc.source, name, didYouMean(name, sortedKeys(child.variables))), rangePtr(attr.NameRange)))
			continue
		}
		vn.variable.arg = &moduleArg{expr: attr.Expr}
	}
	for _, name := range sortedKeys(child.variables) {
		if v := child.variables[name].variable; v.def == cty.NilVal && mc.args[name] == nil {
			diags = append(diags, errorDiag("Missing required argument",
				fmt.Sprintf("The argument %q is required, but no definition was found: variable %q of module %q (%s) has no default.", name, name, mc.name, mc.source), rangePtr(n.rng)))
		}
	}
	return diags
}

// localAlias is how the configuration a called module's own provider
// block gives is addressed beside the root's: its alias is the module's
// path ("module.a"), with the block's alias after it
// ("module.a.east"), so that "huaweicloud.module.a" names it wherever
// configurations are named.
func (m *module) localAlias(alias string) string {
	if alias == "" {
		return m.path
	}
	return m.path + "." + alias
}

// legacyProviders checks the calls of m, and below it, as Terraform does:
// a module that has its own provider configurations (or has such a module
// below it) cannot be called with count, for_each or depends_on, because
// its configurations could not be told apart between instances. meta is
// the count, for_each or depends_on of a call above m, nil if none.
func (m *module) legacyProviders(meta *hcl.Range) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if meta != nil && len(m.providers) > 0 {
		diags = append(diags, errorDiag("Module is incompatible with count, for_each, and depends_on",
			fmt.Sprintf("The module at %s is a legacy module which contains its own local provider configurations, and so calls to it may not use the count, for_each, or depends_on arguments.\n\n"+
				"If you also control the module %q, consider updating this module to instead expect provider configurations to be passed by its caller.", m.path, m.call.call.source), meta))
	}
	for _, name := range sortedKeys(m.calls) {
		n := m.calls[name]
		child := n.call.child
		if child == nil {
			continue
		}
		childMeta := meta
		switch mc := n.call; {
		case mc.count != nil:
			childMeta = rangePtr(mc.count.Range())
		case mc.forEach != nil:
			childMeta = rangePtr(mc.forEach.Range())
		case len(mc.dependsOn) > 0:
			childMeta = rangePtr(mc.dependsOn[0].SourceRange())
		}
		diags = append(diags, child.legacyProviders(childMeta)...)
	}
	return diags
}

// pathValue is the path object of the module: path.module is its
// directory in the template's file set ("modules/net"), path.root and
// path.cwd the root module's ("."), as Terraform gives them relative to
// the root module.
func (m *module) pathValue() cty.Value {
	if m.parent == nil {
		return pathObj
	}
	return cty.ObjectVal(map[string]cty.Value{
		"module": cty.StringVal(m.dir), "root": cty.StringVal("."), "cwd": cty.StringVal("."),
	})
}

// passProviders resolves the providers argument of the module's call.
func (m *module) passProviders() hcl.Diagnostics {
	var diags hcl.Diagnostics
	m.passed = map[string]providerAddr{}
	for _, p := range m.call.call.providers {
		if m.providers[p.child] != nil {
			caller := "the root module"
			if m.parent.parent != nil {
				caller = m.parent.path
			}
			diags = append(diags, errorDiag("Cannot override provider configuration",
				fmt.Sprintf("The configuration of %s has its own local configuration for %s, and so it cannot accept an overridden configuration provided by %s.", m.path, p.child, caller),
				rangePtr(p.childRange)))
			continue
		}
		pa, ok := m.parent.resolveProvider(p.parent)
		if !ok {
			diags = append(diags, errorDiag("Provider configuration not present",
				fmt.Sprintf("Module %q is given the provider configuration %q, which the calling module does not have. Declare provider %q with that alias in the root module, and pass it down through every module call in between.", m.call.call.name, p.parent, strings.SplitN(p.parent, ".", 2)[0]), rangePtr(p.rng)))
			continue
		}
		m.passed[p.child] = pa
	}
	for _, name := range sortedKeys(m.configurationAliases) {
		rp := m.requiredProviders[name]
		for _, alias := range m.configurationAliases[name] {
			if _, ok := m.passed[alias]; ok {
				continue
			}
			diags = append(diags, errorDiag("Missing required provider configuration",
				fmt.Sprintf("The child module requires an additional configuration for provider %s, with the local name %q.\n\n"+
					"Refer to the module's documentation to understand the intended purpose of this additional provider configuration, "+
					"and then add an entry for %s in the \"providers\" meta-argument in the module block to choose which provider "+
					"configuration the module should use for that purpose.", rp.fqn(), alias, alias), rangePtr(m.call.rng)))
		}
	}
	return diags
}

// resolveProvider finds the provider configuration that a configuration
// address of this module ("huaweicloud", "huaweicloud.east") stands for:
// in the root, the block of that address (an implicit configuration for a
// default one without a block); in a called module, its own block (a
// legacy module's), else the one its call passes, or for a default
// configuration not passed, the caller's of the same name, as Terraform
// inherits them.
func (m *module) resolveProvider(key string) (providerAddr, bool) {
	name, alias, _ := strings.Cut(key, ".")
	if m.parent == nil {
		n := m.providers[key]
		if alias != "" && n == nil {
			return providerAddr{}, false
		}
		return providerAddr{name: name, alias: alias, node: n}, true
	}
	if n := m.providers[key]; n != nil {
		return providerAddr{name: name, alias: m.localAlias(alias), node: n}, true
	}
	if pa, ok := m.passed[key]; ok {
		return pa, true
	}
	if alias != "" {
		return providerAddr{}, false
	}
	return m.parent.resolveProvider(key)
}
