package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"strconv"

	"github.com/formation-engine/formation/internal/uuid"
)

// seeder derives every "random" choice of the simulation from the seed and
// the inputs the choice is about, never from a shared generator. So a choice
// does not depend on the order in which concurrent calls arrive: the same
// seed and the same calls give the same ids, faults and latencies however the
// engine schedules them.
type seeder struct{ seed [8]byte }

func newSeeder(seed int64) seeder {
	var s seeder
	binary.BigEndian.PutUint64(s.seed[:], uint64(seed))
	return s
}

// sum hashes the seed and parts, each part length-prefixed so that
// ("ab","c") and ("a","bc") differ.
func (s seeder) sum(parts ...string) [32]byte {
	h := sha256.New()
	h.Write(s.seed[:])
	var n [4]byte
	for _, p := range parts {
		binary.BigEndian.PutUint32(n[:], uint32(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// uuid is a version-4 UUID derived from parts.
func (s seeder) uuid(parts ...string) string {
	sum := s.sum(parts...)
	return uuid.Format([16]byte(sum[:16]))
}

// float is a number in [0, 1) derived from parts.
func (s seeder) float(parts ...string) float64 {
	sum := s.sum(parts...)
	return float64(binary.BigEndian.Uint64(sum[:8])>>11) / (1 << 53)
}

// hex is n lower-case hex digits (n ≤ 64) derived from parts.
func (s seeder) hex(n int, parts ...string) string {
	const digits = "0123456789abcdef"
	sum := s.sum(parts...)
	out := make([]byte, n)
	for i := range out {
		b := sum[i/2]
		if i%2 == 0 {
			b >>= 4
		}
		out[i] = digits[b&0x0f]
	}
	return string(out)
}

// octet is a decimal number in [1, 254] derived from parts, for addresses.
func (s seeder) octet(parts ...string) string {
	sum := s.sum(parts...)
	return strconv.Itoa(1 + int(sum[0])%254)
}

// itoa renders an attempt or index for hashing.
func itoa(i int) string { return strconv.Itoa(i) }
