package sim

import (
	"context"
	"fmt"
	"maps"
	"slices"

	formation "github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Drift changes attributes of resources out of band, as someone editing them
// in the cloud console would; the next Read reports the change. ref is a
// resource id, or else an address pattern ('*' matches any run of
// characters) selecting every live resource at a matching address, in any
// stack. changes maps attribute names to new values: for a declared type each
// must be a declared attribute other than the id and convert to its type; a
// schema-less resource takes any attribute. A null value clears the
// attribute.
//
// Drift is not a provider call and is not recorded in Calls. Errors are
// *formation.Error values with CodeInvalidParameter, wrapping
// provider.ErrNotFound when ref selects nothing and provider.ErrInvalidConfig
// when a change does not fit the schema; then nothing changes.
func (p *Provider) Drift(ctx context.Context, ref string, changes map[string]cty.Value) error {
	const op = "sim.Drift"
	if err := ctx.Err(); err != nil {
		return err
	}
	w := p.w
	if err := w.reload(ctx); err != nil {
		return formation.Wrap(formation.CodeInternal, op, ref, err)
	}
	w.mu.Lock()
	recs := w.resolve(ref)
	if len(recs) == 0 {
		w.mu.Unlock()
		return refError(op, ref, notFoundRef(ref))
	}
	next := make([]cty.Value, len(recs))
	for i, r := range recs {
		v, err := w.drifted(r, changes)
		if err != nil {
			w.mu.Unlock()
			return refError(op, ref, err)
		}
		next[i] = v
	}
	for i, r := range recs {
		r.state = next[i]
		w.change(r)
	}
	w.mu.Unlock()
	if err := w.flush(ctx); err != nil {
		return formation.Wrap(formation.CodeInternal, op, ref, err)
	}
	return nil
}

// DeleteOutOfBand deletes resources behind the engine's back: the next Read
// of each returns provider.ErrNotFound. ref selects resources as in Drift.
// It is not recorded in Calls. Errors are as Drift's.
func (p *Provider) DeleteOutOfBand(ctx context.Context, ref string) error {
	const op = "sim.DeleteOutOfBand"
	if err := ctx.Err(); err != nil {
		return err
	}
	w := p.w
	if err := w.reload(ctx); err != nil {
		return formation.Wrap(formation.CodeInternal, op, ref, err)
	}
	w.mu.Lock()
	recs := w.resolve(ref)
	for _, r := range recs {
		w.remove(r)
	}
	w.mu.Unlock()
	if len(recs) == 0 {
		return refError(op, ref, notFoundRef(ref))
	}
	if err := w.flush(ctx); err != nil {
		return formation.Wrap(formation.CodeInternal, op, ref, err)
	}
	return nil
}

// resolve returns the live records ref selects: the resources whose id is
// ref, or else those whose address matches ref as a pattern, in type and id
// order. It must be called with world.mu held.
func (w *world) resolve(ref string) []*record {
	var byID, byAddress []*record
	for _, r := range w.records {
		switch {
		case !r.live():
		case r.id == ref:
			byID = append(byID, r)
		case glob(ref, r.address):
			byAddress = append(byAddress, r)
		}
	}
	found := byID
	if len(found) == 0 {
		found = byAddress
	}
	slices.SortFunc(found, compareRecords)
	return found
}

// drifted is r's state with changes applied. It must be called with world.mu
// held.
func (w *world) drifted(r *record, changes map[string]cty.Value) (cty.Value, error) {
	s, declared := w.schemas.get(r.typ)
	current, err := r.value()
	if err != nil {
		return cty.NilVal, err
	}
	attrs := current.AsValueMap()
	if attrs == nil {
		attrs = make(map[string]cty.Value, len(changes))
	}
	for _, name := range slices.Sorted(maps.Keys(changes)) {
		v := changes[name]
		switch {
		case v == cty.NilVal || !v.IsWhollyKnown():
			return cty.NilVal, fmt.Errorf("%w: the new value of %q is not known", provider.ErrInvalidConfig, name)
		case name == s.IDKey():
			return cty.NilVal, fmt.Errorf("%w: the id attribute %q cannot drift; use DeleteOutOfBand", provider.ErrInvalidConfig, name)
		case !declared:
			attrs[name] = unmark(v)
			continue
		}
		a, ok := s.Attributes[name]
		if !ok {
			return cty.NilVal, fmt.Errorf("%w: %s has no attribute %q", provider.ErrInvalidConfig, r.typ, name)
		}
		cv, err := convert.Convert(unmark(v), a.Type.WithoutOptionalAttributesDeep())
		if err != nil {
			return cty.NilVal, fmt.Errorf("%w: attribute %q: %w", provider.ErrInvalidConfig, name, err)
		}
		attrs[name] = cv
	}
	return cty.ObjectVal(attrs), nil
}

// notFoundRef is the error for a reference that selects no resource.
func notFoundRef(ref string) error {
	return fmt.Errorf("no resource has id or address %q: %w", ref, provider.ErrNotFound)
}

// refError wraps err for an out-of-band operation on ref.
func refError(op, ref string, err error) error {
	return formation.Wrap(formation.CodeInvalidParameter, op, ref, err)
}
