package template

import (
	"context"
	"reflect"

	"github.com/formation-engine/formation"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Values is what the caller knows of instances while it walks the graph:
// the planner passes prior state for unchanged instances and planned
// objects (computed attributes unknown) for new ones; the executor passes
// applied state. Value returns the full object of the instance at addr
// (an Instance.Addr), or cty.DynamicVal (or cty.NilVal) when nothing is
// known yet. Implementations used with concurrent Evaluate calls must be
// safe for concurrent use.
//
// An object that is not wholly known is taken as planned: a reference to
// an attribute it lacks reads as unknown, since a provider may compute it.
// A wholly known object is taken as final, and a missing attribute is an
// error.
type Values interface {
	Value(addr string) cty.Value
}

// ValuesFunc adapts a function to Values.
type ValuesFunc func(addr string) cty.Value

// Value calls f.
func (f ValuesFunc) Value(addr string) cty.Value { return f(addr) }

// VersionedValues is an optional extension of Values. Evaluate builds the
// value of a whole block with count or for_each (a tuple or object of all
// its instances) when an expression uses it without naming an instance;
// with VersionedValues it reuses that value while Version(block) is
// unchanged. Version receives the block address (Instance.Resource) and
// must change whenever any instance value of that block changes. The cache
// is per Config and keyed by the Values, so it is only used when the
// implementation is a pointer.
type VersionedValues interface {
	Values
	Version(block string) uint64
}

type cachedCollection struct {
	values  Values
	version uint64
	val     cty.Value
}

var (
	pathObj = cty.ObjectVal(map[string]cty.Value{
		"module": cty.StringVal("."), "root": cty.StringVal("."), "cwd": cty.StringVal("."),
	})
	// terraform.applying is ephemeral, and false: Formation evaluates
	// what may read it (locals, conditions, provider configurations) when
	// it plans.
	terraformObj = cty.ObjectVal(map[string]cty.Value{"workspace": cty.StringVal("default"), "applying": cty.False.Mark(Ephemeral)})
)

// Evaluate evaluates the configuration body of one instance of this Config
// (meta-arguments excluded) to an object: attributes by name, nested blocks
// as tuples of objects under their type. References to other instances
// read values; references to a block with count or for_each that name no
// instance see a tuple (count) or object (for_each) of all of them. Locals
// that depend on managed resources are evaluated again with values. A nil
// values knows nothing: every reference to an instance is unknown.
//
// The evaluation context holds only what the instance's expressions
// reference, and a reference such as prev[count.index] fetches only the
// instance it names, so evaluating every instance costs time linear in
// the number of instances.
func (c *Config) Evaluate(ctx context.Context, inst *Instance, values Values) (cty.Value, hcl.Diagnostics) {
	if inst == nil || c.byAddr[inst.Addr] != inst {
		return cty.DynamicVal, hcl.Diagnostics{errorDiag("Unknown instance", "Evaluate was given an instance that does not belong to this Config.", nil)}
	}
	return c.evaluate(c.evaluator(ctx, values, inst.mi), inst)
}

// evaluate is Evaluate with an evaluator, which it moves to the
// instance's module instance.
func (c *Config) evaluate(ev *evaluator, inst *Instance) (cty.Value, hcl.Diagnostics) {
	ev = ev.at(inst.mi)
	r := inst.node.res
	b := ev.budget()
	ectx := evalContexts.Get().(*hcl.EvalContext)
	ectx.Functions = b.scopeFunctions(r.cfg.funcs)
	lz := &lazyGroups{ev: ev, ctx: ectx, sc: &r.cfg, keys: inst.keys, count: inst.index}
	it := inst.iter()
	diags := ev.variables(ectx.Variables, &r.cfg, &it, inst.keys, true)
	v, d := r.body.eval(ectx, lz)
	diags = append(diags, d...)
	if c.t.ephemeral && containsMark(v, Ephemeral) {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid use of ephemeral value",
			Detail:  "Ephemeral values are not valid in resource and data source arguments: they are never recorded, and a configuration is.",
			Subject: rangePtr(inst.DeclRange)})
	}
	if len(r.pre) > 0 {
		diags = append(diags, checkConditions(r.pre, ectx, lz, resourcePrecondition, hcl.DiagError)...)
	}
	b.chargeValue(v, inst.DeclRange)
	if diags = b.result(diags); len(diags) > 0 {
		lz.build() // diagnostics keep the context: it gets every variable
		attachFiles(diags, c.t.files)
		return v, diags
	}
	clear(ectx.Variables) // no other evaluation may see these, nor the pool keep them alive
	evalContexts.Put(ectx)
	return v, nil
}

