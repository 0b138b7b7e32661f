package template

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// analyzer resolves every reference of every expression once, at Parse:
// it reports references to undeclared things (with a did-you-mean),
// references not allowed where they appear, and forbidden or unknown
// functions, and records per block what its evaluation context needs.
type analyzer struct {
	// scoped are the data sources of the check block being analysed,
	// which its assertions may read; scopedHits counts those reads.
	scoped     []*scopedData
	scopedHits int

	m         *module
	funcs     map[string]function.Function
	diags     hcl.Diagnostics
	attrNames map[string]bool // every attribute name read anywhere

	varAddrs, localAddrs, resAddrs, dataAddrs, moduleAddrs, funcNames []string
}

// rules say which references an expression may make.
type rules struct {
	what        string // "a local value", for messages
	count, each bool
	onlyVars    bool // variable validations
	noResources bool // import ids
	graphOnly   bool // depends_on, import targets: the value is never read
	self        bool // postconditions: self is the instance's own object
}

// conditions analyses the expressions of custom conditions.
func (a *analyzer) conditions(sc *scope, conds []*condition, rl rules) {
	for _, c := range conds {
		a.expr(sc, c.cond, rl, nil)
		a.expr(sc, c.message, rl, nil)
	}
}

func newAnalyzer(m *module, funcs map[string]function.Function) *analyzer {
	a := &analyzer{m: m, funcs: funcs, attrNames: map[string]bool{}}
	for _, n := range m.nodes {
		switch n.kind {
		case kindVariable:
			a.varAddrs = append(a.varAddrs, n.addr)
		case kindLocal:
			a.localAddrs = append(a.localAddrs, n.addr)
		case kindResource:
			a.resAddrs = append(a.resAddrs, n.addr)
		case kindData:
			a.dataAddrs = append(a.dataAddrs, n.addr)
		case kindModule:
			a.moduleAddrs = append(a.moduleAddrs, n.addr)
		}
	}
	for name := range funcs {
		a.funcNames = append(a.funcNames, name)
	}
	for name := range forbiddenFunctions {
		a.funcNames = append(a.funcNames, name)
	}
	sort.Strings(a.funcNames)
	return a
}

func (a *analyzer) errorf(rng hcl.Range, summary, format string, args ...any) {
	a.diags = append(a.diags, errorDiag(summary, fmt.Sprintf(format, args...), rangePtr(rng)))
}

// run analyses every declaration; linkAll links the block-level graph
// once every module is analysed (a module block's arguments are analysed
// with the module that holds it, but become the called module's
// variables).
func (a *analyzer) run() {
	for _, n := range a.m.nodes {
		switch n.kind {
		case kindVariable:
			for _, v := range n.variable.validations {
				rl := rules{what: "a variable validation", onlyVars: true}
				a.expr(&v.scope, v.condition, rl, nil)
				a.expr(&v.scope, v.message, rl, nil)
			}
		case kindLocal:
			a.expr(&n.local.scope, n.local.expr, rules{what: "a local value"}, nil)
		case kindOutput:
			a.expr(&n.output.scope, n.output.expr, rules{what: "an output"}, nil)
			a.conditions(&n.output.scope, n.output.pre, rules{what: "an output precondition"})
			n.output.extra = a.dependsOn(n.output.dependsOn)
		case kindProvider:
			a.shape(&n.provider.scope, n.provider.body, rules{what: "a provider configuration"}, nil)
		case kindResource, kindData:
			a.resource(n)
		case kindModule:
			a.moduleCall(n)
		}
	}
	for _, imp := range a.m.imports {
		a.expr(&imp.scope, imp.id, rules{what: "an import id", noResources: true}, nil)
		a.importTarget(imp)
	}
	for _, r := range a.m.removed {
		var refs scope // destroy-time: self, count.index and each.key only
		a.provisionerRefs(&refs, r.provisioners, rules{what: "a removed block", count: true, each: true})
	}
	a.checks()
	for _, n := range a.m.nodes {
		if n.res == nil {
			continue
		}
		set := n.res.patchSet
		if n.res.opaqueUse {
			set = a.attrNames
		}
		for name := range set {
			n.res.patch = append(n.res.patch, name)
		}
		sort.Strings(n.res.patch)
	}
}

