// Package uuid makes the 36-character ids RFS uses for stacks, plans and
// deployments: random (crypto/rand) by default, or drawn from a seed so a
// simulation produces the same ids on every run.
package uuid

import (
	"crypto/rand"
	"encoding/hex"
	mrand "math/rand/v2"
	"sync"
)

// Generator makes version-4 UUIDs. It is safe for concurrent use.
type Generator struct {
	mu  sync.Mutex
	rng *mrand.ChaCha8 // nil: crypto/rand
}

// NewRandom returns a generator reading crypto/rand.
func NewRandom() *Generator { return &Generator{} }

// NewSeeded returns a generator whose sequence of ids is fixed by seed.
func NewSeeded(seed uint64) *Generator {
	var s [32]byte
	for i := range 4 {
		v := seed + uint64(i)*0x9e3779b97f4a7c15
		for j := range 8 {
			s[i*8+j] = byte(v >> (8 * j))
		}
	}
	return &Generator{rng: mrand.NewChaCha8(s)}
}

// New returns the next id, e.g. "0f8fad5b-d9cb-469f-a165-70867728950e".
func (g *Generator) New() string {
	var b [16]byte
	if g.rng == nil {
		_, _ = rand.Read(b[:]) // never fails (crypto/rand panics on failure)
	} else {
		g.mu.Lock()
		_, _ = g.rng.Read(b[:]) // ChaCha8.Read never fails
		g.mu.Unlock()
	}
	return Format(b)
}

// Format renders 16 bytes as a version-4, variant-1 UUID.
func Format(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}