// evalContexts recycles the evaluation contexts of Evaluate: allocating a
// context and its map of variables per instance cost a tenth of
// Evaluate's time. A context is reused only after an evaluation without
// diagnostics, since diagnostics keep it (hcl.Diagnostic.EvalContext);
// nothing else does: values never refer to the context they were evaluated
// in (try and can hold it only while they run).
var evalContexts = sync.Pool{New: func() any { return &hcl.EvalContext{Variables: map[string]cty.Value{}} }}

// evaluator builds evaluation contexts in one module instance. The static
// evaluator of Expand sees managed resources as unknown and locals at
// their Expand-time values; the others ask Values.
type evaluator struct {
	c      *Config
	static bool
	values Values
	mi     *modInst
	memo   map[memoKey]cty.Value // dynamic named values evaluated by this evaluator (and those at shares it with)
	// view, on a static evaluator, gives managed resources their plan-time
	// values instead of unknown (and so evaluates dynamic named values).
	view *planView
	b    *budget // what its evaluations may build; see budget
}

// evaluator returns the evaluator of one evaluation (Evaluate, Outputs,
// …) in module instance mi, with a budget of the template's limits that
// stops when ctx is done.
func (c *Config) evaluator(ctx context.Context, values Values, mi *modInst) *evaluator {
	return &evaluator{c: c, values: values, mi: mi, b: newBudget(ctx, c.t.limits, c.funcs)}
}

// budget returns the evaluator's budget: its evaluation's, or Expand's.
func (ev *evaluator) budget() *budget { return ev.b }

// memoKey is a named value (local, a called module's variable or output)
// in one module instance.
type memoKey struct {
	mi *modInst
	n  *node
}

// at returns an evaluator like ev in module instance mi, sharing its
// memo.
func (ev *evaluator) at(mi *modInst) *evaluator {
	if mi == ev.mi {
		return ev
	}
	if ev.static && ev.view == nil {
		return mi.st
	}
	if ev.memo == nil {
		ev.memo = map[memoKey]cty.Value{}
	}
	return &evaluator{c: ev.c, static: ev.static, values: ev.values, mi: mi, memo: ev.memo, view: ev.view, b: ev.budget()}
}

// context builds the hcl.EvalContext for a scope; it and keys give
// count.index, each.* and the instance keys of keyed references (aligned
// with sc.targets), both nil outside resource bodies and module arguments.
func (ev *evaluator) context(sc *scope, it *iteration, keys [][]string) (*hcl.EvalContext, hcl.Diagnostics) {
	vars := make(map[string]cty.Value, 5)
	diags := ev.variables(vars, sc, it, keys, false)
	return &hcl.EvalContext{Variables: vars, Functions: ev.budget().scopeFunctions(sc.funcs)}, diags
}

// variables puts into vars the variables of the evaluation context of a
// scope, as context describes it; with lazy, those of resource types are
// left to a lazyGroups.
func (ev *evaluator) variables(vars map[string]cty.Value, sc *scope, it *iteration, keys [][]string, lazy bool) hcl.Diagnostics {
	var diags hcl.Diagnostics
	ev.budget().install(vars)
	if sc.vars {
		v, d := ev.varsObject(sc)
		diags = append(diags, d...)
		vars["var"] = v
	}
	if len(sc.modules) > 0 {
		v, d := recordOf(sc.modules, ev.moduleValue)
		diags = append(diags, d...)
		vars["module"] = v
	}
	if sc.path {
		vars["path"] = ev.mi.mod.pathValue()
	}
	if sc.terraform {
		vars["terraform"] = terraformObj
	}
	if it != nil && sc.count && it.index >= 0 {
		vars["count"] = ev.c.counts[it.index]
	}
	if it != nil && sc.each && it.each.Type() != cty.NilType {
		vars["each"] = cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(it.key), "value": ev.eachValue(it)})
	}
	if len(sc.locals) > 0 {
		v, d := recordOf(sc.locals, ev.named)
		diags = append(diags, d...)
		vars["local"] = v
	}
	var data map[string]cty.Value
	if sc.dataTypes > 0 {
		data = make(map[string]cty.Value, sc.dataTypes)
	}
	for i := range sc.groups {
		switch g := &sc.groups[i]; {
		case g.data:
			data[g.typ] = ev.group(sc, g, keys)
		case !lazy:
			vars[g.typ] = ev.group(sc, g, keys)
		}
	}
	if data != nil {
		vars["data"] = record(data)
	}
	return diags
}

