package engine

import (
	"slices"

	"github.com/formation-engine/formation/store"
)

// An ownership record says which stack manages a cloud object: keyed by
// the object's provider, type and id in the Meta bucket, written in the
// transaction that records the object (its creation, its import) or, for
// an import, when the deployment reserves it (reserveImports), and
// removed with the object's record. An import compares it in the same
// transaction that writes its own: that is what makes the refusal of an
// object another stack manages hold when two stacks import it at once.
//
// A record can outlive what it says: a stack deleted with its resources
// retained, a reservation whose deployment ended without recording the
// import, an address renamed. So a record counts only while its stack
// still stands by it (ownerOf); the others are stale and overwritten.
//
// Not covered: an object another stack's provider has just created, in
// the moments before the creation is recorded; an import can only name
// it by an id it learned from that creation.
type ownerRecord struct {
	StackID    string `json:"stack_id"`
	StackName  string `json:"stack"`
	Addr       string `json:"addr"`
	Deployment string `json:"deployment"`
}

const ownerPrefix = "owner/"

func ownerKey(provider, typ, id string) []byte {
	return []byte(ownerPrefix + provider + "/" + typ + "/" + id)
}

// ownerOf returns the stack that manages the object, by its ownership
// record; nil when there is none or it is stale: its stack is gone, or
// neither records the object (live or superseded) nor is running the
// deployment that reserved it.
func ownerOf(tx store.Tx, provider, typ, id string) (*ownerRecord, error) {
	var o ownerRecord
	if ok, err := getJSON(tx, store.Meta, ownerKey(provider, typ, id), &o); err != nil || !ok {
		return nil, err
	}
	var rec stackRecord
	if ok, err := getJSON(tx, store.Stacks, stackKey(o.StackName), &rec); err != nil || !ok || rec.ID != o.StackID {
		return nil, err
	}
	if rec.Status.InProgress() && rec.Deployment == o.Deployment {
		return &o, nil // its import is on the way
	}
	manages := func(r *resourceRecord) bool { return r.Type == typ && slices.Contains(r.objectIDs(), id) }
	var r resourceRecord
	if ok, err := getJSON(tx, store.Resources, resourceKey(o.StackID, o.Addr), &r); err != nil {
		return nil, err
	} else if ok && manages(&r) {
		return &o, nil
	}
	// The record may have moved to another address.
	recs, err := loadResources(tx, o.StackID)
	if err != nil {
		return nil, err
	}
	if i := slices.IndexFunc(recs, manages); i >= 0 {
		o.Addr = recs[i].Addr
		return &o, nil
	}
	return nil, nil
}

// own records stack rec as the owner of an object it records at addr, or
// imports in deployment dep.
func (tx *txn) own(rec *stackRecord, dep, addr, provider, typ, id string) error {
	if id == "" {
		return nil
	}
	return putJSON(tx, store.Meta, ownerKey(provider, typ, id), &ownerRecord{StackID: rec.ID, StackName: rec.Name, Addr: addr, Deployment: dep})
}

// disown removes the ownership record of an object stack stackID no
// longer records, unless the record names another stack.
func (tx *txn) disown(stackID, provider, typ, id string) error {
	if id == "" {
		return nil
	}
	key := ownerKey(provider, typ, id)
	var o ownerRecord
	if ok, err := getJSON(tx, store.Meta, key, &o); err != nil || !ok || o.StackID != stackID {
		return err
	}
	return tx.Delete(store.Meta, key)
}

// objectIDs are the ids of the objects r records: the live one and the
// superseded ones not deleted yet.
func (r *resourceRecord) objectIDs() []string {
	ids := make([]string, 0, 1+len(r.Deposed))
	if r.ID != "" {
		ids = append(ids, r.ID)
	}
	for _, d := range r.Deposed {
		if d.ID != "" {
			ids = append(ids, d.ID)
		}
	}
	return ids
}