func (a *analyzer) resource(n *node) {
	r := n.res
	if r.count != nil {
		a.expr(&r.meta, r.count, rules{what: `the "count" argument`}, nil)
	}
	if r.forEach != nil {
		a.expr(&r.meta, r.forEach, rules{what: `the "for_each" argument`}, nil)
	}
	body := rules{what: "this block", count: r.count != nil, each: r.forEach != nil}
	a.shape(&r.cfg, r.body, body, nil)
	a.conditions(&r.cfg, r.pre, body)
	post := body
	post.self = true
	a.conditions(&r.postScope, r.post, post)
	a.provisionerRefs(&r.provScope, r.provisioners, body)
	r.extra = a.dependsOn(r.dependsOn)
	for _, t := range r.lifecycle.triggers {
		var sc scope
		a.expr(&sc, t.expr, body, nil)
		var found *ref
		for _, rf := range sc.refs {
			if rf.target == nil {
				continue
			}
			if found != nil || rf.target.kind != kindResource {
				found = nil
				break
			}
			found = rf
		}
		if found == nil {
			a.errorf(t.rng, "Invalid replace_triggered_by expression",
				"Each replace_triggered_by entry is a single reference to a managed resource or one of its attributes, such as huaweicloud_vpc.vpc or huaweicloud_vpc.vpc[count.index].name.")
			continue
		}
		t.ref = found
	}
	key := r.providerName
	if r.providerAlias != "" {
		key += "." + r.providerAlias
	}
	pa, ok := a.m.resolveProvider(key)
	switch {
	case ok:
		r.provider, r.providerName, r.providerAlias = pa.node, pa.name, pa.alias
	case a.m.parent != nil:
		a.errorf(r.providerRange, "Provider configuration not present",
			"Module %s has no provider configuration %q: pass it with the providers argument of the module block, providers = { %s = %s.%s }.", a.m.path, key, key, r.providerName, r.providerAlias)
	default:
		a.errorf(r.providerRange, "Provider configuration not present",
			"There is no provider %q block with alias %q. Declare it: provider %q { alias = %q }.", r.providerName, r.providerAlias, r.providerName, r.providerAlias)
	}
}

// moduleCall analyses a module block: count and for_each, depends_on, and
// each argument, which bindArgs gave the called module's variable.
func (a *analyzer) moduleCall(n *node) {
	mc := n.call
	if mc.count != nil {
		a.expr(&mc.meta, mc.count, rules{what: `the "count" argument`}, nil)
	}
	if mc.forEach != nil {
		a.expr(&mc.meta, mc.forEach, rules{what: `the "for_each" argument`}, nil)
	}
	mc.extra = a.dependsOn(mc.dependsOn)
	args := rules{what: "a module argument", count: mc.count != nil, each: mc.forEach != nil}
	for _, vn := range mc.child.variables {
		if arg := vn.variable.arg; arg != nil {
			a.expr(&arg.scope, arg.expr, args, nil)
		}
	}
}

// importTarget resolves an import block's "to": a managed resource, with
// a literal instance key when the resource has count or for_each.
func (a *analyzer) importTarget(imp *importDecl) {
	imp.key = cty.NilVal
	if imp.to.RootName() == "module" {
		a.diags = append(a.diags, unsupportedDiag("Import into a module is not supported yet",
			"Formation imports into resources of the root module only; import the object into a resource declared in the root module.", rangePtr(imp.toRange)))
		return
	}
	r := a.resolve(imp.to, rules{what: "an import target", graphOnly: true}, nil)
	if r == nil {
		return
	}
	if r.target == nil || r.target.kind != kindResource || r.attr != "" || len(r.rest) > 0 {
		a.errorf(imp.toRange, "Invalid import target",
			"The import target must be a managed resource or one of its instances, such as huaweicloud_vpc.vpc or huaweicloud_vpc.vpc[0].")
		return
	}
	if r.target.res.multi() && r.whole() {
		a.errorf(imp.toRange, "Invalid import target",
			"%s has count or for_each set: name the instance to import into, such as %s[0].", r.target.addr, r.target.addr)
		return
	}
	imp.target, imp.key = r.target, r.key
}

