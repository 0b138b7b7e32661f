package engine

import (
	"encoding/binary"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/store"
)

// lastEventSeq is the sequence number of the stack's newest event (0: none).
// Every transaction that appends events records it (eventSeqKey), because
// finding the last key needs a reverse scan, which etcd answers by reading
// and sorting every key of the range; a store written before the record
// existed has its last key read instead.
func lastEventSeq(tx store.Tx, stackID string) (uint64, error) {
	if raw := tx.Get(store.Meta, eventSeqKey(stackID)); len(raw) == 8 {
		return binary.BigEndian.Uint64(raw), nil
	}
	var seq uint64
	prefix := childPrefix(stackID)
	err := tx.Scan(store.Events, store.ScanOptions{Prefix: prefix, Reverse: true}, func(k, _ []byte) (bool, error) {
		seq = binary.BigEndian.Uint64(k[len(prefix):])
		return false, nil
	})
	return seq, err
}

// eventSeqKey is the Meta key recording a stack's newest event sequence.
func eventSeqKey(stackID string) []byte { return []byte("event_seq/" + stackID) }

// recordEventSeqs records, at the end of a transaction, the newest event
// sequence of each stack it appended events to.
func (tx *txn) recordEventSeqs() error {
	for id, seq := range tx.lastSeq {
		if tx.appended[id] {
			if err := tx.Put(store.Meta, eventSeqKey(id), binary.BigEndian.AppendUint64(nil, seq)); err != nil {
				return err
			}
		}
	}
	return nil
}

// appendEvents numbers evs after the stack's newest event, dates them now
// and writes them, with their entries in the type index, in tx: events are part of the transaction that makes the change they report.
// An event is dated as it is numbered, not as it is made, so that time and
// sequence agree: operations running in parallel make events in one order
// and commit them in another.
func (tx *txn) appendEvents(stackID string, evs ...*formation.Event) error {
	seq, err := tx.eventSeq(stackID)
	if err != nil {
		return err
	}
	// The store copies keys and values, so one transaction's puts share
	// two buffers: a group commit appends thousands of events.
	now := formation.NewTime(tx.clock.Now())
	for _, ev := range evs {
		seq++
		ev.Sequence = seq
		ev.Time = now
		tx.val = appendEvent(tx.val[:0], ev)
		tx.key = appendEventKey(tx.key[:0], stackID, seq)
		if err := tx.Put(store.Events, tx.key, tx.val); err != nil {
			return err
		}
		// The type index holds the event too: a filtered page reads it
		// there, not by one Get per event in the log (a round trip each,
		// on etcd).
		tx.key = appendIndexKey(tx.key[:0], stackID, "t", string(ev.EventType), seq)
		if err := tx.Put(store.EventIndex, tx.key, tx.val); err != nil {
			return err
		}
	}
	// A group commit appends for many operations in one transaction: the
	// sequence is read from the store once, then carried here.
	tx.lastSeq[stackID] = seq
	if tx.appended == nil {
		tx.appended = map[string]bool{}
	}
	tx.appended[stackID] = true
	tx.touch(stackID)
	return nil
}

// eventSeq is the sequence number of the stack's newest event, appended
// in tx or before it.
func (tx *txn) eventSeq(stackID string) (uint64, error) {
	if seq, ok := tx.lastSeq[stackID]; ok {
		return seq, nil
	}
	seq, err := lastEventSeq(tx, stackID)
	if err != nil {
		return 0, err
	}
	if tx.lastSeq == nil {
		tx.lastSeq = map[string]uint64{}
	}
	tx.lastSeq[stackID] = seq
	return seq, nil
}

// logEvent is a LOG event of a deployment (dated when it is appended).
func (e *Engine) logEvent(deploymentID, message string) *formation.Event {
	return &formation.Event{DeploymentID: deploymentID, EventType: formation.EventLog, EventMessage: message}
}
