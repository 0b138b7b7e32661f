package engine

import (
	"slices"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/template"
)

// movedRecord is one object a deployment moved: the addresses it had
// before and has after. A rollback moves it back.
type movedRecord struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// refactor carries out what the plan's moved and removed blocks say
// before any provider call: every moved record is renamed, every forgotten
// one dropped, and the moves are added to the deployment record, all in
// one transaction — so a crash leaves either the old records or the new
// ones, never both or neither, and a rollback after it still knows what
// to move back. The objects themselves are not touched: a provider keys
// them by id, and the address is only what the stack calls them.
func (x *execution) refactor() {
	var moves []movedRecord
	var forgotten []string
	seen := map[string]bool{}
	for _, c := range x.plan.Changes {
		if c.Drifted || c.Deposed != "" || seen[c.Addr] {
			continue
		}
		seen[c.Addr] = true
		switch {
		case c.PrevAddr != "":
			moves = append(moves, movedRecord{From: c.PrevAddr, To: c.Addr})
		case c.Forget:
			forgotten = append(forgotten, c.Addr)
		}
	}
	if len(moves) == 0 && len(forgotten) == 0 {
		return
	}
	var put []resourceRecord
	var remove []string
	var forget []resourceRecord // their ownership goes with them
	var evs []*formation.Event
	x.mu.Lock()
	for _, mv := range moves {
		rec := x.records[mv.From]
		if rec == nil {
			continue
		}
		c := x.plan.Change(mv.To)
		moved := *rec
		moved.Addr, moved.Type, moved.Name, moved.Key = c.Addr, c.Type, c.Name, c.Key
		moved.Deposed = slices.Clone(rec.Deposed)
		delete(x.records, mv.From)
		x.records[mv.To] = &moved
		remove = append(remove, mv.From)
		put = append(put, moved)
		evs = append(evs, x.e.logEvent(x.dep.ID, mv.From+" has moved to "+mv.To))
	}
	for _, addr := range forgotten {
		rec := x.records[addr]
		if rec == nil {
			continue
		}
		forget = append(forget, *rec)
		delete(x.records, addr)
		remove = append(remove, addr)
		evs = append(evs, x.e.logEvent(x.dep.ID, addr+": no longer managed by the stack; the object was not destroyed"))
	}
	x.mu.Unlock()
	// A deploy phase records its moves for its rollback; a rollback's
	// moves undo them and are not recorded again.
	var dep *deploymentRecord
	if x.phase == phaseDeploy && len(moves) > 0 {
		x.dep.Moves = append(x.dep.Moves, moves...)
		snapshot := *x.dep
		snapshot.Moves = slices.Clone(x.dep.Moves)
		dep = &snapshot
	}
	stackID := x.stack.ID
	x.w.submit(func(tx *txn) error {
		for _, addr := range remove {
			if err := tx.Delete(store.Resources, resourceKey(stackID, addr)); err != nil {
				return err
			}
		}
		for i := range put {
			r := &put[i]
			if err := putJSON(tx, store.Resources, resourceKey(stackID, r.Addr), r); err != nil {
				return err
			}
			for _, id := range r.objectIDs() {
				if err := tx.readdress(stackID, r.ProviderName, r.Type, id, r.Addr); err != nil {
					return err
				}
			}
		}
		for _, r := range forget {
			for _, id := range r.objectIDs() {
				if err := tx.disown(stackID, r.ProviderName, r.Type, id); err != nil {
					return err
				}
			}
		}
		if dep != nil {
			if err := putJSON(tx, store.Deployments, childKey(stackID, dep.ID), dep); err != nil {
				return err
			}
		}
		return tx.appendEvents(stackID, evs...)
	})
}

// readdress moves the ownership record of an object stack stackID
// records to its new address, when there is one and it names that stack.
func (tx *txn) readdress(stackID, provider, typ, id, addr string) error {
	key := ownerKey(provider, typ, id)
	var o ownerRecord
	if ok, err := getJSON(tx, store.Meta, key, &o); err != nil || !ok || o.StackID != stackID {
		return err
	}
	o.Addr = addr
	return putJSON(tx, store.Meta, key, &o)
}

// movesBack are the moves that undo a deployment's: its rollback plans the
// stable template after them, so the objects it moved are found where the
// stable template has them, and kept rather than destroyed and created
// again.
func movesBack(dep *deploymentRecord) []plan.Move {
	var out []plan.Move
	for i := len(dep.Moves) - 1; i >= 0; i-- {
		mv := dep.Moves[i]
		from, err1 := template.ParseInstanceAddr(mv.To)
		to, err2 := template.ParseInstanceAddr(mv.From)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, template.InstanceMove(from, to))
	}
	return out
}
