package uuid

import (
	"regexp"
	"testing"
)

var v4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestGenerator_FormatAndUniqueness(t *testing.T) {
	for name, g := range map[string]*Generator{"random": NewRandom(), "seeded": NewSeeded(7)} {
		seen := map[string]bool{}
		for range 1000 {
			id := g.New()
			if !v4.MatchString(id) {
				t.Fatalf("%s: %q is not a version-4 UUID", name, id)
			}
			if seen[id] {
				t.Fatalf("%s: %q generated twice", name, id)
			}
			seen[id] = true
		}
	}
}

func TestNewSeeded_SameSeedSameSequence(t *testing.T) {
	a, b, c := NewSeeded(42), NewSeeded(42), NewSeeded(43)
	for i := range 10 {
		x, y, z := a.New(), b.New(), c.New()
		if x != y {
			t.Fatalf("id %d differs for the same seed: %s vs %s", i, x, y)
		}
		if x == z {
			t.Fatalf("id %d is the same for different seeds: %s", i, x)
		}
	}
}
