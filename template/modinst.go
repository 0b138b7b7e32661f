package template

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// modInst is one instance of a module in a Config: the root module, or one
// instance of a module call (module.net[0]). It holds what Expand knows
// of the module's blocks in that instance.
type modInst struct {
	addr   ModuleInstance
	prefix string // addr.prefix(): what comes before the addresses inside it
	mod    *module
	parent *modInst
	it     iteration // the call's count.index or each for this instance

	vals  []cty.Value      // by node idx: Expand-time values of variables, locals and outputs
	exp   []*expansion     // by node idx: the instances of resource and data blocks
	calls []*callExpansion // by node idx: the instances of module calls

	st *evaluator // the static evaluator of Expand in this instance
}

// iteration is what count.index and each.* are for one instance of a
// resource, data source or module call: index is -1 without count, each
// is cty.NilVal without for_each. forEach and meta are the block's
// for_each and its references, to evaluate each.value again (eachValue).
type iteration struct {
	index   int
	key     string
	each    cty.Value
	forEach hcl.Expression
	meta    *scope
}

var noIteration = iteration{index: -1, each: cty.NilVal}

// callExpansion holds the instances of one module call.
type callExpansion struct {
	node    *node
	isCount bool
	isEach  bool
	list    []*modInst // in key order
	byKey   map[string]*modInst
	failed  bool // count or for_each did not evaluate
}

func (c *Config) newModInst(m *module, parent *modInst, addr ModuleInstance, it iteration) *modInst {
	mi := &modInst{
		addr: addr, prefix: addr.prefix(), mod: m, parent: parent, it: it,
		vals: make([]cty.Value, len(m.nodes)), exp: make([]*expansion, len(m.nodes)), calls: make([]*callExpansion, len(m.nodes)),
	}
	mi.st = &evaluator{c: c, static: true, mi: mi, b: c.eb}
	c.insts[m.index] = append(c.insts[m.index], mi)
	return mi
}

// expandCall evaluates count or for_each of a module call in mi and
// creates the module's instances.
func (c *Config) expandCall(n *node, mi *modInst) hcl.Diagnostics {
	mc := n.call
	ce := &callExpansion{node: n}
	mi.calls[n.idx] = ce
	if mi.failedDeps(n) {
		ce.failed = true // already reported
		return nil
	}
	keys, values, kind, diags := c.instanceKeys(mc.count, mc.forEach, &mc.meta, n.dynamic, mi.st)
	if diags.HasErrors() {
		ce.failed = true
		return diags
	}
	ce.isCount, ce.isEach = kind == IntKey, kind == StringKey
	ce.byKey = make(map[string]*modInst, len(keys))
	for i, k := range keys {
		it := noIteration
		it.key = k
		switch kind {
		case IntKey:
			it.index = i
		case StringKey:
			it.each, it.forEach, it.meta = values[i], mc.forEach, &mc.meta
		}
		child := c.newModInst(mc.child, mi, mi.addr.child(mc.name, kind, k), it)
		ce.list = append(ce.list, child)
		ce.byKey[k] = child
	}
	if ce.isEach {
		slices.SortFunc(ce.list, func(a, b *modInst) int { return compareKeys(quoteKey(a.it.key), quoteKey(b.it.key)) })
	}
	return diags
}

// failedDeps reports whether a block n depends on, in the same module
// instance, failed to expand: its own expansion is then skipped, the
// failure having been reported.
func (mi *modInst) failedDeps(n *node) bool {
	for _, d := range n.deps {
		if d.mod != mi.mod {
			continue
		}
		if x := mi.exp[d.idx]; x != nil && x.failed {
			return true
		}
		if x := mi.calls[d.idx]; x != nil && x.failed {
			return true
		}
	}
	return false
}

// instanceKeys evaluates count or for_each (neither: one instance, key
// ""), returning the keys, for_each's values, and the key kind. dynamic
// says the block depends on managed resources (see metaValue).
func (c *Config) instanceKeys(count, forEach hcl.Expression, meta *scope, dynamic bool, st *evaluator) ([]string, []cty.Value, KeyKind, hcl.Diagnostics) {
	switch {
	case count != nil:
		n, diags := c.countValue(count, meta, dynamic, st)
		if diags.HasErrors() {
			return nil, nil, IntKey, diags
		}
		c.growCounts(n)
		keys := make([]string, n)
		for i := range keys {
			keys[i] = strconv.Itoa(i)
		}
		return keys, nil, IntKey, diags
	case forEach != nil:
		keys, values, diags := c.forEachValue(forEach, meta, dynamic, st)
		return keys, values, StringKey, diags
	}
	return []string{""}, nil, NoKey, nil
}

// argValue is the value of a called module's variable in ev's module
// instance: the module block's argument evaluated in the calling module
// instance (with the call's count.index or each), converted to the
// variable's type; the default without an argument.
func (ev *evaluator) argValue(n *node) (cty.Value, hcl.Diagnostics) {
	v := n.variable
	val, diags := ev.bareArgValue(n)
	if !v.ephemeral && v.arg != nil {
		if d := ephemeralDiag(val, "Ephemeral value not allowed",
			fmt.Sprintf("The value for %s's variable %q is ephemeral, and the variable is not declared ephemeral = true.", ev.mi.addr, v.name),
			v.arg.expr, nil); d != nil {
			return cty.DynamicVal, append(diags, d)
		}
	}
	return markVariable(val, v), diags
}

