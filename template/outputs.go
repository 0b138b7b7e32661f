package template

import (
	"context"
	"io"
	"slices"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"
)

// Output is one evaluated output block.
type Output struct {
	Name        string
	Description string
	Sensitive   bool
	// Value is the evaluated value, without marks (an output whose value
	// is sensitive must be declared Sensitive); unknown where it depends
	// on values known only after apply.
	Value cty.Value
	// Type is the value's type as a type expression ("string",
	// "list(string)"), as RFS's StackOutput reports it.
	Type      string
	DeclRange hcl.Range
}

// Outputs evaluates every output with what values knows, sorted by name.
func (c *Config) Outputs(ctx context.Context, values Values) ([]Output, hcl.Diagnostics) {
	ev := c.evaluator(ctx, values, c.root)
	var diags hcl.Diagnostics
	out := make([]Output, 0, len(c.t.m.outputs))
	for _, name := range sortedKeys(c.t.m.outputs) {
		n := c.t.m.outputs[name]
		o := n.output
		ectx, d := ev.context(&o.scope, nil, nil)
		diags = append(diags, d...)
		diags = append(diags, checkConditions(o.pre, ectx, nil, outputPrecondition, hcl.DiagError)...)
		v, d := o.expr.Value(ectx)
		diags = append(diags, d...)
		if d := ephemeralDiag(v, "Ephemeral value not allowed", ephemeralOutputDetail, o.expr, ectx); d != nil {
			diags = append(diags, d)
		} else if d := sensitiveOutput(o, v, ectx); d != nil {
			diags = append(diags, d)
		}
		v, _ = v.UnmarkDeep() // Sensitive says what the marks said
		typ := ""
		if ev.budget().chargeValue(v, n.rng) { // a value over budget has a type as big
			typ = typeexpr.TypeString(v.Type())
		}
		out = append(out, Output{
			Name: name, Description: o.description, Sensitive: o.sensitive,
			Value: v, Type: typ, DeclRange: n.rng,
		})
	}
	if diags = ev.budget().result(diags); len(diags) > 0 {
		attachFiles(diags, c.t.files)
	}
	return out, diags
}

// Provider is a provider configuration: a provider block evaluated, or an
// implicit default configuration (empty) for a provider that instances use
// without a block.
type Provider struct {
	Name  string // the local name, e.g. "huaweicloud"
	Alias string // "" for the default configuration
	// Config is the block's body without alias and version, evaluated,
	// without marks (a password from a sensitive variable is given as
	// it is); cty.EmptyObjectVal for an implicit configuration.
	Config cty.Value
	// Declared is false for an implicit configuration.
	Declared  bool
	DeclRange hcl.Range
}

// Addr is "name" or "name.alias", as Instance.ProviderAddr.
func (p Provider) Addr() string {
	if p.Alias == "" {
		return p.Name
	}
	return p.Name + "." + p.Alias
}

// Providers evaluates every provider configuration with what values knows
// (a configuration may refer to data sources and resources), plus an
// implicit configuration for each provider instances use without a block;
// sorted by Addr.
func (c *Config) Providers(ctx context.Context, values Values) ([]Provider, hcl.Diagnostics) {
	ev := c.evaluator(ctx, values, c.root)
	var diags hcl.Diagnostics
	var out []Provider
	seen := map[string]bool{}
	for _, m := range c.t.mods {
		mi := c.root
		if m.parent != nil {
			// A legacy module's own configurations, evaluated in its one
			// instance.
			insts := c.insts[m.index]
			if len(m.providers) == 0 || len(insts) != 1 {
				continue
			}
			mi = insts[0]
		}
		mev := ev.at(mi)
		for _, addr := range sortedKeys(m.providers) {
			n := m.providers[addr]
			p := n.provider
			ectx, d := mev.context(&p.scope, nil, nil)
			diags = append(diags, d...)
			v, d := p.body.eval(ectx, nil)
			diags = append(diags, d...)
			v, _ = SensitivePaths(v) // a provider is configured with plain values
			ev.budget().chargeValue(v, n.rng)
			alias := p.alias
			if m.parent != nil {
				alias = m.localAlias(p.alias)
			}
			pc := Provider{Name: p.name, Alias: alias, Config: v, Declared: true, DeclRange: n.rng}
			out = append(out, pc)
			seen[pc.Addr()] = true
		}
	}
	for _, inst := range c.instances {
		if addr := inst.ProviderAddr(); !seen[addr] {
			seen[addr] = true
			out = append(out, Provider{Name: inst.ProviderName, Alias: inst.ProviderAlias, Config: cty.EmptyObjectVal})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Addr() < out[j].Addr() })
	if diags = ev.budget().result(diags); len(diags) > 0 {
		attachFiles(diags, c.t.files)
	}
	return out, diags
}

// Instances lists every instance sorted by CompareAddrs: managed resources
// first, then data sources; by type, name and key.
func (c *Config) Instances() []*Instance { return slices.Clone(c.instances) }

// Instance returns the instance at addr, nil if there is none.
func (c *Config) Instance(addr string) *Instance { return c.byAddr[addr] }

// Template returns the template c was expanded from.
func (c *Config) Template() *Template { return c.t }

// Variables returns the bound variable values by name.
func (c *Config) Variables() map[string]cty.Value {
	out := make(map[string]cty.Value, len(c.vars))
	for k, v := range c.vars {
		out[k] = v
	}
	return out
}

// Warnings returns the warnings of parsing and expanding; nil when there
// are none.
func (c *Config) Warnings() hcl.Diagnostics {
	if len(c.t.warnings)+len(c.warnings) == 0 {
		return nil
	}
	return append(slices.Clone(c.t.warnings), c.warnings...)
}

// WriteDiagnostics is the package-level WriteDiagnostics, also finding
// snippets in the template's files.
func (c *Config) WriteDiagnostics(w io.Writer, err error) error {
	return writeDiagnostics(w, c.t.files, err)
}

// Graph returns the dependency graph of the instances (built on first
// use). It is acyclic: Parse rejects templates with cycles.
func (c *Config) Graph() *Graph {
	c.graphOnce.Do(func() {
		nodes := make([]string, len(c.instances))
		deps := make([][]string, len(c.instances))
		for i, inst := range c.instances {
			nodes[i], deps[i] = inst.Addr, inst.DependsOn
		}
		c.graph = newSortedGraph(nodes, deps)
	})
	return c.graph
}
