package engine

import (
	"encoding/binary"
	"encoding/json"
	"strconv"

	"github.com/zclconf/go-cty/cty"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/internal/valuejson"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/store"
)

// resourceRecord is one resource of a stack as stored (Resources bucket, key
// stackID/address). Value is the complete object as last applied, encoded
// with its type; a resource whose creation failed has no Value and no ID.
type resourceRecord struct {
	Addr          string          `json:"addr"`
	Mode          formation.Mode  `json:"mode"`
	Type          string          `json:"type"`
	Name          string          `json:"name"`
	Key           string          `json:"key,omitempty"`
	ProviderName  string          `json:"provider"`
	ProviderAlias string          `json:"provider_alias,omitempty"`
	ID            string          `json:"id,omitempty"`
	IDKey         string          `json:"id_key,omitempty"`
	Value         json.RawMessage `json:"value,omitempty"` // cty JSON with its type (cty.DynamicPseudoType)
	Sensitive     []string        `json:"sensitive,omitempty"`
	Dependencies  []string        `json:"dependencies,omitempty"`
	// PreventDestroy is remembered from the template, so removing the block
	// does not lift it.
	PreventDestroy      bool                     `json:"prevent_destroy,omitempty"`
	CreateBeforeDestroy bool                     `json:"create_before_destroy,omitempty"`
	Imported            bool                     `json:"imported,omitempty"`
	Deposed             []deposedRecord          `json:"deposed,omitempty"`
	Status              formation.ResourceStatus `json:"status"`
	StatusMessage       string                   `json:"status_message,omitempty"`
	Deployment          string                   `json:"deployment,omitempty"`
}

// deposedRecord is an object a create-before-destroy replacement has
// superseded but not yet deleted, with the status of that object:
// CREATION_COMPLETE until its deletion starts (also when the status is
// empty, in records written before it was kept), then DELETION_IN_PROGRESS
// or DELETION_FAILED.
type deposedRecord struct {
	ID            string                   `json:"id"`
	Value         json.RawMessage          `json:"value,omitempty"`
	Status        formation.ResourceStatus `json:"status,omitempty"`
	StatusMessage string                   `json:"status_message,omitempty"`
}

func resourceKey(stackID, addr string) []byte { return childKey(stackID, addr) }

// encodeValue encodes a cty value with its type, so it decodes without a
// schema. Unknown values cannot be stored: stored values are applied ones.
func encodeValue(v cty.Value) (json.RawMessage, error) {
	if v == cty.NilVal {
		return nil, nil
	}
	b, err := valuejson.Marshal(v, cty.DynamicPseudoType)
	if err != nil {
		return nil, formation.Wrap(formation.CodeInternal, "engine.encodeValue", "", err)
	}
	return b, nil
}

// decodeValue is encodeValue's inverse, through vd (one decoder serves the
// values of a whole read of records: it parses each type once); no bytes
// decode as cty.NilVal. A damaged record is an error: what is stored can be
// anything, and cty panics on some malformed types (an optional attribute
// the object lacks), which vd returns as errors.
func decodeValue(vd *plan.ValueDecoder, b []byte) (cty.Value, error) {
	if len(b) == 0 {
		return cty.NilVal, nil
	}
	v, err := vd.Decode(b)
	if err != nil {
		return cty.NilVal, formation.Wrap(formation.CodeInternal, "engine.decodeValue", "", err)
	}
	return v, nil
}

// loadResources reads every resource record of a stack, in address-key order.
func loadResources(tx store.Tx, stackID string) ([]*resourceRecord, error) {
	var out []*resourceRecord
	err := tx.Scan(store.Resources, store.ScanOptions{Prefix: childPrefix(stackID)}, func(_, v []byte) (bool, error) {
		rec := new(resourceRecord)
		if err := decode(v, rec); err != nil {
			return false, err
		}
		out = append(out, rec)
		return true, nil
	})
	return out, err
}

// createToken is the idempotency token of the next creation of addr in a
// stack: stack id, address and a generation that advances only once a
// creation is recorded. A creation that failed but took effect (the
// response was lost, or the process died) is therefore retried with the
// same token — by a recovery, or by a later deployment such as
// ContinueDeployStack — and the provider returns what it already made.
func createToken(stackID, addr string, gen uint64) string {
	return stackID + "/" + addr + "/" + strconv.FormatUint(gen, 10)
}

func generationKey(stackID, addr string) []byte { return childKey(stackID, "gen/"+addr) }

// loadGenerations reads the creation generations of a stack's addresses;
// an address not listed has never had a creation recorded (generation 0).
// A phase reads them once, at its start, rather than one key per creation
// (a round trip each on etcd, for keys that a new stack does not have):
// only the phase advances them while it runs, since it holds the stack's
// claim, and it creates each address at most once.
func loadGenerations(tx store.Tx, stackID string) (map[string]uint64, error) {
	prefix := generationKey(stackID, "")
	gens := map[string]uint64{}
	err := tx.Scan(store.Journal, store.ScanOptions{Prefix: prefix}, func(k, v []byte) (bool, error) {
		if len(v) != 8 {
			return false, formation.Errorf(formation.CodeInternal, "engine.generations", string(k), "a creation generation of %d bytes", len(v))
		}
		gens[string(k[len(prefix):])] = binary.BigEndian.Uint64(v)
		return true, nil
	})
	return gens, err
}

// advanceGeneration is written with a recorded creation: gen is the
// generation the creation's token was made from.
func advanceGeneration(tx store.Tx, stackID, addr string, gen uint64) error {
	return tx.Put(store.Journal, generationKey(stackID, addr), binary.BigEndian.AppendUint64(nil, gen+1))
}