// recordOf is the record of the values of named nodes (locals, variables,
// module calls) by name.
func recordOf(nodes []*node, value func(*node) (cty.Value, hcl.Diagnostics)) (cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	m := make(map[string]cty.Value, len(nodes))
	for _, n := range nodes {
		v, d := value(n)
		diags = append(diags, d...)
		_, name, _ := strings.Cut(n.addr, ".")
		m[name] = v
	}
	return record(m), diags
}

// group is the record of a target group: its blocks by name.
func (ev *evaluator) group(sc *scope, g *targetGroup, keys [][]string) cty.Value {
	m := make(map[string]cty.Value, len(g.targets))
	for _, i := range g.targets {
		tu := sc.targets[i]
		m[tu.node.res.name] = ev.target(tu, keysOf(keys, i))
	}
	return record(m)
}

// keysOf is the instance keys of a scope's target i, nil when none.
func keysOf(keys [][]string, i int) []string {
	if keys == nil {
		return nil
	}
	return keys[i]
}

// growCounts makes c.counts hold the count objects of indexes 0 to n-1.
// Every instance of every block with count shares them: a value is
// immutable, and building one per evaluation was a map, a number and a type
// each time. Built once, an object costs no more than a map, and hcl reads
// an attribute of an object in half the time of an element of a map.
func (c *Config) growCounts(n int) {
	for i := len(c.counts); i < n; i++ {
		index := cty.NumberIntVal(int64(i))
		c.counts = append(c.counts, cty.ObjectVal(map[string]cty.Value{"index": index}))
		c.countKeys = append(c.countKeys, countKey{index: index, s: strconv.Itoa(i)})
	}
}

// countKey is a count.index value and the string it converts to. Most
// numbers evaluation turns into strings are an instance's own count.index
// ("name-${count.index}", prev[count.index]); intString reads the number
// out of its value, a copy of a big.Float each time, where the key of a
// count object has its string ready.
type countKey struct {
	index cty.Value // the value of the count object's index attribute
	s     string
}

// record makes the value behind a name in an evaluation context (local,
// a resource type, data, a keyed block): an object of the referenced
// names, or for a single name a one-element map, which references read the
// same way (references always name an attribute of these values) and
// which costs one allocation less per evaluation.
func record(m map[string]cty.Value) cty.Value {
	if len(m) == 1 {
		return cty.MapVal(m)
	}
	return cty.ObjectVal(m)
}

// named returns a named value of ev's module instance (a local, or a
// called module's variable or output): its Expand-time value, or for one
// that depends on managed resources (outside Expand) its value with
// ev.values.
func (ev *evaluator) named(n *node) (cty.Value, hcl.Diagnostics) {
	if ev.static && ev.view == nil || !n.dynamic {
		if v := ev.mi.vals[n.idx]; v.Type() != cty.NilType {
			return v, nil
		}
		return cty.DynamicVal, nil
	}
	key := memoKey{mi: ev.mi, n: n}
	if v, ok := ev.memo[key]; ok {
		return v, nil
	}
	var v cty.Value
	var diags hcl.Diagnostics
	switch n.kind {
	case kindLocal:
		var ectx *hcl.EvalContext
		ectx, diags = ev.context(&n.local.scope, nil, nil)
		var d hcl.Diagnostics
		v, d = exprValue(n.local.expr, ectx, nil)
		diags = append(diags, d...)
		ev.budget().chargeValue(v, n.rng)
	case kindVariable:
		v, diags = ev.argValue(n)
	case kindOutput:
		v, diags = ev.outputValue(n)
	default:
		v = cty.DynamicVal
	}
	if ev.memo == nil {
		ev.memo = map[memoKey]cty.Value{}
	}
	ev.memo[key] = v
	return v, diags
}

// target is the value of a resource or data block as a scope sees it:
// the single instance; the keyed instances only, as an object by key; or
// the collection of all instances. In Expand, managed instances are
// unknown but the collections have their shape: length(vpc) and
// for_each = vpc (over a for_each block) are known.
func (ev *evaluator) target(tu *targetUse, keys []string) cty.Value {
	e := ev.mi.exp[tu.node.idx]
	switch {
	case e == nil || e.failed:
		return cty.DynamicVal
	case !e.isCount && !e.isEach:
		if len(e.list) == 0 {
			return cty.DynamicVal
		}
		return ev.fetch(e.list[0])
	case keys != nil:
		m := make(map[string]cty.Value, len(keys))
		for _, k := range keys {
			if inst := e.byKey[k]; inst != nil {
				m[k] = ev.fetch(inst)
			}
		}
		return record(m)
	}
	return ev.collection(e)
}