// bareArgValue is argValue before a sensitive variable marks it.
func (ev *evaluator) bareArgValue(n *node) (cty.Value, hcl.Diagnostics) {
	v, mi := n.variable, ev.mi
	if v.arg == nil {
		return v.def, nil
	}
	pev := ev.at(mi.parent)
	ectx, diags := pev.context(&v.arg.scope, &mi.it, nil)
	val, d := v.arg.expr.Value(ectx)
	diags = append(diags, d...)
	if d.HasErrors() {
		return cty.DynamicVal, diags
	}
	invalid := func(detail string) (cty.Value, hcl.Diagnostics) {
		return cty.DynamicVal, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid value for input variable",
			Detail:  fmt.Sprintf("The given value is not suitable for %s's variable %q: %s.", mi.addr, v.name, detail),
			Subject: rangePtr(v.arg.expr.Range()), Expression: v.arg.expr, EvalContext: ectx})
	}
	if val.IsNull() {
		switch {
		case !v.nullable && v.def != cty.NilVal:
			return v.def, diags
		case !v.nullable:
			return invalid("the value must not be null (nullable = false)")
		}
		return cty.NullVal(v.typ), diags
	}
	if v.defaults != nil && val.IsWhollyKnown() {
		val = v.defaults.Apply(val)
	}
	cv, err := convert.Convert(val, v.typ)
	if err != nil {
		return invalid(fmt.Sprintf("a %s is required, but %s", typeName(v), convertErrText(err)))
	}
	return cv, diags
}

// varsObject is the var object of ev's module instance for a scope: the
// root's bound variables, or in a called module the variables the scope
// reads.
func (ev *evaluator) varsObject(sc *scope) (cty.Value, hcl.Diagnostics) {
	if ev.mi.parent == nil {
		return ev.c.varsObj, nil
	}
	return recordOf(sc.varNodes, ev.named)
}

// moduleValue is the value of a module call in ev's module instance, as
// module.NAME reads it: an object of the outputs of its instance; with
// count a tuple of them, with for_each an object of them by key.
func (ev *evaluator) moduleValue(call *node) (cty.Value, hcl.Diagnostics) {
	ce := ev.mi.calls[call.idx]
	if ce == nil || ce.failed {
		return cty.DynamicVal, nil
	}
	var diags hcl.Diagnostics
	objs := make([]cty.Value, len(ce.list))
	for i, child := range ce.list {
		var d hcl.Diagnostics
		objs[i], d = ev.at(child).outputsObject()
		diags = append(diags, d...)
	}
	switch {
	case ce.isCount:
		if len(objs) == 0 {
			return cty.EmptyTupleVal, diags
		}
		return cty.TupleVal(objs), diags
	case ce.isEach:
		m := make(map[string]cty.Value, len(objs))
		for i, child := range ce.list {
			m[child.it.key] = objs[i]
		}
		return objectOrEmpty(m), diags
	case len(objs) == 0:
		return cty.DynamicVal, diags
	}
	return objs[0], diags
}

// outputsObject is the object of the outputs of ev's module instance.
func (ev *evaluator) outputsObject() (cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	m := make(map[string]cty.Value, len(ev.mi.mod.outputs))
	for name, on := range ev.mi.mod.outputs {
		v, d := ev.named(on)
		diags = append(diags, d...)
		m[name] = v
	}
	return objectOrEmpty(m), diags
}

// outputValue evaluates an output of ev's module instance.
func (ev *evaluator) outputValue(n *node) (cty.Value, hcl.Diagnostics) {
	ectx, diags := ev.context(&n.output.scope, nil, nil)
	v, d := n.output.expr.Value(ectx)
	diags = append(diags, d...)
	// The value keeps its marks, and sensitive = true adds none: in
	// Terraform v1.11 the calling module reads a sensitive output as it
	// reads any other, and only root outputs must declare sensitive
	// values. An ephemeral value needs ephemeral = true, which marks it.
	if n.output.ephemeral {
		return v.Mark(Ephemeral), diags
	}
	if d := ephemeralDiag(v, "Ephemeral value not allowed", ephemeralOutputDetail, n.output.expr, ectx); d != nil {
		return cty.DynamicVal, append(diags, d)
	}
	return v, diags
}

// ephemeralOutputDetail explains the refusal of an output whose value
// is ephemeral.
const ephemeralOutputDetail = "This output value is not declared as returning an ephemeral value, so it cannot be set to a result derived from an ephemeral value: outputs are recorded, ephemeral values never are."

// everyInstance adds the address of every resource and data source
// instance in mi and the module instances below it.
func (mi *modInst) everyInstance(set map[string]bool) {
	for _, e := range mi.exp {
		if e != nil {
			for _, inst := range e.list {
				set[inst.Addr] = true
			}
		}
	}
	for _, ce := range mi.calls {
		if ce != nil {
			for _, child := range ce.list {
				child.everyInstance(set)
			}
		}
	}
}
