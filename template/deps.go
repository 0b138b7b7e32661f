package template

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// dependencies sets DependsOn of every instance of e. What every instance
// shares (count and for_each references, whole-block references, locals,
// depends_on, provisioners, the provider configuration, what the count, for_each and
// depends_on of the module calls above it name) is computed once and the
// slice shared; keyed references and replace_triggered_by add per
// instance.
func (c *Config) dependencies(e *expansion) {
	r, mi := e.node.res, e.mi
	memo := map[memoKey]map[string]bool{}
	shared := map[string]bool{}
	for _, rf := range r.meta.refs {
		c.addRefDeps(shared, rf, mi, memo)
	}
	for _, rf := range r.cfg.refs {
		if rf.target != nil && rf.target.res != nil && !rf.whole() {
			continue // per instance, through inst.keys
		}
		c.addRefDeps(shared, rf, mi, memo)
	}
	for _, rf := range slices.Concat(r.extra, r.provScope.refs) {
		c.addRefDeps(shared, rf, mi, memo)
	}
	if r.provider != nil {
		if pmi := c.providerInst(r.provider); pmi != nil {
			for a := range c.nodeDeps(r.provider, pmi, memo) {
				shared[a] = true
			}
		}
	}
	for m := mi; m.parent != nil; m = m.parent {
		// As in Terraform, all in a module instance comes after what its
		// call's count, for_each and depends_on name.
		mc := m.mod.call.call
		for _, rf := range slices.Concat(mc.meta.refs, mc.extra) {
			c.addRefDeps(shared, rf, m.parent, memo)
		}
	}
	base := sortedAddrs(shared)
	for _, inst := range e.list {
		var own []string
		for i, ks := range inst.keys {
			tu := r.cfg.targets[i]
			if tu.whole {
				continue
			}
			te := mi.exp[tu.node.idx]
			if ks == nil {
				for _, ti := range te.list {
					own = append(own, ti.Addr)
				}
				continue
			}
			for _, k := range ks {
				own = append(own, te.byKey[k].Addr)
			}
		}
		for _, t := range inst.Lifecycle.ReplaceTriggeredBy {
			own = append(own, t.Addr)
		}
		if len(own) == 0 {
			inst.DependsOn = base
			continue
		}
		inst.DependsOn = mergeAddrs(base, own)
	}
}

// providerInst is the module instance a provider block is evaluated in:
// the root, or the one instance of a legacy module that configures a
// provider (nil if it has none, or several: refused at parse).
func (c *Config) providerInst(n *node) *modInst {
	if n.mod.parent == nil {
		return c.root
	}
	if insts := c.insts[n.mod.index]; len(insts) == 1 {
		return insts[0]
	}
	return nil
}

// addRefDeps adds the instances a reference made in module instance mi
// depends on, as seen from any instance: all instances of the target
// block (or the one a literal key names), the dependencies of a named
// value, or of the outputs a module reference reads (every instance in
// the module for depends_on).
func (c *Config) addRefDeps(set map[string]bool, rf *ref, mi *modInst, memo map[memoKey]map[string]bool) {
	if rf.target == nil {
		return
	}
	literal := rf.keyExpr == nil && !rf.whole()
	switch rf.target.kind {
	case kindResource, kindData:
		e := mi.exp[rf.target.idx]
		if e == nil {
			return
		}
		if literal {
			if inst := e.byKey[rf.key.AsString()]; inst != nil {
				set[inst.Addr] = true
				return
			}
		}
		for _, inst := range e.list {
			set[inst.Addr] = true
		}
	case kindLocal, kindVariable, kindOutput:
		for a := range c.nodeDeps(rf.target, mi, memo) {
			set[a] = true
		}
	case kindModule:
		ce := mi.calls[rf.target.idx]
		if ce == nil {
			return
		}
		children := ce.list
		if literal {
			if child := ce.byKey[rf.key.AsString()]; child != nil {
				children = []*modInst{child}
			}
		}
		for _, child := range children {
			switch {
			case rf.everyInstance:
				child.everyInstance(set)
			case rf.attr != "":
				for a := range c.nodeDeps(child.mod.outputs[rf.attr], child, memo) {
					set[a] = true
				}
			default:
				for _, on := range child.mod.outputs {
					for a := range c.nodeDeps(on, child, memo) {
						set[a] = true
					}
				}
			}
		}
	}
}

