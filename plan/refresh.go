package plan

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/template"
	"github.com/zclconf/go-cty/cty"
)

// remoteObject is what a refresh read of one recorded resource found.
type remoteObject struct {
	value cty.Value // the current object; cty.NilVal when gone
	gone  bool      // deleted outside Formation
}

// refresh reads every recorded managed resource through its provider, at
// most Options.Parallelism at a time, into p.remote. Read failures other
// than provider.ErrNotFound are recorded as problems; a cancelled ctx is
// returned.
func (p *planner) refresh(ctx context.Context) error {
	type job struct {
		rec  *Resource
		prov provider.Provider
	}
	// Look each provider configuration up at the first address using it,
	// so that a missing one is reported there every time.
	first := map[string]*Resource{}
	for _, rec := range p.prior {
		if rec == nil || rec.Mode == formation.ModeData {
			continue
		}
		k := providerKey(rec.ProviderName, rec.ProviderAlias)
		if f := first[k]; f == nil || template.CompareAddrs(rec.Addr, f.Addr) < 0 {
			first[k] = rec
		}
	}
	firsts := slices.Collect(maps.Values(first))
	slices.SortFunc(firsts, func(a, b *Resource) int { return template.CompareAddrs(a.Addr, b.Addr) })
	for _, rec := range firsts {
		p.provider(rec.ProviderName, rec.ProviderAlias, rec.Addr, rec.Type)
	}
	jobs := make([]job, 0, len(p.prior))
	for _, rec := range p.prior {
		if rec == nil || rec.Mode == formation.ModeData {
			continue
		}
		if e := p.providerCache[providerKey(rec.ProviderName, rec.ProviderAlias)]; e.ok {
			jobs = append(jobs, job{rec, e.p})
		}
	}
	results := make([]remoteObject, len(jobs))
	errs := make([]error, len(jobs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(p.opts.Parallelism, len(jobs)) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(jobs) {
					return
				}
				results[i], errs[i] = read(ctx, jobs[i].prov, jobs[i].rec)
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	p.remote = make(map[string]remoteObject, len(jobs))
	var failed []int
	for i, j := range jobs {
		if errs[i] != nil {
			failed = append(failed, i)
			continue
		}
		p.remote[j.rec.Addr] = results[i]
	}
	slices.SortFunc(failed, func(a, b int) int { return template.CompareAddrs(jobs[a].rec.Addr, jobs[b].rec.Addr) })
	for _, i := range failed {
		p.errs = append(p.errs, errs[i])
	}
	return nil
}

// read reads one recorded resource.
func read(ctx context.Context, prov provider.Provider, rec *Resource) (remoteObject, error) {
	resp, err := prov.Read(ctx, provider.ReadRequest{TypeName: rec.Type, Address: rec.Addr, ID: rec.ID, State: rec.Value})
	switch {
	case errors.Is(err, provider.ErrNotFound):
		return remoteObject{gone: true}, nil
	case err != nil:
		return remoteObject{}, &formation.Error{Code: formation.CodeInternal, Op: opMake, Resource: rec.Addr,
			Message: "refreshing " + rec.ID + " failed", Err: err}
	}
	// The provider contract promises a complete object; checking that it
	// is wholly known and unmarked would walk every value once more.
	v := resp.State
	if !isObject(v) {
		return remoteObject{}, formation.Errorf(formation.CodeInternal, opMake, rec.Addr,
			"the provider read %s as %s, not an object", rec.ID, describe(v))
	}
	return remoteObject{value: v}, nil
}

// drift returns the drifted change of a recorded resource a refresh found
// changed (UPDATE) or deleted (DELETE), or nil.
func (p *planner) drift(rec *Resource, se *schemaEntry) *Change {
	r, ok := p.remote[rec.Addr]
	if !ok || (!r.gone && sameValue(rec.Value, r.value)) {
		return nil
	}
	ch := p.stateChange(rec, se)
	ch.Drifted, ch.ResourceID, ch.Before = true, rec.ID, rec.Value
	if r.gone {
		ch.Action, ch.After, ch.Reason = formation.ActionDelete, nullOf(rec.Value), reasonDeletedOutside
		return ch
	}
	ch.Action, ch.After = formation.ActionUpdate, r.value
	ch.Reason = "changed outside Formation"
	if names := changedAttrs(rec.Value, r.value); len(names) > 0 {
		ch.Reason = attrPhrase(names) + " changed outside Formation"
	}
	return ch
}
