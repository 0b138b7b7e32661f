package suggest

import "testing"

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b  string
		limit int
		want  int
	}{
		{"", "", 5, 0},
		{"kitten", "sitting", 10, 3},
		{"flaw", "lawn", 10, 2},
		{"deploy", "deploy", 10, 0},
		{"ä", "a", 10, 1}, // runes, not bytes
		{"kitten", "sitting", 2, 2},
		{"a", "abcdefgh", 3, 3}, // length difference alone reaches the limit
	} {
		if got := Distance(c.a, c.b, c.limit); got != c.want {
			t.Errorf("Distance(%q, %q, %d) = %d, want %d", c.a, c.b, c.limit, got, c.want)
		}
	}
}

func TestNearest(t *testing.T) {
	for _, c := range []struct {
		given      string
		candidates []string
		within     int
		want       string
	}{
		{"delpoy", []string{"delete", "deploy", "describe"}, 2, "deploy"},
		{"xyz", []string{"deploy", "delete"}, 2, ""},
		// Ties go to the alphabetically first, whatever the order given.
		{"ab", []string{"ac", "aa"}, 1, "aa"},
		{"ab", []string{"aa", "ac"}, 1, "aa"},
		{"ab", []string{"ab", "aa"}, 1, "ab"},
		{"anything", nil, 3, ""},
	} {
		if got := Nearest(c.given, c.candidates, c.within); got != c.want {
			t.Errorf("Nearest(%q, %v, %d) = %q, want %q", c.given, c.candidates, c.within, got, c.want)
		}
	}
}