// dependsOn resolves depends_on entries: whole resources, data sources or
// their instances, never attributes.
func (a *analyzer) dependsOn(travs []hcl.Traversal) []*ref {
	var out []*ref
	for _, t := range travs {
		r := a.resolve(t, rules{what: "depends_on", graphOnly: true}, nil)
		if r == nil {
			continue
		}
		// Terraform also takes variables and locals: a local stands for
		// whatever it refers to.
		whole := r.target != nil && (r.target.kind == kindVariable || r.target.kind == kindLocal)
		if !whole && (r.target == nil || (r.target.kind != kindResource && r.target.kind != kindData && r.target.kind != kindModule) || len(r.rest) > 0 || r.attr != "" && r.target.kind == kindModule) {
			a.errorf(r.rng, "Invalid depends_on reference",
				"depends_on lists whole resources, data sources and modules (huaweicloud_vpc.vpc, module.network), and local values, not attributes or other values.")
			continue
		}
		out = append(out, r)
	}
	return out
}

// shape analyses a configuration body; iterators are the names dynamic
// blocks introduce around it.
func (a *analyzer) shape(sc *scope, s *bodyShape, rl rules, iterators []string) {
	if s == nil {
		return
	}
	for _, attr := range s.attrs {
		a.expr(sc, attr.Expr, rl, iterators)
	}
	for _, b := range s.blocks {
		if b.body != nil {
			a.shape(sc, b.body, rl, iterators)
			continue
		}
		a.expr(sc, b.dynamic.forEach, rl, iterators)
		a.shape(sc, b.dynamic.content, rl, append(iterators[:len(iterators):len(iterators)], b.dynamic.iterator))
	}
}

// expr analyses one expression and adds its references to sc.
func (a *analyzer) expr(sc *scope, e hcl.Expression, rl rules, iterators []string) {
	for _, ne := range a.native(e) {
		w := &refWalker{keyed: map[*hclsyntax.ScopeTraversalExpr]hclsyntax.Expression{}, rel: map[*hclsyntax.ScopeTraversalExpr]hcl.Traversal{}, names: a.attrNames}
		if len(iterators) > 0 {
			names := map[string]struct{}{}
			for _, it := range iterators {
				names[it] = struct{}{}
			}
			w.scopes = append(w.scopes, names)
		}
		hclsyntax.Walk(ne, w)
		for _, call := range w.calls {
			a.checkCall(call)
			a.m.planTime = a.m.planTime || call.Name == "plantimestamp" || call.Name == "core::plantimestamp"
			if !slices.Contains(sc.funcs, call.Name) {
				sc.funcs = append(sc.funcs, call.Name)
			}
		}
		for _, st := range w.travs {
			wi := w.walkInfo(st)
			if r := a.resolve(st.Traversal, rl, &wi); r != nil {
				sc.add(r)
			}
		}
	}
}

// native returns the native-syntax expressions behind e: for a JSON
// expression, the templates of its strings, which evaluation runs.
func (a *analyzer) native(e hcl.Expression) []hclsyntax.Expression {
	switch e := e.(type) {
	case hclsyntax.Expression:
		return []hclsyntax.Expression{e}
	case *jsonExpr:
		tmpls, diags := e.templates()
		a.diags = append(a.diags, diags...)
		return tmpls
	}
	return nil
}

func (a *analyzer) checkCall(call *hclsyntax.FunctionCallExpr) {
	if why, forbidden := forbiddenFunctions[call.Name]; forbidden {
		a.errorf(call.NameRange, "Function not allowed",
			"The function %q is not allowed: it %s. RFS forbids file-system functions, and Formation never reads the host's file system on a template's behalf.", call.Name, why)
		return
	}
	if _, ok := a.funcs[call.Name]; !ok {
		a.errorf(call.NameRange, "Call to unknown function", "There is no function named %q.%s", call.Name, didYouMean(call.Name, a.funcNames))
	}
}

// walkInfo is what the walker saw around one root traversal.
type walkInfo struct {
	keyExpr hclsyntax.Expression // the key of an IndexExpr applied to it
	rel     hcl.Traversal        // the traversal applied after that index, or after a splat
}

// refWalker collects root-scope traversals (skipping for-expression and
// dynamic-block iterators), index expressions applied to them, the
// traversals applied after those, and function calls.
type refWalker struct {
	scopes []map[string]struct{}
	travs  []*hclsyntax.ScopeTraversalExpr
	keyed  map[*hclsyntax.ScopeTraversalExpr]hclsyntax.Expression
	rel    map[*hclsyntax.ScopeTraversalExpr]hcl.Traversal
	calls  []*hclsyntax.FunctionCallExpr
	names  map[string]bool
}

