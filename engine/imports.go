package engine

import (
	"context"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/template"
)

// importedObject is an object a template imports into a stack.
type importedObject struct {
	addr, provider, typ, id string
}

// importsOfConfig lists the objects an expanded template imports.
func importsOfConfig(cfg *template.Config) []importedObject {
	if cfg == nil {
		return nil
	}
	var out []importedObject
	for _, inst := range cfg.Instances() {
		if inst.ImportID != "" {
			out = append(out, importedObject{inst.Addr, inst.ProviderName, inst.Type, inst.ImportID})
		}
	}
	return out
}

// importsOfPlan lists the objects a plan imports, by the id the provider
// read them under.
func importsOfPlan(p *plan.Plan) []importedObject {
	var out []importedObject
	for _, c := range p.Changes {
		if !c.Imported || c.Drifted {
			continue
		}
		id := c.ResourceID
		if id == "" {
			id = c.ImportID
		}
		out = append(out, importedObject{c.Addr, c.ProviderName, c.Type, id})
	}
	return out
}

// checkImports refuses the import into stack stackID of an object another
// stack of the engine manages (CodeImportConflict): both would record it,
// and either's deletion would destroy what the other still records. An
// object is its type and id; a superseded object a stack has not deleted
// yet is managed too, and so is an object another stack's running
// deployment has reserved (reserveImports).
//
// The ownership records (owners.go) answer for what this version
// recorded; a database written before them has none for its resources,
// which the scan of every other stack's records finds: ownership is
// checked lazily, never rebuilt.
func checkImports(tx store.Tx, op, stackID string, objs []importedObject) error {
	if len(objs) == 0 {
		return nil
	}
	for _, o := range objs {
		own, err := ownerOf(tx, o.provider, o.typ, o.id)
		if err != nil {
			return err
		}
		if own != nil && own.StackID != stackID {
			return importConflict(op, o, own.StackName, own.Addr)
		}
	}
	wanted := make(map[[2]string]importedObject, len(objs))
	for _, o := range objs {
		wanted[[2]string{o.typ, o.id}] = o
	}
	var conflict error
	err := tx.Scan(store.Stacks, store.ScanOptions{}, func(_, v []byte) (bool, error) {
		var rec stackRecord
		if err := decode(v, &rec); err != nil {
			return false, err
		}
		if rec.ID == stackID {
			return true, nil
		}
		recs, err := loadResources(tx, rec.ID)
		if err != nil {
			return false, err
		}
		for _, r := range recs {
			for _, id := range r.objectIDs() {
				if o, ok := wanted[[2]string{r.Type, id}]; ok {
					conflict = importConflict(op, o, rec.Name, r.Addr)
					return false, nil
				}
			}
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	return conflict
}

func importConflict(op string, o importedObject, stack, addr string) error {
	return formation.Errorf(formation.CodeImportConflict, op, o.addr,
		"the import of %s %s names an object stack %q manages as %s; an object belongs to one stack: remove it from that stack first", o.typ, o.id, stack, addr)
}

// reserveImports checks the imports of deployment dep of stack rec
// (checkImports) and records the stack as their owner, in one transaction
// per at most perTx objects: two stacks importing one object at once both
// read its ownership record, and the store lets only one commit (bbolt and
// memory run one Update at a time; etcd compares what was read), so the
// other finds the object taken.
func (e *Engine) reserveImports(ctx context.Context, op string, rec *stackRecord, dep string, objs []importedObject) error {
	perTx := e.st.Limits().MaxOps - txnHeadroom.MaxOps
	for len(objs) > 0 {
		chunk := objs[:min(perTx, len(objs))]
		objs = objs[len(chunk):]
		err := e.commit(ctx, op, func(tx *txn) error {
			if err := checkImports(tx, op, rec.ID, chunk); err != nil {
				return err
			}
			for _, o := range chunk {
				if err := tx.own(rec, dep, o.addr, o.provider, o.typ, o.id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
