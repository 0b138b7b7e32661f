package plan_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/template"
	"github.com/zclconf/go-cty/cty"
)

// world is a simulated cloud for planner tests: the sim provider
// registered as "huaweicloud" (the types newWorld's configuration declares, any other type
// schema-less) and the state a simulated executor keeps.
type world struct {
	t     testing.TB
	sim   *sim.Provider
	reg   *provider.Registry
	state plan.State
	n     int // tokens made
}

func newWorld(t testing.TB, cfg sim.Config) *world {
	t.Helper()
	p, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	reg := &provider.Registry{}
	reg.Register("huaweicloud", p)
	return &world{t: t, sim: p, reg: reg, state: plan.State{}}
}

// testWorld declares the test types (testConfig).
func testWorld(t testing.TB) *world { return newWorld(t, testConfig(sim.Config{})) }

// expand parses and expands a template with RFS limits lifted.
func expand(t testing.TB, src string) *template.Config {
	t.Helper()
	tpl, err := template.Parse(src, template.Options{Limits: &template.Limits{}})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	cfg, err := tpl.Expand(context.Background(), template.Input{})
	if err != nil {
		t.Fatalf("expand: %v", err)
	}
	return cfg
}

// plan makes a plan of src against the world's state.
func (w *world) plan(src string, opts plan.Options) *plan.Plan {
	w.t.Helper()
	p, err := plan.Make(context.Background(), expand(w.t, src), w.state, w.reg, opts)
	if err != nil {
		w.t.Fatalf("plan: %v", err)
	}
	return p
}

// planErr makes a plan that must fail and returns the error.
func (w *world) planErr(src string, opts plan.Options) error {
	w.t.Helper()
	var cfg *template.Config
	if src != "" || !opts.Destroy {
		cfg = expand(w.t, src)
	}
	p, err := plan.Make(context.Background(), cfg, w.state, w.reg, opts)
	if err == nil {
		w.t.Fatalf("plan succeeded, want an error; plan:\n%s", text(w.t, p))
	}
	return err
}

// deploy plans src and applies the plan.
func (w *world) deploy(src string) *plan.Plan {
	w.t.Helper()
	cfg := expand(w.t, src)
	p, err := plan.Make(context.Background(), cfg, w.state, w.reg, plan.Options{})
	if err != nil {
		w.t.Fatalf("plan: %v", err)
	}
	w.apply(cfg, p)
	return p
}

func (w *world) token(addr string) string {
	w.n++
	return fmt.Sprintf("%s#%d", addr, w.n)
}

// apply executes a plan as the executor would, one change at a time:
// drift is recorded, deletions of resources the template no longer has and
// deposed objects run first, then every template instance in dependency
// order, its configuration evaluated again with the applied values
// (Change.Refine).
func (w *world) apply(cfg *template.Config, p *plan.Plan) {
	w.t.Helper()
	ctx := context.Background()
	for _, c := range p.Changes { // moved blocks rename, removed blocks forget
		switch {
		case c.PrevAddr != "" && !c.Drifted && c.Deposed == "" && w.state[c.PrevAddr] != nil:
			r := *w.state[c.PrevAddr]
			r.Addr, r.Type, r.Name, r.Key = c.Addr, c.Type, c.Name, c.Key
			delete(w.state, c.PrevAddr)
			w.state[c.Addr] = &r
		case c.Forget:
			delete(w.state, c.Addr)
		}
	}
	for _, c := range p.Changes {
		switch {
		case c.Drifted && c.Action == formation.ActionDelete:
			delete(w.state, c.Addr)
		case c.Drifted:
			r := *w.state[c.Addr]
			r.Value = c.After
			w.state[c.Addr] = &r
		case c.Deposed != "":
			w.delete(c, c.Deposed)
			r := *w.state[c.Addr]
			r.Deposed = nil
			w.state[c.Addr] = &r
		case c.Action == formation.ActionDelete:
			w.delete(c, c.ResourceID)
			delete(w.state, c.Addr)
		}
	}
	if cfg == nil {
		return
	}
	applied := map[string]cty.Value{}
	values := template.ValuesFunc(func(addr string) cty.Value { return applied[addr] })
	for _, addr := range cfg.Graph().TopologicalOrder() {
		inst := cfg.Instance(addr)
		c := p.Change(addr)
		if c == nil {
			w.t.Fatalf("no change for %s", addr)
		}
		if c.Mode == formation.ModeData {
			applied[addr] = w.readData(cfg, inst, c, values)
			continue
		}
		if c.Action == formation.ActionNoOperation {
			// Lifecycle settings and dependencies may have changed.
			r := c.Applied(c.ResourceID, c.After)
			r.Imported = r.Imported || w.state[addr] != nil && w.state[addr].Imported
			w.state[addr] = r
			applied[addr] = c.After
			continue
		}
		config, diags := cfg.Evaluate(context.Background(), inst, values)
		if diags.HasErrors() {
			w.t.Fatalf("%s: evaluate at apply: %v", addr, diags)
		}
		v, err := c.Refine(config)
		if err != nil {
			w.t.Fatalf("%s: refine: %v", addr, err)
		}
		var id string
		var state cty.Value
		switch c.Action {
		case formation.ActionUpdate:
			resp, err := w.sim.Update(ctx, provider.UpdateRequest{TypeName: c.Type, Address: addr, ID: c.ResourceID, Prior: c.Before, Planned: v, Token: w.token(addr)})
			if err != nil {
				w.t.Fatalf("%s: update: %v", addr, err)
			}
			id, state = c.ResourceID, resp.State
		default:
			if c.Action == formation.ActionDeleteThenAdd {
				w.delete(c, c.ResourceID)
			}
			resp, err := w.sim.Create(ctx, provider.CreateRequest{TypeName: c.Type, Address: addr, Config: v, Token: w.token(addr)})
			if err != nil {
				w.t.Fatalf("%s: create: %v", addr, err)
			}
			if c.Action == formation.ActionAddThenDelete {
				w.delete(c, c.ResourceID)
			}
			id, state = resp.ID, resp.State
		}
		w.state[addr] = c.Applied(id, state)
		applied[addr] = state
	}
}

