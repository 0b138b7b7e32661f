package template

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/formation-engine/formation"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// Config is a template expanded with variables: the instances with their
// dependencies, ready for the planner and executor to evaluate one by one
// with what they know of the others (Evaluate). A Config is immutable
// after Expand and safe for concurrent use, Evaluate included.
type Config struct {
	t         *Template
	vars      map[string]cty.Value
	varsObj   cty.Value
	root      *modInst
	insts     [][]*modInst // the instances of every module, by module index
	instances []*Instance  // sorted by CompareAddrs
	byAddr    map[string]*Instance
	warnings  hcl.Diagnostics
	eb        *budget                      // Expand's, which its static evaluators charge
	funcs     map[string]function.Function // the template's, plantimestamp fixed

	graphOnce sync.Once
	graph     *Graph

	counts    []cty.Value // count objects by index, shared by all instances; grown by Expand only
	countKeys []countKey  // their indexes as strings, aligned with counts

	mu    sync.Mutex
	cache map[*expansion]cachedCollection // collection values, for VersionedValues
}

// expansion holds the instances of one resource or data block in one
// module instance.
type expansion struct {
	node    *node
	mi      *modInst
	block   string // the block's address in its module instance: Instance.Resource
	isCount bool
	isEach  bool
	list    []*Instance // in key order
	byKey   map[string]*Instance
	failed  bool // count or for_each did not evaluate
}