func (w *refWalker) walkInfo(st *hclsyntax.ScopeTraversalExpr) walkInfo {
	return walkInfo{keyExpr: w.keyed[st], rel: w.rel[st]}
}

func (w *refWalker) Enter(n hclsyntax.Node) hcl.Diagnostics {
	switch t := n.(type) {
	case *hclsyntax.ScopeTraversalExpr:
		w.noteNames(t.Traversal)
		name := t.Traversal.RootName()
		for _, s := range w.scopes {
			if _, local := s[name]; local {
				return nil
			}
		}
		w.travs = append(w.travs, t)
	case *hclsyntax.RelativeTraversalExpr:
		w.noteNames(t.Traversal)
		if ix, ok := t.Source.(*hclsyntax.IndexExpr); ok {
			if st, ok := ix.Collection.(*hclsyntax.ScopeTraversalExpr); ok {
				w.rel[st] = t.Traversal
			}
		}
	case *hclsyntax.IndexExpr:
		if st, ok := t.Collection.(*hclsyntax.ScopeTraversalExpr); ok {
			w.keyed[st] = t.Key
		}
	case *hclsyntax.SplatExpr:
		if st, ok := t.Source.(*hclsyntax.ScopeTraversalExpr); ok {
			if rt, ok := t.Each.(*hclsyntax.RelativeTraversalExpr); ok {
				if _, anon := rt.Source.(*hclsyntax.AnonSymbolExpr); anon {
					w.rel[st] = rt.Traversal
				}
			}
		}
	case *hclsyntax.FunctionCallExpr:
		w.calls = append(w.calls, t)
	case hclsyntax.ChildScope:
		w.scopes = append(w.scopes, t.LocalNames)
	}
	return nil
}

func (w *refWalker) Exit(n hclsyntax.Node) hcl.Diagnostics {
	if _, ok := n.(hclsyntax.ChildScope); ok {
		w.scopes = w.scopes[:len(w.scopes)-1]
	}
	return nil
}

func (w *refWalker) noteNames(t hcl.Traversal) {
	for _, step := range t {
		if at, ok := step.(hcl.TraverseAttr); ok {
			w.names[at.Name] = true
		}
	}
}

func attrStep(t hcl.Traversal, i int) (string, bool) {
	if i >= len(t) {
		return "", false
	}
	switch s := t[i].(type) {
	case hcl.TraverseAttr:
		return s.Name, true
	case hcl.TraverseRoot:
		return s.Name, true
	}
	return "", false
}

