package engine

import (
	"slices"
	"sync"

	"github.com/formation-engine/formation/plan"
)

// madePlans keeps the execution plans this engine made, as made, so that
// applying one need not decode what was stored (3 ms per 1,000 changes, all
// of it before the first provider call). A plan is found by its id, which
// no other plan ever has, and only after the apply has checked the stored
// record (AVAILABLE, not expired); what is not found is decoded as before —
// after a restart, or once dropped.
//
// A plan is dropped when it is applied (a plan is applied once), deleted,
// or expired by a deployment of its stack, and the oldest first when the
// plans kept would hold more than maxMadeChanges changes together.
type madePlans struct {
	mu      sync.Mutex
	kept    []madePlan // oldest first
	changes int        // of the plans kept
}

type madePlan struct {
	stackID, id string
	plan        *plan.Plan
}

// maxMadeChanges bounds the changes madePlans keeps (a change of a typical
// resource is a few kilobytes in memory).
const maxMadeChanges = 10000

// keep remembers p, made for the plan id of the stack.
func (m *madePlans) keep(stackID, id string, p *plan.Plan) {
	if len(p.Changes) > maxMadeChanges {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for m.changes+len(p.Changes) > maxMadeChanges {
		m.dropLocked(func(mp madePlan) bool { return mp.id == m.kept[0].id })
	}
	m.kept = append(m.kept, madePlan{stackID, id, p})
	m.changes += len(p.Changes)
}

// take returns the plan made for id and forgets it, or nil.
func (m *madePlans) take(id string) *plan.Plan {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := slices.IndexFunc(m.kept, func(mp madePlan) bool { return mp.id == id })
	if i < 0 {
		return nil
	}
	p := m.kept[i].plan
	m.dropLocked(func(mp madePlan) bool { return mp.id == id })
	return p
}

// expire forgets the plans of a stack, which a deployment has expired.
func (m *madePlans) expire(stackID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dropLocked(func(mp madePlan) bool { return mp.stackID == stackID })
}

func (m *madePlans) dropLocked(drop func(madePlan) bool) {
	m.kept = slices.DeleteFunc(m.kept, func(mp madePlan) bool {
		if drop(mp) {
			m.changes -= len(mp.plan.Changes)
			return true
		}
		return false
	})
}
