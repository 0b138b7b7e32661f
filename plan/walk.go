package plan

import (
	"context"
	"strings"
	"sync/atomic"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// slot holds what planning one instance produced. Each instance's slot is
// written by the one goroutine that plans it and read after the walk, so
// the outcome (changes, diagnostics, errors, all in address order) does
// not depend on scheduling.
type slot struct {
	change *Change
	drift  *Change
	diags  hcl.Diagnostics
	errs   []error
}

// fail records a problem of the instance.
func (s *slot) fail(err error) { s.errs = append(s.errs, err) }

// walk plans every instance of the template, each once everything it
// depends on is planned, Options.Parallelism at a time, and returns the
// changes (drifted ones included) in address order.
func (p *planner) walk(ctx context.Context) ([]*Change, error) {
	insts := p.cfg.Instances()
	n := len(insts)
	p.vals = newValues(n)
	p.planned = make(map[string]*Change, n)
	p.lookups(insts)

	// The dependency graph by position: pending counts what an instance
	// waits for, dependents lists who waits for it.
	index := make(map[string]int32, n)
	for i, inst := range insts {
		index[inst.Addr] = int32(i)
	}
	pending := make([]atomic.Int32, n)
	dependents := make([][]int32, n)
	for i, inst := range insts {
		for _, d := range inst.DependsOn {
			if j, ok := index[d]; ok && int(j) != i {
				pending[i].Add(1)
				dependents[j] = append(dependents[j], int32(i))
			}
		}
	}

	if stuck := unordered(pending, dependents); len(stuck) > 0 {
		// A Config's graph is acyclic; a cycle would leave the walk waiting
		// forever, so it is refused up front.
		var names []string
		for _, i := range stuck[:min(len(stuck), 5)] {
			names = append(names, insts[i].Addr)
		}
		return nil, formation.Errorf(formation.CodeInvalidTemplate, opMake, "",
			"%d instances depend on each other in a cycle (%s)", len(stuck), strings.Join(names, ", "))
	}

	slots := make([]slot, n)
	ready := make(chan int32, n)
	for i := range pending {
		if pending[i].Load() == 0 {
			ready <- int32(i)
		}
	}
	var done atomic.Int32
	runWorkers(ctx, min(p.opts.Parallelism, n), func(ctx context.Context) {
		for i := range ready {
			if ctx.Err() == nil {
				p.planInstance(ctx, insts[i], &slots[i])
			}
			for _, j := range dependents[i] {
				if pending[j].Add(-1) == 0 {
					ready <- j
				}
			}
			if done.Add(1) == int32(n) {
				close(ready)
			}
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	out := make([]*Change, 0, n)
	for i := range slots {
		s := &slots[i]
		if s.drift != nil {
			out = append(out, s.drift)
		}
		if s.change != nil {
			out = append(out, s.change)
		}
		p.diags = append(p.diags, s.diags...)
		p.errs = append(p.errs, s.errs...)
	}
	return out, nil
}

// unordered returns the instances that can never be planned because they
// are on or behind a dependency cycle: Kahn's algorithm on the counts.
func unordered(pending []atomic.Int32, dependents [][]int32) []int32 {
	waiting := make([]int32, len(pending))
	queue := make([]int32, 0, len(pending))
	for i := range pending {
		if waiting[i] = pending[i].Load(); waiting[i] == 0 {
			queue = append(queue, int32(i))
		}
	}
	for k := 0; k < len(queue); k++ {
		for _, j := range dependents[queue[k]] {
			if waiting[j]--; waiting[j] == 0 {
				queue = append(queue, j)
			}
		}
	}
	if len(queue) == len(pending) {
		return nil
	}
	var stuck []int32
	for i, w := range waiting {
		if w > 0 {
			stuck = append(stuck, int32(i))
		}
	}
	return stuck
}

// planInstance plans one instance into its slot and publishes its planned
// value for the instances that depend on it.
func (p *planner) planInstance(ctx context.Context, inst *template.Instance, s *slot) {
	if inst.Mode == formation.ModeData {
		s.change = p.planData(ctx, inst, s)
	} else {
		s.change = p.planManaged(ctx, inst, s)
	}
	if s.change == nil {
		return // failed: dependents see it as unknown
	}
	// Postconditions see the planned object, its sensitive attributes
	// marked as the instances that read it do: what they read of it that
	// is known only after apply, the executor checks then.
	after := template.MarkSensitive(s.change.After, s.change.Sensitive)
	if diags := p.cfg.Postconditions(ctx, inst, p.vals, after); diags.HasErrors() {
		s.diags, s.change = errorsOnly(diags), nil
		return
	}
	p.mu.Lock()
	p.planned[inst.Addr] = s.change
	p.mu.Unlock()
	p.vals.set(inst.Resource, inst.Addr, after)
}

// plannedChange returns the change planned for addr, nil if none (yet).
func (p *planner) plannedChange(addr string) *Change {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.planned[addr]
}

// lookups looks up, in address order, the provider and the schema of every
// instance that needs them, so that the walk only reads the caches and a
// missing provider is reported for the same address every time.
func (p *planner) lookups(insts []*template.Instance) {
	for _, inst := range insts {
		if inst.Mode == formation.ModeData && inst.DataResult != cty.NilVal {
			continue
		}
		if prov, ok := p.provider(inst.ProviderName, inst.ProviderAlias, inst.Addr, inst.Type); ok && inst.Mode != formation.ModeData {
			p.schemaFor(prov, inst.ProviderName, inst.ProviderAlias, inst.Type)
		}
	}
}