func (w *world) delete(c *plan.Change, id string) {
	w.t.Helper()
	err := w.sim.Delete(context.Background(), provider.DeleteRequest{TypeName: c.Type, Address: c.Addr, ID: id, Token: w.token(c.Addr)})
	if err != nil && !errors.Is(err, provider.ErrNotFound) {
		w.t.Fatalf("%s: delete %s: %v", c.Addr, id, err)
	}
}

// readData is the value of a data source at apply time: the one planned,
// or read now when the plan could not.
func (w *world) readData(cfg *template.Config, inst *template.Instance, c *plan.Change, values template.Values) cty.Value {
	w.t.Helper()
	if c.After.IsWhollyKnown() {
		return c.After
	}
	config, diags := cfg.Evaluate(context.Background(), inst, values)
	if diags.HasErrors() {
		w.t.Fatalf("%s: evaluate at apply: %v", c.Addr, diags)
	}
	resp, err := w.sim.ReadDataSource(context.Background(), provider.ReadDataSourceRequest{TypeName: c.Type, Address: c.Addr, Config: config})
	if err != nil {
		w.t.Fatalf("%s: read: %v", c.Addr, err)
	}
	return resp.State
}

// actions summarises a plan as "addr ACTION" lines (drifted changes marked
// "drift", deposed ones with their id), for compact assertions.
func actions(p *plan.Plan) string {
	var b strings.Builder
	for _, c := range p.Changes {
		b.WriteString(c.Addr)
		if c.Deposed != "" {
			b.WriteString(" deposed")
		}
		if c.Drifted {
			b.WriteString(" drift")
		}
		b.WriteString(" " + string(c.Action))
		if c.Imported {
			b.WriteString(" imported")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// text renders a plan.
func text(t testing.TB, p *plan.Plan) string {
	t.Helper()
	if p == nil {
		return "<nil>"
	}
	var b strings.Builder
	if err := p.WriteText(&b); err != nil {
		return "WriteText: " + err.Error()
	}
	return b.String()
}

// noOps fails unless every change of the plan is NO_OPERATION and nothing
// drifted.
func noOps(t testing.TB, p *plan.Plan) {
	t.Helper()
	for _, c := range p.Changes {
		if c.Action != formation.ActionNoOperation || c.Drifted || c.Imported {
			t.Fatalf("re-plan is not all NO_OPERATION:\n%s\n%s", actions(p), text(t, p))
		}
	}
	if p.HasChanges() || p.Summary != (formation.PlanSummary{}) {
		t.Fatalf("re-plan has changes: %+v", p.Summary)
	}
}

// replaceAll applies old, new pairs to s, failing loudly on a pair that
// does not apply (so that a golden scenario cannot silently go stale).
func replaceAll(s string, pairs ...string) string {
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			panic(fmt.Sprintf("replaceAll: %q not found", pairs[i]))
		}
		s = strings.ReplaceAll(s, pairs[i], pairs[i+1])
	}
	return s
}
