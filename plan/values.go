package plan

import (
	"sync"

	"github.com/zclconf/go-cty/cty"
)

// values is what the planner knows of the instances planned so far, for
// template.Config.Evaluate. It implements template.VersionedValues, so the
// template builds the value of a whole block once per change of the block
// instead of once per reference. It is safe for concurrent use.
type values struct {
	mu       sync.RWMutex
	m        map[string]cty.Value
	versions map[string]uint64
}

func newValues(n int) *values {
	return &values{m: make(map[string]cty.Value, n), versions: map[string]uint64{}}
}

// Value returns the planned value of the instance at addr; cty.NilVal
// (unknown to the template) when it has not been planned.
func (v *values) Value(addr string) cty.Value {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.m[addr]
}

// Version returns how many instances of the block have been planned.
func (v *values) Version(block string) uint64 {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.versions[block]
}

// set records the planned value of an instance of block.
func (v *values) set(block, addr string, val cty.Value) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.m[addr] = val
	v.versions[block]++
}