// Expand binds the variables of in (checking them), evaluates locals that
// do not depend on managed resources, reads the data sources it can
// through in.DataSource, evaluates count and for_each, and returns the
// instances with their dependency graph. Problems with variables are
// CodeInvalidVariables errors, problems with the template CodeInvalidTemplate
// errors, both carrying hcl.Diagnostics; sizes over the limits are
// CodeTooLong; a cancelled ctx or one past its deadline is CodeCanceled
// or CodeTimeout, through which errors.Is sees ctx.Err().
func (t *Template) Expand(ctx context.Context, in Input) (*Config, error) {
	const op = "template.Expand"
	if err := ctx.Err(); err != nil {
		return nil, formation.ContextError(op, err)
	}
	funcs := t.funcs
	if t.callsPlanTimestamp() {
		at := in.PlanTimestamp
		if at.IsZero() {
			at = t.now()
		}
		funcs = withPlanTime(t.funcs, at)
	}
	b := newBudget(ctx, t.limits, funcs)
	vars, warnings, err := t.resolveVariables(op, in, b)
	if err != nil {
		return nil, err
	}
	// Expressions read sensitive and ephemeral variables marked;
	// Variables gives the values as bound.
	marked := make(map[string]cty.Value, len(vars))
	for name, v := range vars {
		marked[name] = markVariable(v, t.m.variables[name].variable)
	}
	c := &Config{
		t: t, vars: vars, funcs: funcs,
		insts:    make([][]*modInst, len(t.mods)),
		warnings: warnings,
	}
	c.eb = b
	c.root = c.newModInst(t.m, nil, nil, noIteration)
	for name, vn := range t.m.variables {
		c.root.vals[vn.idx] = marked[name]
	}
	c.varsObj = objectOrEmpty(marked)
	var diags hcl.Diagnostics
	for _, n := range t.nodes {
		for _, mi := range c.insts[n.mod.index] {
			if err := ctx.Err(); err != nil {
				return nil, formation.ContextError(op, err)
			}
			d, err := c.expandNode(ctx, n, mi, in.DataSource)
			if err != nil {
				return nil, formation.ContextError(op, err)
			}
			diags = append(diags, d...)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, formation.ContextError(op, err)
	}
	if !diags.HasErrors() {
		diags = append(diags, c.imports(c.root.st)...)
	}
	if err := diagError(op, formation.CodeInvalidTemplate, b.result(diags), t.files); err != nil {
		return nil, err
	}
	c.collect()
	if len(t.moves) > 0 {
		if err := diagError(op, formation.CodeInvalidTemplate, c.checkMoves(), t.files); err != nil {
			return nil, err
		}
	}
	c.warnings = append(c.warnings, warningsOnly(diags)...)
	attachFiles(c.warnings, t.files)
	return c, nil
}

// expandNode evaluates what Expand needs of one block in one module
// instance: a local's, a called module's variable's or output's value,
// a resource or data block's instances, a module call's instances.
func (c *Config) expandNode(ctx context.Context, n *node, mi *modInst, read func(context.Context, DataRequest) (cty.Value, error)) (hcl.Diagnostics, error) {
	st := mi.st
	switch n.kind {
	case kindLocal:
		ectx, diags := st.context(&n.local.scope, nil, nil)
		v, d := n.local.expr.Value(ectx)
		st.budget().chargeValue(v, n.rng)
		mi.vals[n.idx] = v
		return append(diags, d...), nil
	case kindVariable:
		if mi.parent == nil {
			return nil, nil // bound from the Input
		}
		v, diags := st.argValue(n)
		mi.vals[n.idx] = v
		if !diags.HasErrors() && st.budget().chargeValue(v, n.rng) && v.IsWhollyKnown() {
			vars, _ := st.varsObject(&scope{varNodes: slices.Collect(maps.Values(mi.mod.variables))})
			diags = append(diags, checkValidations(n.variable, vars, st.budget())...)
		}
		return diags, nil
	case kindOutput:
		if mi.parent == nil {
			return nil, nil // Outputs evaluates them
		}
		v, diags := st.outputValue(n)
		mi.vals[n.idx] = v
		return diags, nil
	case kindModule:
		return c.expandCall(n, mi), nil
	case kindResource, kindData:
		return c.expand(ctx, n, mi, read)
	}
	return nil, nil
}

// collect lists the instances in CompareAddrs order: blocks sorted by
// address (root module first, managed before data), instances in key
// order within a block.
func (c *Config) collect() {
	var exps []*expansion
	total := 0
	for _, insts := range c.insts {
		for _, mi := range insts {
			for _, e := range mi.exp {
				if e != nil {
					exps = append(exps, e)
					total += len(e.list)
				}
			}
		}
	}
	sort.Slice(exps, func(i, j int) bool { return CompareAddrs(exps[i].block, exps[j].block) < 0 })
	c.instances = make([]*Instance, 0, total)
	c.byAddr = make(map[string]*Instance, total)
	for _, e := range exps {
		c.instances = append(c.instances, e.list...)
		for _, inst := range e.list {
			c.byAddr[inst.Addr] = inst
		}
	}
}

// expand evaluates count or for_each of one block, creates its instances,
// resolves their keyed references and dependencies, and reads data
// sources.
func (c *Config) expand(ctx context.Context, n *node, mi *modInst, read func(context.Context, DataRequest) (cty.Value, error)) (hcl.Diagnostics, error) {
	r, st := n.res, mi.st
	e := &expansion{node: n, mi: mi, block: mi.prefix + n.addr}
	mi.exp[n.idx] = e
	if mi.failedDeps(n) {
		e.failed = true // already reported
		return nil, nil
	}
	keys, values, kind, diags := c.instanceKeys(r.count, r.forEach, &r.meta, n.dynamic, st)
	if diags.HasErrors() {
		e.failed = true
		return diags, nil
	}
	e.isCount, e.isEach = kind == IntKey, kind == StringKey
	c.instantiate(e, keys, values)
	diags = append(diags, c.resolveKeys(e, st)...)
	if diags.HasErrors() {
		return diags, nil
	}
	c.dependencies(e)
	if n.kind == kindData && !n.dynamic && read != nil {
		for _, inst := range e.list {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			diags = append(diags, c.readData(ctx, inst, st, read)...)
		}
	}
	return diags, nil
}

func (c *Config) instantiate(e *expansion, keys []string, values []cty.Value) {
	n, r := e.node, e.node.res
	slab := make([]Instance, len(keys))
	e.list = make([]*Instance, len(keys))
	e.byKey = make(map[string]*Instance, len(keys))
	for i, k := range keys {
		inst := &slab[i]
		*inst = Instance{
			Addr: instanceAddr(e.block, e.isCount, k), Resource: e.block, Module: e.mi.addr, Mode: r.mode,
			Type: r.typ, Name: r.name, Key: k,
			ProviderName: r.providerName, ProviderAlias: r.providerAlias,
			Lifecycle: Lifecycle{
				CreateBeforeDestroy: r.lifecycle.createBeforeDestroy, PreventDestroy: r.lifecycle.preventDestroy,
				IgnoreAllChanges: r.lifecycle.ignoreAll, IgnoreChanges: r.lifecycle.ignore,
			},
			DataResult: cty.NilVal, DeclRange: n.rng,
			node: n, mi: e.mi, index: -1, eachValue: cty.NilVal,
		}
		if e.isCount {
			inst.index = i
		}
		if e.isEach {
			inst.eachValue = values[i]
		}
		e.list[i] = inst
		e.byKey[k] = inst
	}
	if e.isEach {
		slices.SortFunc(e.list, func(a, b *Instance) int { return CompareAddrs(a.Addr, b.Addr) })
	}
}

// countValue evaluates count: a known whole number from 0 to the limit.
func (c *Config) countValue(expr hcl.Expression, meta *scope, dynamic bool, st *evaluator) (int, hcl.Diagnostics) {
	v, ectx, diags := c.metaValue(expr, meta, dynamic, st)
	if diags.HasErrors() {
		return 0, diags
	}
	bad := func(detail string) (int, hcl.Diagnostics) {
		return 0, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid count argument", Detail: detail,
			Subject: rangePtr(expr.Range()), Expression: expr, EvalContext: ectx})
	}
	if v.HasMark(Ephemeral) {
		return bad(`The given "count" is derived from an ephemeral value, which is never recorded between plan and apply. Use only non-ephemeral values to specify a resource's instance count.`)
	}
	// A sensitive count is allowed, as in Terraform: instance keys
	// numbered from zero reveal nothing of it.
	v, _ = v.Unmark()
	if !v.IsKnown() {
		return bad(unknownDetail(`"count"`, meta.refs, ectx, "how many instances to create"))
	}
	if v.IsNull() {
		return bad(`The given "count" argument value is null. An integer is required.`)
	}
	num, err := convert.Convert(v, cty.Number)
	if err != nil {
		return bad(fmt.Sprintf(`The given "count" argument value is unsuitable: %s.`, err))
	}
	bf := num.AsBigFloat()
	i, acc := bf.Int64()
	switch {
	case !bf.IsInt() || acc != 0:
		return bad(`The given "count" argument value is unsuitable: the count must be a whole number.`)
	case i < 0:
		return bad(`The given "count" argument value is unsuitable: negative numbers are not supported.`)
	case exceeds(i, int64(c.t.limits.MaxCount)):
		return bad(fmt.Sprintf(`The given "count" argument value is %d; RFS allows at most %d instances per block.`, i, c.t.limits.MaxCount))
	}
	return int(i), diags
}

