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
// depends_on, the provider configuration) is computed once and the slice
// shared; keyed references and replace_triggered_by add per instance.
func (c *Config) dependencies(e *expansion) {
	r := e.node.res
	shared := map[string]bool{}
	for _, rf := range r.meta.refs {
		c.addRefDeps(shared, rf)
	}
	for _, rf := range r.cfg.refs {
		if rf.target != nil && rf.target.res != nil && !rf.whole() {
			continue // per instance, through inst.keys
		}
		c.addRefDeps(shared, rf)
	}
	for _, rf := range r.extra {
		c.addRefDeps(shared, rf)
	}
	if r.provider != nil {
		for a := range c.nodeDeps(r.provider, map[*node]map[string]bool{}) {
			shared[a] = true
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
			te := c.exp[tu.node.id]
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

// addRefDeps adds the instances a reference depends on, as seen from any
// instance: all instances of the target block (or the one a literal key
// names), or the dependencies of a local value.
func (c *Config) addRefDeps(set map[string]bool, rf *ref) {
	if rf.target == nil {
		return
	}
	switch rf.target.kind {
	case kindResource, kindData:
		e := c.exp[rf.target.id]
		if e == nil {
			return
		}
		if rf.keyExpr == nil && !rf.whole() {
			if inst := e.byKey[rf.key.AsString()]; inst != nil {
				set[inst.Addr] = true
				return
			}
		}
		for _, inst := range e.list {
			set[inst.Addr] = true
		}
	case kindLocal:
		for a := range c.nodeDeps(rf.target, map[*node]map[string]bool{}) {
			set[a] = true
		}
	}
}

// nodeDeps is the set of instances a local value or provider configuration
// depends on, transitively through other locals.
func (c *Config) nodeDeps(n *node, memo map[*node]map[string]bool) map[string]bool {
	if s, ok := memo[n]; ok {
		return s
	}
	s := map[string]bool{}
	memo[n] = s
	var sc *scope
	switch n.kind {
	case kindLocal:
		sc = &n.local.scope
	case kindProvider:
		sc = &n.provider.scope
	default:
		return s
	}
	for _, rf := range sc.refs {
		if rf.target != nil && rf.target.kind == kindLocal {
			for a := range c.nodeDeps(rf.target, memo) {
				s[a] = true
			}
			continue
		}
		c.addRefDeps(s, rf)
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
		e := c.exp[imp.target.id]
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
	ectx, diags := st.context(&r.cfg, inst, inst.keys)
	cfg, d := r.body.eval(ectx, nil)
	diags = append(diags, d...)
	if diags.HasErrors() || !cfg.IsWhollyKnown() {
		return diags
	}
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
	inst.DataResult = res
	return diags
}
