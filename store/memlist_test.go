package store

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// check verifies the sortedList invariants.
func (l *sortedList) check(t *testing.T) {
	t.Helper()
	n := 0
	var prev []byte
	for ci, c := range l.chunks {
		if len(c) == 0 || len(c) > chunkMax {
			t.Fatalf("chunk %d has %d entries", ci, len(c))
		}
		for _, e := range c {
			if prev != nil && bytes.Compare(prev, e.key) >= 0 {
				t.Fatalf("chunk %d: %q after %q", ci, e.key, prev)
			}
			prev = e.key
		}
		n += len(c)
	}
	if n != l.len() {
		t.Fatalf("len() = %d, counted %d", l.len(), n)
	}
}

func TestSortedList_MatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var l sortedList
	ref := map[string]string{}
	key := func() []byte { return fmt.Appendf(nil, "%05d", rng.IntN(6000)) }
	for round := range 40 {
		for range 1000 {
			k := key()
			switch rng.IntN(10) {
			case 0, 1, 2, 3:
				if got := l.delete(k); got != (ref[string(k)] != "") {
					t.Fatalf("delete(%s) = %v", k, got)
				}
				delete(ref, string(k))
			default:
				v := fmt.Sprint(round)
				l.set(entry{k, []byte(v)})
				ref[string(k)] = v
			}
		}
		l.check(t)
		for range 50 {
			k := key()
			e, ok := l.get(k)
			if want, in := ref[string(k)]; ok != in || string(e.value) != want {
				t.Fatalf("get(%s) = %q %v, want %q %v", k, e.value, ok, want, in)
			}
		}
		sorted := slices.Sorted(maps.Keys(ref))
		for range 20 {
			r := newScanRange(ScanOptions{
				Prefix:  fmt.Appendf(nil, "%d", rng.IntN(7)),
				Start:   key(),
				Reverse: rng.IntN(2) == 0,
			})
			var got, want []string
			for c := newCursor(&l, &r); ; c.advance() {
				e, ok := c.entry()
				if !ok {
					break
				}
				got = append(got, string(e.key))
			}
			for _, k := range sorted {
				if !strings.HasPrefix(k, string(r.prefix)) {
					continue
				}
				if (!r.reverse && k >= string(r.from)) || (r.reverse && (k < string(r.upTo) || (r.inclusive && k == string(r.upTo)))) {
					want = append(want, k)
				}
			}
			if r.reverse {
				slices.Reverse(want)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("scan %+v:\ngot  %q\nwant %q", r, got, want)
			}
		}
	}
	// Delete everything, in random order: chunks merge and vanish.
	for _, k := range rng.Perm(6000) {
		l.delete(fmt.Appendf(nil, "%05d", k))
	}
	l.check(t)
	if l.len() != 0 || len(l.chunks) != 0 {
		t.Fatalf("after deleting all: len %d, %d chunks", l.len(), len(l.chunks))
	}
}

func TestSortedList_AppendFillsChunks(t *testing.T) {
	var l sortedList
	for i := range 10 * chunkMax {
		l.set(entry{fmt.Appendf(nil, "%08d", i), nil})
	}
	l.check(t)
	if len(l.chunks) != 10 {
		t.Errorf("%d chunks for %d appended keys, want 10 full ones", len(l.chunks), 10*chunkMax)
	}
}

func TestPrefixEnd(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""}, {"a", "b"}, {"a\xff", "b"}, {"a\xff\xff", "b"}, {"\xff", ""}, {"\xff\xff", ""},
		{"ab", "ac"}, {"a\x00", "a\x01"}, {"\xfe\xff", "\xff"},
	} {
		got := prefixEnd([]byte(tc.in))
		if string(got) != tc.want || (tc.want == "" && got != nil) {
			t.Errorf("prefixEnd(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	in := []byte("a\xff")
	prefixEnd(in)
	if string(in) != "a\xff" {
		t.Errorf("prefixEnd changed its argument to %q", in)
	}
}