// forEachValue evaluates for_each: a map or object (keys and values) or a
// set of strings (each value is the key), wholly known keys.
func (c *Config) forEachValue(expr hcl.Expression, meta *scope, dynamic bool, st *evaluator) ([]string, []cty.Value, hcl.Diagnostics) {
	v, ectx, diags := c.metaValue(expr, meta, dynamic, st)
	if diags.HasErrors() {
		return nil, nil, diags
	}
	bad := func(detail string) ([]string, []cty.Value, hcl.Diagnostics) {
		return nil, nil, append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid for_each argument", Detail: detail,
			Subject: rangePtr(expr.Range()), Expression: expr, EvalContext: ectx})
	}
	ty := v.Type()
	switch {
	case v.HasMark(Ephemeral):
		return bad(`The given "for_each" value is derived from an ephemeral value, which is never recorded between plan and apply. Use only non-ephemeral values to specify a resource's instance keys.`)
	case v.HasMark(Sensitive):
		// Its keys would be instance keys, shown everywhere. A map whose
		// values are sensitive is fine: each.value stays marked.
		return bad("Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments. " +
			"If used, the sensitive value could be exposed as a resource instance key.")
	case !v.IsKnown() || (ty.IsSetType() && !v.IsWhollyKnown()):
		return bad(unknownDetail(`"for_each"`, meta.refs, ectx, "which instances to create"))
	case v.IsNull():
		return bad(`The given "for_each" argument value is null. A map, or set of strings, is allowed.`)
	case ty.IsMapType() || ty.IsObjectType():
	case ty.IsSetType():
		// toset([]) has an element type of dynamic: empty is fine whatever
		// the element type, it makes no instances.
		if !ty.ElementType().Equals(cty.String) && v.LengthInt() > 0 {
			return bad(fmt.Sprintf(`The given "for_each" argument value is unsuitable: "for_each" supports maps and sets of strings, but you have provided a set containing type %s.`, ty.ElementType().FriendlyName()))
		}
	default:
		return bad(fmt.Sprintf(`The given "for_each" argument value is unsuitable: the "for_each" argument must be a map, or set of strings, and you have provided a value of type %s. Convert a list with toset().`, ty.FriendlyName()))
	}
	if n := v.LengthInt(); exceeds(n, c.t.limits.MaxForEach) {
		return bad(fmt.Sprintf(`The given "for_each" argument value has %d keys; RFS allows at most %d.`, n, c.t.limits.MaxForEach))
	}
	var keys []string
	var values []cty.Value
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		if ty.IsSetType() {
			if ev.IsNull() {
				return bad(`The given "for_each" argument value is unsuitable: "for_each" sets must not contain null values.`)
			}
			k = ev
		}
		keys = append(keys, k.AsString())
		values = append(values, ev)
	}
	return keys, values, diags
}