// resolve checks one root traversal against the declarations and the rules.
func (a *analyzer) resolve(t hcl.Traversal, rl rules, wi *walkInfo) *ref {
	rng := t.SourceRange()
	root := t.RootName()
	r := &ref{root: root, rng: rng, trav: t, key: cty.NilVal, text: traversalText(t)}
	if rl.onlyVars && root != "var" {
		a.errorf(rng, "Invalid reference in variable validation",
			"A validation condition and its error message can refer only to input variables (var.*).")
		return nil
	}
	attr, hasAttr := attrStep(t, 1)
	switch root {
	case "var":
		if !hasAttr {
			a.errorf(rng, "Invalid reference", `A reference to "var" must be followed by a variable name, such as var.region.`)
			return nil
		}
		if r.target = a.m.variables[attr]; r.target == nil {
			a.errorf(rng, "Reference to undeclared input variable",
				"An input variable with the name %q has not been declared. This variable can be declared with a variable %q {} block.%s",
				attr, attr, didYouMean("var."+attr, a.varAddrs))
			return nil
		}
		r.name = attr
	case "local":
		if !hasAttr {
			a.errorf(rng, "Invalid reference", `A reference to "local" must be followed by a local value name, such as local.tags.`)
			return nil
		}
		if r.target = a.m.locals[attr]; r.target == nil {
			a.errorf(rng, "Reference to undeclared local value",
				"A local value with the name %q has not been declared.%s", attr, didYouMean("local."+attr, a.localAddrs))
			return nil
		}
		r.name = attr
	case "count":
		if !rl.count {
			a.errorf(rng, `Reference to "count" in non-counted context`,
				`The "count" object can be used only in "resource" and "data" blocks, and only when the "count" argument is set; it cannot be used in %s.`, rl.what)
			return nil
		}
		if attr != "index" {
			a.errorf(rng, `Invalid "count" attribute`, `The "count" object has one attribute, count.index: the index of each instance of a block that has "count" set.`)
			return nil
		}
	case "each":
		if !rl.each {
			a.errorf(rng, `Reference to "each" in context without for_each`,
				`The "each" object can be used only in "resource" and "data" blocks, and only when the "for_each" argument is set; it cannot be used in %s.`, rl.what)
			return nil
		}
		if attr != "key" && attr != "value" {
			a.errorf(rng, `Invalid "each" attribute`, `The "each" object has two attributes: each.key and each.value.`)
			return nil
		}
	case "path":
		if attr != "module" && attr != "root" && attr != "cwd" {
			a.errorf(rng, `Invalid "path" attribute`, `The "path" object has the attributes module, root and cwd.`)
			return nil
		}
	case "terraform":
		if attr != "workspace" && attr != "applying" {
			a.errorf(rng, `Invalid "terraform" attribute`, `The "terraform" object has two attributes, terraform.workspace and terraform.applying.`)
			return nil
		}
		a.m.ephemeral = a.m.ephemeral || attr == "applying"
	case "self":
		if rl.self {
			return r
		}
		a.errorf(rng, `Invalid "self" reference`, `The "self" object is available only in postcondition blocks (and in provisioner and connection blocks, which RFS does not allow).`)
		return nil
	case "module":
		if !hasAttr {
			a.errorf(rng, "Invalid reference", `A reference to "module" must be followed by a module name, such as module.network.`)
			return nil
		}
		if r.target = a.m.calls[attr]; r.target == nil {
			a.errorf(rng, "Reference to undeclared module",
				"No module call named %q is declared in %s.%s", attr, a.moduleName(), didYouMean("module."+attr, a.moduleAddrs))
			return nil
		}
		r.name = attr
		if !a.moduleSteps(r, t[2:], wi, rl.graphOnly) {
			return nil
		}
	case "data":
		name, ok := attrStep(t, 2)
		if !hasAttr || !ok {
			a.errorf(rng, "Invalid data resource reference", "A reference to a data source has the form data.TYPE.NAME.")
			return nil
		}
		addr := "data." + attr + "." + name
		if slices.ContainsFunc(a.scoped, func(sd *scopedData) bool { return sd.typ == attr && sd.name == name }) {
			a.scopedHits++
			return nil // Checks puts it into the assertions' context
		}
		if r.target = a.m.resources[addr]; r.target == nil {
			a.errorf(rng, "Reference to undeclared data source",
				"A data source %q %q has not been declared.%s", attr, name, didYouMean(addr, a.dataAddrs))
			return nil
		}
		r.name = name
		if !a.instanceSteps(r, t[3:], wi, rl.graphOnly) {
			return nil
		}
	default:
		if !hasAttr {
			a.errorf(rng, "Invalid reference",
				"A reference to a resource type must be followed by at least one attribute access, specifying the resource name.%s",
				didYouMean(root, append(append(a.varAddrs[:len(a.varAddrs):len(a.varAddrs)], a.localAddrs...), a.resAddrs...)))
			return nil
		}
		addr := root + "." + attr
		if r.target = a.m.resources[addr]; r.target == nil {
			a.errorf(rng, "Reference to undeclared resource",
				"A managed resource %q %q has not been declared.%s", root, attr, didYouMean(addr, a.resAddrs))
			return nil
		}
		r.name = attr
		if !a.instanceSteps(r, t[2:], wi, rl.graphOnly) {
			return nil
		}
	}
	if rl.noResources && r.target != nil && r.target.res != nil {
		a.errorf(rng, "Invalid reference", "%s can refer only to variables and local values, not to %s.", capitalize(rl.what), r.target.addr)
		return nil
	}
	return r
}

// moduleName names the analysed module in messages.
func (a *analyzer) moduleName() string {
	if a.m.path == "" {
		return "the root module"
	}
	return a.m.path
}

