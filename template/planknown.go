package template

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// planView is what Terraform knows of managed resources when it plans:
// the arguments their configuration sets, known where the configuration
// is known, and everything else (computed attributes, arguments left
// null) unknown. Expand sees managed resources as unknown; when count or
// for_each is not wholly known that way, it evaluates them again with
// this view, so that count = length(terraform_data.a.input), with input a
// literal list, is known as Terraform knows it.
//
// A resource with ignore_changes is seen unknown: its planned arguments
// are its prior state's, which Expand does not have.
type planView struct {
	memo map[*Instance]cty.Value
}

// planned returns the plan-time view of one managed instance, evaluating
// its configuration with ev (a static evaluator with this view) once.
func (pv *planView) planned(ev *evaluator, inst *Instance) cty.Value {
	if v, ok := pv.memo[inst]; ok {
		return v
	}
	r := inst.node.res
	v := cty.DynamicVal
	if !r.lifecycle.ignoreAll && len(r.lifecycle.ignore) == 0 {
		obj, diags := ev.c.evaluate(ev, inst)
		if !diags.HasErrors() && obj.Type().IsObjectType() {
			v = plannedObject(obj, r.patch)
			if r.typ == "terraform_data" && r.providerName == "terraform" {
				v = plannedData(obj, v)
			}
		}
	}
	if pv.memo == nil {
		pv.memo = map[*Instance]cty.Value{}
	}
	pv.memo[inst] = v
	return v
}

// plannedObject is a configuration object as planned: arguments left null
// may be computed by the provider, so they are unknown, and so are the
// attributes other blocks read that the configuration does not set.
func plannedObject(obj cty.Value, read []string) cty.Value {
	if obj.IsNull() || !obj.IsKnown() {
		return cty.DynamicVal
	}
	m := obj.AsValueMap()
	if m == nil {
		m = map[string]cty.Value{}
	}
	for name, v := range m {
		if v.IsNull() {
			m[name] = cty.DynamicVal
		}
	}
	for _, name := range read {
		if _, ok := m[name]; !ok {
			m[name] = cty.DynamicVal
		}
	}
	return cty.ObjectVal(m)
}

// plannedData is the planned view of Terraform's terraform_data, whose
// provider Terraform knows: output will be input once applied, so its
// type is known (length(terraform_data.a.output) of a literal tuple is a
// known number), and it is null when input is. Like the provider's
// output, it is not sensitive when input is.
func plannedData(obj, planned cty.Value) cty.Value {
	in := cty.NullVal(cty.DynamicPseudoType)
	if obj.Type().HasAttribute("input") {
		in, _ = obj.GetAttr("input").Unmark()
	}
	m := planned.AsValueMap()
	if m == nil {
		m = map[string]cty.Value{}
	}
	if m["output"] = in; !in.IsNull() {
		m["output"] = cty.UnknownVal(in.Type())
	}
	return cty.ObjectVal(m)
}

// metaValue evaluates count or for_each: with managed resources unknown,
// and again with the plan-time view when that leaves it not wholly known
// and it refers to managed resources.
func (c *Config) metaValue(expr hcl.Expression, meta *scope, dynamic bool, st *evaluator) (cty.Value, *hcl.EvalContext, hcl.Diagnostics) {
	ectx, diags := st.context(meta, nil, nil)
	v, d := expr.Value(ectx)
	diags = append(diags, d...)
	if !st.budget().chargeValue(v, expr.Range()) {
		return cty.DynamicVal, ectx, append(diags, st.budget().report()...)
	}
	if diags.HasErrors() || v.IsWhollyKnown() || !dynamic {
		return v, ectx, diags
	}
	pv := &evaluator{c: c, static: true, view: &planView{}, mi: st.mi, b: st.budget()}
	pctx, pdiags := pv.context(meta, nil, nil)
	pval, d := expr.Value(pctx)
	if pdiags = append(pdiags, d...); pdiags.HasErrors() {
		return v, ectx, diags
	}
	return pval, pctx, pdiags
}

// eachValue is each.value of an instance of a resource, data source or
// module call (it, evaluated with ev in the module instance that holds the
// block). Expand fixes the keys; a value it could not know wholly
// (for_each = a map of resource attributes) is evaluated again with what
// the evaluator's Values know now, so that apply sees the applied values,
// as Terraform re-evaluates for_each.
func (ev *evaluator) eachValue(it *iteration) cty.Value {
	if ev.static || ev.values == nil || it.forEach == nil || it.each.IsWhollyKnown() {
		return it.each
	}
	ectx, diags := ev.context(it.meta, nil, nil)
	v, d := it.forEach.Value(ectx)
	if diags = append(diags, d...); diags.HasErrors() || !v.IsKnown() || v.IsNull() {
		return it.each
	}
	switch ty := v.Type(); {
	case ty.IsObjectType() && ty.HasAttribute(it.key):
		return v.GetAttr(it.key)
	case ty.IsMapType() && v.HasIndex(cty.StringVal(it.key)) == cty.True:
		return v.Index(cty.StringVal(it.key))
	}
	return it.each // a set (each.value is the key), or a key gone
}