// unknownDetail explains which references make a count or for_each value
// unknown.
func unknownDetail(arg string, refs []*ref, ectx *hcl.EvalContext, what string) string {
	var names []string
	seen := map[string]bool{}
	for _, r := range refs {
		if r.trav == nil || seen[r.text] {
			continue
		}
		if v, d := r.trav.TraverseAbs(ectx); !d.HasErrors() && !v.IsWhollyKnown() {
			seen[r.text] = true
			names = append(names, r.text)
		}
	}
	which := "a value that is known only after apply"
	if len(names) > 0 {
		which = strings.Join(names, ", ") + ", which is known only after apply"
		if len(names) > 1 {
			which = strings.Join(names, ", ") + ", which are known only after apply"
		}
	}
	return fmt.Sprintf("The %s value depends on %s. RFS must know %s when it plans: use values known before apply (variables, locals built from them, data sources that do not depend on resources).", arg, which, what)
}

// resolveKeys computes, per instance, which instances of other blocks its
// keyed references (prev[count.index], vpc["a"]) name, and checks they
// exist. A key that cannot be computed now falls back to the whole block.
func (c *Config) resolveKeys(e *expansion, st *evaluator) hcl.Diagnostics {
	r := e.node.res
	var keyed []int
	for i, tu := range r.cfg.targets {
		if !tu.whole {
			keyed = append(keyed, i)
		}
	}
	var triggers []*trigger
	for _, t := range r.lifecycle.triggers {
		if t.ref != nil {
			triggers = append(triggers, t)
		}
	}
	if len(keyed) == 0 && len(triggers) == 0 {
		return nil
	}
	var diags hcl.Diagnostics
	var base *hcl.EvalContext
	for _, inst := range e.list {
		kctx := func() *hcl.EvalContext {
			if base == nil {
				base = st.keyVariables()
			}
			return st.keyContext(base, inst)
		}
		if len(keyed) > 0 {
			inst.keys = make([][]string, len(r.cfg.targets))
			for _, i := range keyed {
				tu := r.cfg.targets[i]
				var ks []string
				for _, rf := range tu.keyed {
					// A key that names no instance, or no valid key, is
					// not an error here: the expression may never read it
					// (try, the branch of a conditional not taken), and
					// evaluating it reports the error where it is read, as
					// Terraform does. The reference then sees the whole
					// block.
					k, ok, _ := c.refKey(rf, inst, kctx)
					if !ok {
						ks = nil
						break
					}
					if !slices.Contains(ks, k) {
						ks = append(ks, k)
					}
				}
				inst.keys[i] = ks
			}
		}
		for _, t := range triggers {
			addrs, d := c.refInstances(t.ref, inst, kctx)
			diags = append(diags, d...)
			for _, a := range addrs {
				inst.Lifecycle.ReplaceTriggeredBy = append(inst.Lifecycle.ReplaceTriggeredBy, Trigger{Addr: a, Path: traversalPath(t.ref.rest)})
			}
		}
	}
	return diags
}

