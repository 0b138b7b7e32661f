package engine

import (
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
)

// A damaged stored value is an error, not a panic.
func TestDecodeValue_Damaged(t *testing.T) {
	for _, raw := range []string{
		`{"value":null,"type":["object",{"a":"string"},["b"]]}`,
		`{"value":1`,
	} {
		if _, err := decodeValue(plan.NewValueDecoder(), []byte(raw)); !formation.HasCode(err, formation.CodeInternal) {
			t.Errorf("decodeValue(%s) = %v, want CodeInternal", raw, err)
		}
	}
}
