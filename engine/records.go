package engine

import (
	"encoding/binary"
	"encoding/json"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/store"
)

// The engine's persisted records. Stacks are keyed by name (names are unique
// at any time); everything that belongs to a stack is keyed by the stack's id
// followed by '/', so a name reused after deletion never meets the old
// stack's leftovers, and deleting a stack is a prefix sweep.

// stackRecord is a stack as stored: the RFS metadata plus the engine's own
// bookkeeping.
type stackRecord struct {
	formation.Stack
	// Seq orders stacks by creation (times are only to the second).
	Seq uint64 `json:"seq"`
	// Serial counts deployments; a plan records it and refuses to apply once
	// it has moved.
	Serial uint64 `json:"serial"`
	// Deployment is the id of the latest deployment (the running one while
	// the stack is *_IN_PROGRESS).
	Deployment string `json:"deployment,omitempty"`
	// Stable is the deployment whose template and variables are the
	// stack's last stable state, what a rollback returns to ("" : empty).
	Stable string `json:"stable,omitempty"`
	// TemplateDeployment is the deployment whose template GetStackTemplate
	// returns: the latest terminal one's.
	TemplateDeployment string `json:"template_deployment,omitempty"`
}

// deploymentKind says what a deployment does.
type deploymentKind string

const (
	kindCreate           deploymentKind = "CREATE_STACK"
	kindDeploy           deploymentKind = "DEPLOY_STACK"
	kindApplyPlan        deploymentKind = "APPLY_EXECUTION_PLAN"
	kindContinueDeploy   deploymentKind = "CONTINUE_DEPLOY_STACK"
	kindContinueRollback deploymentKind = "CONTINUE_ROLLBACK_STACK"
	kindDelete           deploymentKind = "DELETE_STACK"
)

// deploymentRecord is one mutating operation on a stack: it has its own id
// (the deployment_id of RFS) and groups the events it produced.
type deploymentRecord struct {
	ID        string         `json:"deployment_id"`
	StackID   string         `json:"stack_id"`
	StackName string         `json:"stack_name"`
	Kind      deploymentKind `json:"kind"`
	// Template is the template and variables the deployment deploys (none
	// for deletions and rollbacks, which target the stable state).
	Template *templateSource `json:"template,omitempty"`
	// Plan is the execution plan the deployment applies.
	Plan string `json:"plan,omitempty"`
	// Parallelism and KeepGoing are the deployment's options.
	Parallelism int  `json:"parallelism,omitempty"`
	KeepGoing   bool `json:"keep_going,omitempty"`
	// Moves are the objects the deployment moved (moved blocks), recorded
	// with the renamed records, for its rollback to move back.
	Moves []movedRecord `json:"moves,omitempty"`
	// RetainResources keeps real resources on delete (DeleteStackEnhanced).
	RetainResources bool `json:"retain_resources,omitempty"`
	// FirstEvent and LastEvent are the sequence numbers of the
	// deployment's first and last events in its stack's log (LastEvent 0
	// while it runs): its events are the log's between them, with its id
	// (one mutating operation runs on a stack at a time), so a query for
	// them reads that run of the log, and no index of deployments is
	// written with every event. Records written before they were kept
	// have neither: their events are in the deployment index (EventIndex).
	FirstEvent uint64         `json:"first_event,omitempty"`
	LastEvent  uint64         `json:"last_event,omitempty"`
	StartTime  formation.Time `json:"start_time,omitzero"`
	EndTime    formation.Time `json:"end_time,omitzero"`
	// Status is the stack status the deployment ended in (empty while it
	// runs; fsm.StackDeleted for a completed deletion).
	Status  formation.StackStatus `json:"status,omitempty"`
	Message string                `json:"message,omitempty"`
}

func (d *deploymentRecord) done() bool { return d.Status != "" }

func stackKey(name string) []byte { return []byte(name) }

// childPrefix is the key prefix of everything stored for a stack in a bucket.
func childPrefix(stackID string) []byte { return []byte(stackID + "/") }

func childKey(stackID, rest string) []byte { return []byte(stackID + "/" + rest) }

// eventKey orders a stack's events by sequence: id/ + 8-byte big-endian seq.
func eventKey(stackID string, seq uint64) []byte {
	return appendEventKey(make([]byte, 0, len(stackID)+9), stackID, seq)
}

// appendEventKey appends eventKey(stackID, seq) to b.
func appendEventKey(b []byte, stackID string, seq uint64) []byte {
	b = append(append(b, stackID...), '/')
	return binary.BigEndian.AppendUint64(b, seq)
}

// The EventIndex bucket holds indexes of a stack's events, each ordered by
// sequence: by event type (id/t/TYPE/seq), whose values are the events, and
// by deployment (id/d/deployment/seq, empty values naming events of the
// log), which only deployments recorded before deploymentRecord.FirstEvent
// have.
func deploymentIndexPrefix(stackID, deploymentID string) []byte {
	return childKey(stackID, "d/"+deploymentID+"/")
}

func typeIndexPrefix(stackID string, t formation.EventType) []byte {
	return childKey(stackID, "t/"+string(t)+"/")
}

// appendIndexKey appends to b the key of event seq in one of a stack's
// event indexes: index is "d" (by deployment) or "t" (by type), name the
// deployment id or the type.
func appendIndexKey(b []byte, stackID, index, name string, seq uint64) []byte {
	b = append(append(b, stackID...), '/')
	b = append(append(b, index...), '/')
	b = append(append(b, name...), '/')
	return binary.BigEndian.AppendUint64(b, seq)
}

// getJSON decodes the record at key into v, reporting whether it exists.
func getJSON(tx store.Tx, b store.Bucket, key []byte, v any) (bool, error) {
	raw := tx.Get(b, key)
	if raw == nil {
		return false, nil
	}
	return true, decode(raw, v)
}

// decode reads a stored record; a record that does not decode is corruption.
func decode(raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return formation.Wrap(formation.CodeInternal, "engine.decode", "", err)
	}
	return nil
}

func putJSON(tx store.Tx, b store.Bucket, key []byte, v any) error {
	if a, ok := v.(jsonAppender); ok {
		// Put copies the value, so one buffer serves every record.
		buf := recordBuffers.Get().(*[]byte)
		*buf = a.appendJSON((*buf)[:0])
		err := tx.Put(b, key, *buf)
		recordBuffers.Put(buf)
		return err
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return formation.Wrap(formation.CodeInternal, "engine.encode", string(b)+"/"+string(key), err)
	}
	return tx.Put(b, key, raw)
}

// nextCounter increments and returns the Meta counter name.
func nextCounter(tx store.Tx, name string) (uint64, error) {
	var n uint64
	if raw := tx.Get(store.Meta, []byte(name)); len(raw) == 8 {
		n = binary.BigEndian.Uint64(raw)
	}
	n++
	return n, tx.Put(store.Meta, []byte(name), binary.BigEndian.AppendUint64(nil, n))
}

// deletePrefix removes every key of b beginning with prefix.
func deletePrefix(tx store.Tx, b store.Bucket, prefix []byte) error {
	var keys [][]byte
	err := tx.Scan(b, store.ScanOptions{Prefix: prefix}, func(k, _ []byte) (bool, error) {
		keys = append(keys, append([]byte(nil), k...))
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := tx.Delete(b, k); err != nil {
			return err
		}
	}
	return nil
}