// moduleSteps reads the instance key and output name of a reference to a
// module call (module.net.vpc_id, module.net[0].vpc_id, module.net).
func (a *analyzer) moduleSteps(r *ref, rest hcl.Traversal, wi *walkInfo, graphOnly bool) bool {
	mc := r.target.call
	rest, splat, ok := a.keySteps(r, rest, wi, mc.multi(), func(rng hcl.Range) bool {
		a.errorf(rng, "Unexpected module instance key",
			`Because module %q does not have "count" or "for_each" set, references to it must not include an index key.`, mc.name)
		return false
	})
	if !ok {
		return false
	}
	if len(rest) > 0 {
		if at, ok := rest[0].(hcl.TraverseAttr); ok {
			if mc.multi() && r.whole() && !splat {
				a.errorf(r.rng, "Missing module instance key",
					`Because module %q has "count" or "for_each" set, its outputs must be read from a specific instance, such as module.%s[0].%s, or from all of them with module.%s[*].%s.`, mc.name, mc.name, at.Name, mc.name, at.Name)
				return false
			}
			if mc.child.outputs[at.Name] == nil {
				a.errorf(at.SrcRange, "Unsupported attribute",
					"Module %q (%s) has no output named %q.%s", mc.name, mc.source, at.Name, didYouMean(at.Name, sortedKeys(mc.child.outputs)))
				return false
			}
			r.attr = at.Name
		}
	}
	r.everyInstance = graphOnly && r.attr == ""
	return true
}

// keySteps reads the instance key of a reference to a resource, data
// source or module call: the index expression the walker saw applied to it
// (prev[count.index]), a literal index step (vpc[0]), or a splat; it
// returns the steps after the key. A key on a block without count or
// for_each is reported through unexpected.
func (a *analyzer) keySteps(r *ref, rest hcl.Traversal, wi *walkInfo, multi bool, unexpected func(hcl.Range) bool) (after hcl.Traversal, splat, ok bool) {
	switch {
	case len(rest) == 0 && wi != nil && wi.keyExpr != nil:
		if !multi {
			return nil, false, unexpected(wi.keyExpr.Range())
		}
		r.keyExpr, rest = wi.keyExpr, wi.rel
		if st, ok := wi.keyExpr.(*hclsyntax.ScopeTraversalExpr); ok {
			switch traversalText(st.Traversal) {
			case "count.index", "each.key":
				r.ownKey = true
			}
		}
	case len(rest) == 0 && wi != nil && wi.rel != nil:
		return wi.rel, true, true
	case len(rest) > 0:
		if ix, ok := rest[0].(hcl.TraverseIndex); ok {
			if !multi {
				return nil, false, unexpected(ix.SrcRange)
			}
			key, ok := a.literalKey(r.target, ix)
			if !ok {
				return nil, false, false
			}
			r.key, rest = key, rest[1:]
		}
	}
	return rest, false, true
}

// instanceSteps reads the instance key and first attribute of a resource
// or data reference. rest is the traversal after the block name; wi what
// the walker saw around it.
func (a *analyzer) instanceSteps(r *ref, rest hcl.Traversal, wi *walkInfo, graphOnly bool) bool {
	res, addr := r.target.res, r.target.addr
	rest, splat, ok := a.keySteps(r, rest, wi, res.multi(), func(rng hcl.Range) bool {
		a.errorf(rng, "Unexpected resource instance key",
			`Because %s does not have "count" or "for_each" set, references to it must not include an index key. Remove the bracketed index to refer to the single instance of this block.`, addr)
		return false
	})
	if !ok {
		return false
	}
	if len(rest) > 0 {
		if at, ok := rest[0].(hcl.TraverseAttr); ok {
			if res.multi() && r.whole() && !splat {
				example := addr + "[count.index]." + at.Name
				if res.forEach != nil {
					example = addr + "[each.key]." + at.Name
				}
				a.errorf(r.rng, "Missing resource instance key",
					`Because %s has "count" or "for_each" set, its attributes must be read from a specific instance. For example, to use the instance with the same index as the referring instance: %s`, addr, example)
				return false
			}
			r.attr = at.Name
		}
	}
	if !splat {
		r.rest = rest
	}
	switch {
	case graphOnly:
	case r.attr != "":
		if res.patchSet == nil {
			res.patchSet = map[string]bool{}
		}
		res.patchSet[r.attr] = true
	default:
		res.opaqueUse = true
	}
	return true
}

// literalKey converts a literal instance key: a whole number for count, a
// string for for_each. The key is kept as the RFS index string.
func (a *analyzer) literalKey(n *node, ix hcl.TraverseIndex) (cty.Value, bool) {
	k, err := keyString(ix.Key, n.res != nil && n.res.count != nil || n.call != nil && n.call.count != nil)
	if err != nil {
		a.errorf(ix.SrcRange, "Invalid resource instance key", "%s: %s.", n.addr, err)
		return cty.NilVal, false
	}
	return cty.StringVal(k), true
}

