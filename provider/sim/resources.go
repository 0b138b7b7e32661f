package sim

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// Resource is one live resource of the simulated world.
type Resource struct {
	// Type is the resource type.
	Type string
	// Address is the address it was created at.
	Address string
	// ID is its id.
	ID string
	// Token is the idempotency token that created it, if any.
	Token string
	// State is its current state, drift included.
	State cty.Value
}

// Resources lists the live resources of the world, sorted by type, address
// and id. It reads the world this Provider holds: what it loaded when it
// opened and what it did since. ReadWorld reads a persisted world as it is
// now, other Providers' changes included.
func (p *Provider) Resources() []Resource {
	p.w.mu.Lock()
	recs := make([]*record, 0, len(p.w.records))
	for _, r := range p.w.records {
		if r.live() {
			recs = append(recs, r)
		}
	}
	slices.SortFunc(recs, compareRecords)
	out := resources(recs)
	p.w.mu.Unlock()
	return out
}

// resources is recs as Resources. A record whose stored state cannot be
// decoded is listed with none (cty.NilVal); ReadWorld reports it.
func resources(recs []*record) []Resource {
	out := make([]Resource, len(recs))
	for i, r := range recs {
		state, _ := r.value()
		out[i] = Resource{Type: r.typ, Address: r.address, ID: r.id, Token: r.token, State: state}
	}
	return out
}

// compareRecords orders records by type, address and id.
func compareRecords(a, b *record) int {
	return cmp.Or(cmp.Compare(a.typ, b.typ), cmp.Compare(a.address, b.address), cmp.Compare(a.id, b.id))
}

// ReadWorld lists the live resources a WorldStore holds, sorted as
// Resources sorts them, reading the store as it is now: it is how a check
// (a test, a chaos campaign's audit) compares what engines recorded with
// the simulated cloud that their Providers share.
func ReadWorld(ctx context.Context, ws WorldStore) ([]Resource, error) {
	var recs []*record
	err := ws.Load(ctx, func(key string, value []byte) error {
		if strings.HasPrefix(key, tokenPrefix) {
			return nil
		}
		r, err := decodeRecord(value)
		if err != nil {
			return fmt.Errorf("world record %q: %w", key, err)
		}
		if !r.live() {
			return nil
		}
		if _, err := r.value(); err != nil {
			return err
		}
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(recs, compareRecords)
	return resources(recs), nil
}
