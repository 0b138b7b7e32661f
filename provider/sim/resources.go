package sim

import (
	"cmp"
	"slices"

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
// and id. It reads the world this Provider holds; a world persisted by
// another process is read when a Provider is opened on it.
func (p *Provider) Resources() []Resource {
	p.w.mu.Lock()
	recs := make([]*record, 0, len(p.w.records))
	for _, r := range p.w.records {
		if r.live() {
			recs = append(recs, r)
		}
	}
	out := make([]Resource, len(recs))
	slices.SortFunc(recs, compareRecords)
	for i, r := range recs {
		out[i] = Resource{Type: r.typ, Address: r.address, ID: r.id, Token: r.token, State: r.state}
	}
	p.w.mu.Unlock()
	return out
}

// compareRecords orders records by type, address and id.
func compareRecords(a, b *record) int {
	return cmp.Or(cmp.Compare(a.typ, b.typ), cmp.Compare(a.address, b.address), cmp.Compare(a.id, b.id))
}
