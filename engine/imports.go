package engine

import (
	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/template"
)

// importedObject is an object a template imports into a stack.
type importedObject struct {
	addr, typ, id string
}

// importsOfConfig lists the objects an expanded template imports.
func importsOfConfig(cfg *template.Config) []importedObject {
	if cfg == nil {
		return nil
	}
	var out []importedObject
	for _, inst := range cfg.Instances() {
		if inst.ImportID != "" {
			out = append(out, importedObject{inst.Addr, inst.Type, inst.ImportID})
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
		out = append(out, importedObject{c.Addr, c.Type, id})
	}
	return out
}

// checkImports refuses the import into stack stackID of an object another
// stack of the engine manages (CodeImportConflict): both would record it,
// and either's deletion would destroy what the other still records. An
// object is its type and id; a superseded object a stack has not deleted
// yet is managed too.
func checkImports(tx store.Tx, op, stackID string, objs []importedObject) error {
	if len(objs) == 0 {
		return nil
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
			ids := []string{r.ID}
			for _, d := range r.Deposed {
				ids = append(ids, d.ID)
			}
			for _, id := range ids {
				if o, ok := wanted[[2]string{r.Type, id}]; ok && id != "" {
					conflict = formation.Errorf(formation.CodeImportConflict, op, o.addr,
						"the import of %s %s names an object stack %q manages as %s; an object belongs to one stack: remove it from that stack first", o.typ, o.id, rec.Name, r.Addr)
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
