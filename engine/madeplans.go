package engine

import (
	"sync"

	"github.com/formation-engine/formation/plan"
)

// madePlans keeps the execution plans this engine made, as made, so that
// applying one need not decode what was stored (3 ms per 1,000 changes, all
// of it before the first provider call). A plan is found by its id, which
// no other plan ever has, and only after the apply has checked the stored
// record (AVAILABLE, not expired); what is not found is decoded as before —
// after a restart, or once evicted. The plans kept hold at most
// maxMadeChanges changes together, the oldest evicted first, and one is
// dropped when it is applied: a plan is applied once.
type madePlans struct {
	mu      sync.Mutex
	byID    map[string]*plan.Plan
	order   []string // ids, oldest first
	changes int      // of the plans kept
}

// maxMadeChanges bounds the changes madePlans keeps (a change of a typical
// resource is a few kilobytes in memory).
const maxMadeChanges = 20000

// keep remembers p, made for the plan id.
func (m *madePlans) keep(id string, p *plan.Plan) {
	if len(p.Changes) > maxMadeChanges {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.byID == nil {
		m.byID = map[string]*plan.Plan{}
	}
	for m.changes+len(p.Changes) > maxMadeChanges {
		m.dropLocked(m.order[0])
	}
	m.byID[id] = p
	m.order = append(m.order, id)
	m.changes += len(p.Changes)
}

// take returns the plan made for id and forgets it, or nil.
func (m *madePlans) take(id string) *plan.Plan {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.byID[id]
	if p != nil {
		m.dropLocked(id)
	}
	return p
}

func (m *madePlans) dropLocked(id string) {
	if p, ok := m.byID[id]; ok {
		m.changes -= len(p.Changes)
		delete(m.byID, id)
	}
	for i, o := range m.order {
		if o == id {
			m.order = append(m.order[:i], m.order[i+1:]...)
			break
		}
	}
}