// keyString converts an instance key to its RFS index string.
func keyString(key cty.Value, isCount bool) (string, error) {
	if !key.IsKnown() {
		return "", fmt.Errorf("the key is not known yet")
	}
	if key.IsNull() {
		return "", fmt.Errorf("the key is null")
	}
	if isCount {
		n, err := convert.Convert(key, cty.Number)
		if err != nil {
			return "", fmt.Errorf("a count index must be a number")
		}
		bf := n.AsBigFloat()
		i, acc := bf.Int64()
		if !bf.IsInt() || acc != 0 || i < 0 {
			return "", fmt.Errorf("a count index must be a whole number, 0 or more")
		}
		return fmt.Sprint(i), nil
	}
	s, err := convert.Convert(key, cty.String)
	if err != nil {
		return "", fmt.Errorf("a for_each key must be a string")
	}
	return s.AsString(), nil
}

// linkAll sets the dependencies of every node of the module.
func (a *analyzer) linkAll() {
	for _, n := range a.m.nodes {
		a.link(n)
	}
}

// link sets n.deps from every reference n makes, and from the call of
// its module: nothing in a module is evaluated before its instances are
// known.
func (a *analyzer) link(n *node) {
	seen := map[*node]bool{}
	add := func(t *node) {
		if t != nil && !seen[t] {
			seen[t] = true
			n.deps = append(n.deps, t)
		}
	}
	addRef := func(r *ref) {
		add(r.target)
		if r.target == nil || r.target.kind != kindModule {
			return
		}
		if r.everyInstance {
			r.target.call.child.eachBlock(add)
			return
		}
		// A module's value is its outputs: depend on the one read, or
		// on all of them.
		child := r.target.call.child
		if r.attr != "" {
			add(child.outputs[r.attr])
			return
		}
		for _, name := range sortedKeys(child.outputs) {
			add(child.outputs[name])
		}
	}
	addScope := func(sc *scope) {
		for _, r := range sc.refs {
			addRef(r)
		}
	}
	switch n.kind {
	case kindVariable:
		if n.variable.arg != nil {
			addScope(&n.variable.arg.scope)
		}
	case kindLocal:
		addScope(&n.local.scope)
	case kindOutput:
		addScope(&n.output.scope)
		for _, r := range n.output.extra {
			addRef(r)
		}
	case kindProvider:
		addScope(&n.provider.scope)
	case kindModule:
		addScope(&n.call.meta)
		for _, r := range n.call.extra {
			addRef(r)
		}
	case kindResource, kindData:
		addScope(&n.res.meta)
		addScope(&n.res.cfg)
		addScope(&n.res.postScope)
		addScope(&n.res.provScope)
		for _, r := range n.res.extra {
			addRef(r)
		}
		for _, t := range n.res.lifecycle.triggers {
			if t.ref != nil {
				add(t.ref.target)
			}
		}
		add(n.res.provider)
	}
	if n.mod.call != nil {
		add(n.mod.call)
	}
	sort.Slice(n.deps, func(i, j int) bool { return n.deps[i].static() < n.deps[j].static() })
}

// eachBlock calls f with every resource and data block of m and of the
// modules it calls.
func (m *module) eachBlock(f func(*node)) {
	for _, n := range m.nodes {
		switch n.kind {
		case kindResource, kindData:
			f(n)
		case kindModule:
			if n.call.child != nil {
				n.call.child.eachBlock(f)
			}
		}
	}
}

func traversalText(t hcl.Traversal) string {
	var b strings.Builder
	for _, step := range t {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		case hcl.TraverseIndex:
			if s.Key.Type() == cty.String && s.Key.IsKnown() && !s.Key.IsNull() {
				b.WriteString("[" + quoteKey(s.Key.AsString()) + "]")
			} else if s.Key.Type() == cty.Number && s.Key.IsKnown() && !s.Key.IsNull() {
				b.WriteString("[" + s.Key.AsBigFloat().Text('f', -1) + "]")
			} else {
				b.WriteString("[…]")
			}
		case hcl.TraverseSplat:
			b.WriteString("[*]")
		}
	}
	return b.String()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