// refKey computes the instance key a keyed reference names for inst; ok
// is false when it cannot be known now. kctx gives the evaluation context
// of the key expression.
func (c *Config) refKey(rf *ref, inst *Instance, kctx func() *hcl.EvalContext) (string, bool, hcl.Diagnostics) {
	target := inst.mi.exp[rf.target.idx]
	if target == nil || target.failed {
		return "", false, nil
	}
	var k string
	switch {
	case rf.keyExpr == nil:
		k = rf.key.AsString()
	case rf.ownKey && (inst.index >= 0) == target.isCount:
		k = inst.Key // prev[count.index], other[each.key]: no evaluation needed
	default:
		v, d := rf.keyExpr.Value(kctx())
		if d.HasErrors() || !v.IsWhollyKnown() {
			return "", false, nil
		}
		var err error
		if k, err = keyString(v, target.isCount); err != nil {
			return "", false, hcl.Diagnostics{errorDiag("Invalid resource instance key",
				fmt.Sprintf("%s: %s.", rf.target.addr, err), rangePtr(rf.keyExpr.Range()))}
		}
	}
	if target.byKey[k] == nil {
		return "", false, hcl.Diagnostics{errorDiag("Reference to a missing instance",
			fmt.Sprintf("%s has no instance %s: it has %s.", rf.target.addr, instanceAddr("", target.isCount, k), describeKeys(target)), rangePtr(rf.rng))}
	}
	return k, true, nil
}

func describeKeys(e *expansion) string {
	switch {
	case len(e.list) == 0:
		return "no instances"
	case e.isCount:
		return fmt.Sprintf("%d instances (count = %d)", len(e.list), len(e.list))
	}
	var keys []string
	for i, inst := range e.list {
		if i == 5 {
			keys = append(keys, "…")
			break
		}
		keys = append(keys, quoteKey(inst.Key))
	}
	return "the keys " + strings.Join(keys, ", ")
}

// refInstances lists the instance addresses a reference names for one
// instance: the keyed one, or all of them.
func (c *Config) refInstances(rf *ref, inst *Instance, kctx func() *hcl.EvalContext) ([]string, hcl.Diagnostics) {
	target := inst.mi.exp[rf.target.idx]
	if target == nil || target.failed {
		return nil, nil
	}
	if !rf.whole() && target.isCount || !rf.whole() && target.isEach {
		k, ok, d := c.refKey(rf, inst, kctx)
		if d.HasErrors() {
			return nil, d
		}
		if ok {
			return []string{target.byKey[k].Addr}, nil
		}
	}
	out := make([]string, len(target.list))
	for i, inst := range target.list {
		out[i] = inst.Addr
	}
	return out, nil
}