// keyed returns the expansion of a target that target reads through the
// instance keys, as a record by key; nil when target reads it otherwise.
func (ev *evaluator) keyed(tu *targetUse, keys []string) *expansion {
	e := ev.mi.exp[tu.node.idx]
	if e == nil || e.failed || !e.isCount && !e.isEach || keys == nil {
		return nil
	}
	return e
}

// fetch returns what is known of one instance.
func (ev *evaluator) fetch(inst *Instance) cty.Value {
	if inst.DataResult.Type() != cty.NilType {
		return inst.DataResult
	}
	if ev.view != nil && inst.Mode != formation.ModeData {
		return ev.view.planned(ev, inst)
	}
	if ev.static || ev.values == nil {
		return cty.DynamicVal
	}
	v := ev.values.Value(inst.Addr)
	if v.Type() == cty.NilType {
		return cty.DynamicVal
	}
	return patch(v, inst.node.res.patch)
}

// patch adds, unknown, the attributes other blocks read that a planned
// (not wholly known) object lacks, so that reading them yields unknown
// rather than an error.
func patch(v cty.Value, names []string) cty.Value {
	if len(names) == 0 || !v.IsKnown() || v.IsNull() || !v.Type().IsObjectType() {
		return v
	}
	ty := v.Type()
	var missing []string
	for _, name := range names {
		if !ty.HasAttribute(name) {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 || v.IsWhollyKnown() {
		return v
	}
	m := v.AsValueMap()
	for _, name := range missing {
		m[name] = cty.DynamicVal
	}
	return cty.ObjectVal(m)
}

// collection builds the value of a whole block with count (a tuple) or
// for_each (an object by key), reusing it while a VersionedValues reports
// the same version.
func (ev *evaluator) collection(e *expansion) cty.Value {
	vv, versioned := ev.values.(VersionedValues)
	versioned = versioned && !ev.static && reflect.TypeOf(ev.values).Kind() == reflect.Pointer
	var version uint64
	if versioned {
		version = vv.Version(e.block)
		ev.c.mu.Lock()
		cached, ok := ev.c.cache[e]
		ev.c.mu.Unlock()
		if ok && cached.values == ev.values && cached.version == version {
			return cached.val
		}
	}
	var val cty.Value
	if e.isCount {
		if len(e.list) == 0 {
			val = cty.EmptyTupleVal
		} else {
			elems := make([]cty.Value, len(e.list))
			for i, inst := range e.list {
				elems[i] = ev.fetch(inst)
			}
			val = cty.TupleVal(elems)
		}
	} else {
		m := make(map[string]cty.Value, len(e.list))
		for _, inst := range e.list {
			m[inst.Key] = ev.fetch(inst)
		}
		val = objectOrEmpty(m)
	}
	if versioned {
		ev.c.mu.Lock()
		if ev.c.cache == nil {
			ev.c.cache = map[*expansion]cachedCollection{}
		}
		ev.c.cache[e] = cachedCollection{values: ev.values, version: version, val: val}
		ev.c.mu.Unlock()
	}
	return val
}

// keyVariables is the parent context of the key contexts of one block's
// instances: variables, the locals known so far, path and terraform.
func (ev *evaluator) keyVariables() *hcl.EvalContext {
	mi := ev.mi
	locals := map[string]cty.Value{}
	for name, ln := range mi.mod.locals {
		if v := mi.vals[ln.idx]; v.Type() != cty.NilType {
			locals[name] = v
		}
	}
	vars := ev.c.varsObj
	if mi.parent != nil {
		m := map[string]cty.Value{}
		for name, vn := range mi.mod.variables {
			if v := mi.vals[vn.idx]; v.Type() != cty.NilType {
				m[name] = v
			}
		}
		vars = objectOrEmpty(m)
	}
	b := ev.budget()
	return &hcl.EvalContext{
		Variables: map[string]cty.Value{
			"var": vars, "local": objectOrEmpty(locals), "path": mi.mod.pathValue(), "terraform": terraformObj,
			budgetVar: b.val,
		},
		Functions: b.allFunctions(),
	}
}

// keyContext adds an instance's count.index and each.* to base.
func (ev *evaluator) keyContext(base *hcl.EvalContext, inst *Instance) *hcl.EvalContext {
	child := base.NewChild()
	child.Variables = make(map[string]cty.Value, 1)
	if inst.index >= 0 {
		child.Variables["count"] = ev.c.counts[inst.index]
	}
	if inst.eachValue.Type() != cty.NilType {
		child.Variables["each"] = cty.ObjectVal(map[string]cty.Value{"key": cty.StringVal(inst.Key), "value": inst.eachValue})
	}
	return child
}