// nodeDeps is the set of instances a named value or provider
// configuration depends on in module instance mi, transitively through
// other named values.
func (c *Config) nodeDeps(n *node, mi *modInst, memo map[memoKey]map[string]bool) map[string]bool {
	key := memoKey{mi: mi, n: n}
	if s, ok := memo[key]; ok {
		return s
	}
	s := map[string]bool{}
	memo[key] = s
	var refs []*ref
	in := mi
	switch n.kind {
	case kindLocal:
		refs = n.local.scope.refs
	case kindProvider:
		refs = n.provider.scope.refs
	case kindOutput:
		refs = append(slices.Clip(n.output.scope.refs), n.output.extra...)
	case kindVariable:
		if n.variable.arg == nil || mi.parent == nil {
			return s
		}
		refs, in = n.variable.arg.scope.refs, mi.parent
	}
	for _, rf := range refs {
		c.addRefDeps(s, rf, in, memo)
	}
	return s
}

func sortedAddrs(set map[string]bool) []string {
	if len(set) == 0 {
		return nil
	}
	out := make([]string, 0, len(set))
	for a := range set {
		out = append(out, a)
	}
	slices.SortFunc(out, CompareAddrs)
	return out
}

// mergeAddrs merges the sorted base with own (any order), deduplicated.
func mergeAddrs(base, own []string) []string {
	slices.SortFunc(own, CompareAddrs)
	own = slices.Compact(own)
	if len(base) == 0 {
		return own
	}
	out := make([]string, 0, len(base)+len(own))
	i, j := 0, 0
	for i < len(base) || j < len(own) {
		switch {
		case j == len(own):
			out = append(out, base[i])
			i++
		case i == len(base):
			out = append(out, own[j])
			j++
		default:
			switch c := CompareAddrs(base[i], own[j]); {
			case c < 0:
				out = append(out, base[i])
				i++
			case c > 0:
				out = append(out, own[j])
				j++
			default:
				out = append(out, base[i])
				i++
				j++
			}
		}
	}
	return out
}

// imports marks the instances import blocks target.
func (c *Config) imports(st *evaluator) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, imp := range c.t.m.imports {
		if imp.target == nil {
			continue
		}
		e := c.root.exp[imp.target.idx]
		if e == nil || e.failed {
			continue
		}
		key := ""
		if imp.key.Type() != cty.NilType {
			key = imp.key.AsString()
		}
		inst := e.byKey[key]
		if inst == nil {
			diags = append(diags, errorDiag("Import target does not exist",
				fmt.Sprintf("%s has no instance %s: it has %s.", imp.target.addr, instanceAddr("", e.isCount, key), describeKeys(e)), rangePtr(imp.toRange)))
			continue
		}
		ectx, d := st.context(&imp.scope, nil, nil)
		diags = append(diags, d...)
		v, d := imp.id.Value(ectx)
		diags = append(diags, d...)
		v, _ = v.UnmarkDeep() // an id is no secret once it names the object
		if d.HasErrors() {
			continue
		}
		if !v.IsWhollyKnown() || v.IsNull() || v.Type() != cty.String || v.AsString() == "" {
			diags = append(diags, errorDiag("Invalid import id",
				"The import id must be a non-empty string known before apply.", rangePtr(imp.id.Range())))
			continue
		}
		if inst.ImportID != "" {
			diags = append(diags, errorDiag("Duplicate import",
				fmt.Sprintf("%s is already the target of another import block.", inst.Addr), rangePtr(imp.rng)))
			continue
		}
		inst.ImportID = v.AsString()
	}
	return diags
}

// readData reads one data source instance through the engine's callback
// when its configuration is wholly known.
func (c *Config) readData(ctx context.Context, inst *Instance, st *evaluator, read func(context.Context, DataRequest) (cty.Value, error)) hcl.Diagnostics {
	r := inst.node.res
	it := inst.iter()
	ectx, diags := st.context(&r.cfg, &it, inst.keys)
	cfg, d := r.body.eval(ectx, nil)
	diags = append(diags, d...)
	if !st.budget().chargeValue(cfg, inst.DeclRange) {
		return append(diags, st.budget().report()...)
	}
	if diags.HasErrors() || !cfg.IsWhollyKnown() {
		return diags
	}
	// The provider reads with plain values; what the configuration marked
	// sensitive is sensitive in what it read, as Terraform marks it.
	cfg, paths := SensitivePaths(cfg)
	res, err := read(ctx, DataRequest{
		Addr: inst.Addr, Type: inst.Type, Name: inst.Name, Key: inst.Key,
		ProviderName: inst.ProviderName, ProviderAlias: inst.ProviderAlias, Config: cfg,
	})
	switch {
	case err != nil:
		return append(diags, errorDiag("Failed to read data source", fmt.Sprintf("Reading %s failed: %s.", inst.Addr, err), rangePtr(inst.DeclRange)))
	case res.Type() == cty.NilType:
		return append(diags, errorDiag("Failed to read data source", fmt.Sprintf("Reading %s returned no value.", inst.Addr), rangePtr(inst.DeclRange)))
	}
	inst.DataResult = MarkSensitive(res, paths)
	return diags
}
