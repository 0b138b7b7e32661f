package storetest

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/formation-engine/formation/store"
)

// scanKeys sit on both sides of prefix boundaries, including 0x00 and 0xff
// suffixes and keys of only 0xff bytes. They are in byte order ("a\xff"
// sorts after "abc").
var scanKeys = []string{
	"\x00", "\x00\x00", "a", "a\x00", "a\x00\x01", "ab", "abc", "a\xff", "a\xff\xff",
	"b", "b\x00", "ba", "\xff", "\xff\x00", "\xff\xff", "\xff\xff\x01",
}

func testScanExamples(t *testing.T, s store.Store) {
	var kv []string
	for _, k := range scanKeys {
		kv = append(kv, k, "v:"+k)
	}
	put(t, s, store.Events, kv...)
	aKeys := []string{"a", "a\x00", "a\x00\x01", "ab", "abc", "a\xff", "a\xff\xff"}
	aReversed := slices.Clone(aKeys)
	slices.Reverse(aReversed)
	for _, tc := range []struct {
		prefix, start string
		reverse       bool
		want          []string
	}{
		{"", "", false, scanKeys},
		{"a", "", false, aKeys},
		{"a", "", true, aReversed},
		{"a\xff", "", true, []string{"a\xff\xff", "a\xff"}},
		{"a\xff", "a\xff\x00", true, []string{"a\xff"}},
		{"a", "a\x01", false, []string{"ab", "abc", "a\xff", "a\xff\xff"}}, // start missing
		{"a", "a\x01", true, []string{"a\x00\x01", "a\x00", "a"}},          // start missing
		{"a", "ab", true, []string{"ab", "a\x00\x01", "a\x00", "a"}},       // start present
		{"a", "ab", false, []string{"ab", "abc", "a\xff", "a\xff\xff"}},
		{"a", "\x00", false, aKeys}, // start before prefix
		{"a", "\x00", true, nil},
		{"a", "zzz", false, nil}, // start after prefix
		{"a", "zzz", true, aReversed},
		{"\xff", "", false, []string{"\xff", "\xff\x00", "\xff\xff", "\xff\xff\x01"}},
		{"\xff", "", true, []string{"\xff\xff\x01", "\xff\xff", "\xff\x00", "\xff"}},
		{"\xff\xff", "\xff\xff\x00", true, []string{"\xff\xff"}},
		{"", "b", true, slices.Concat([]string{"b"}, aReversed, []string{"\x00\x00", "\x00"})},
		{"c", "", false, nil},
		{"c", "", true, nil},
		{"aa", "", true, nil},
	} {
		opts := store.ScanOptions{Reverse: tc.reverse}
		if tc.prefix != "" {
			opts.Prefix = []byte(tc.prefix)
		}
		if tc.start != "" {
			opts.Start = []byte(tc.start)
		}
		err := s.View(ctx, func(tx store.Tx) error {
			var got []string
			err := tx.Scan(store.Events, opts, func(k, v []byte) (bool, error) {
				if string(v) != "v:"+string(k) {
					t.Errorf("Scan(%s): value of %q = %q", fmtOpts(opts), k, v)
				}
				got = append(got, string(k))
				return true, nil
			})
			if !slices.Equal(got, tc.want) {
				t.Errorf("Scan(%s) = %q, want %q", fmtOpts(opts), got, tc.want)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// referenceScan is the specification of Scan, on a plain sorted slice.
func referenceScan(sorted []string, opts store.ScanOptions) []string {
	var out []string
	for _, k := range sorted {
		if !strings.HasPrefix(k, string(opts.Prefix)) {
			continue
		}
		if len(opts.Start) > 0 {
			c := strings.Compare(k, string(opts.Start))
			if (!opts.Reverse && c < 0) || (opts.Reverse && c > 0) {
				continue
			}
		}
		out = append(out, k)
	}
	if opts.Reverse {
		slices.Reverse(out)
	}
	return out
}

func testScanMatchesReference(t *testing.T, s store.Store) {
	if !slices.IsSorted(scanKeys) {
		t.Fatal("storetest: scanKeys must be sorted")
	}
	var kv []string
	for _, k := range scanKeys {
		kv = append(kv, k, "v:"+k)
	}
	put(t, s, store.Journal, kv...)
	prefixes := []string{"", "\x00", "a", "a\x00", "a\xff", "aa", "ab", "b", "c", "\xff", "\xff\xff", "\xff\xff\xff"}
	starts := []string{"", "\x00", "\x00\x00\x00", "a", "a\x00", "a\x01", "a\xff", "a\xff\xff\xff",
		"aa", "ab", "abd", "b", "c", "\xff", "\xff\xff", "\xff\xff\xff"}
	check := func(tx store.Tx, present []string) {
		for _, p := range prefixes {
			for _, st := range starts {
				for _, rev := range []bool{false, true} {
					opts := store.ScanOptions{Prefix: []byte(p), Start: []byte(st), Reverse: rev}
					want := referenceScan(present, opts)
					if got := keys(t, tx, store.Journal, opts); !slices.Equal(got, want) {
						t.Errorf("Scan(%s) = %q, want %q", fmtOpts(opts), got, want)
					}
				}
			}
		}
	}
	if err := s.View(ctx, func(tx store.Tx) error { check(tx, scanKeys); return nil }); err != nil {
		t.Fatal(err)
	}
	// The same inside an Update whose own writes must merge with the
	// committed keys: some deleted, some added between and around them.
	err := s.Update(ctx, func(tx store.Tx) error {
		del := []string{"a\x00", "\xff\xff", "\x00", "abc"}
		add := []string{"a\x01", "aa", "\xff\x00\x00", "\x00\x01", "c", "a"}
		for _, k := range del {
			if err := tx.Delete(store.Journal, []byte(k)); err != nil {
				return err
			}
		}
		for _, k := range add {
			if err := tx.Put(store.Journal, []byte(k), []byte("w:"+k)); err != nil {
				return err
			}
		}
		var present []string
		for _, k := range scanKeys {
			if !slices.Contains(del, k) {
				present = append(present, k)
			}
		}
		for _, k := range add {
			if !slices.Contains(present, k) {
				present = append(present, k)
			}
		}
		slices.Sort(present)
		check(tx, present)
		return errBoom // roll back
	})
	if err != errBoom {
		t.Fatalf("Update = %v, want errBoom", err)
	}
}

// testScanManyKeys checks scans over more keys than fit in one page or node
// (bbolt pages, Memory chunks), written in random order with deletions, in
// committed state and merged with a transaction's own writes.
func testScanManyKeys(t *testing.T, s store.Store) {
	rng := rand.New(rand.NewPCG(1, 2))
	present := map[string]bool{}
	key := func() string { return fmt.Sprintf("%02d/%04d", rng.IntN(12), rng.IntN(600)) }
	// 6,000 writes, committed in transactions within the store's limits;
	// fn only replays a write list drawn beforehand, since it may run again.
	type write struct {
		key string
		del bool
	}
	for range 60 {
		var ws []write
		for range 100 {
			k := key()
			del := rng.IntN(4) == 0
			ws = append(ws, write{k, del})
			if del {
				delete(present, k)
			} else {
				present[k] = true
			}
		}
		err := s.Update(ctx, func(tx store.Tx) error {
			for _, w := range ws {
				var err error
				if w.del {
					err = tx.Delete(store.Events, []byte(w.key))
				} else {
					err = tx.Put(store.Events, []byte(w.key), []byte(w.key))
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check := func(tx store.Tx, present map[string]bool) {
		sorted := slices.Sorted(maps.Keys(present))
		for range 200 {
			opts := store.ScanOptions{Reverse: rng.IntN(2) == 0}
			switch rng.IntN(3) {
			case 0:
				opts.Prefix = fmt.Appendf(nil, "%02d/", rng.IntN(13))
			case 1:
				opts.Prefix = fmt.Appendf(nil, "%02d/0%d", rng.IntN(13), rng.IntN(7))
			}
			if rng.IntN(2) == 0 {
				opts.Start = []byte(key())
			}
			want := referenceScan(sorted, opts)
			if got := keys(t, tx, store.Events, opts); !slices.Equal(got, want) {
				t.Fatalf("Scan(%s) = %d keys, want %d: got %q, want %q", fmtOpts(opts), len(got), len(want), got, want)
			}
		}
	}
	if err := s.View(ctx, func(tx store.Tx) error { check(tx, present); return nil }); err != nil {
		t.Fatal(err)
	}
	err := s.Update(ctx, func(tx store.Tx) error {
		mine := maps.Clone(present)
		for range store.DefaultLimits.MaxOps {
			k := key()
			if rng.IntN(2) == 0 {
				delete(mine, k)
				if err := tx.Delete(store.Events, []byte(k)); err != nil {
					return err
				}
			} else {
				mine[k] = true
				if err := tx.Put(store.Events, []byte(k), []byte(k)); err != nil {
					return err
				}
			}
		}
		check(tx, mine)
		return errBoom
	})
	if err != errBoom {
		t.Fatalf("Update = %v, want errBoom", err)
	}
	if got, want := len(Dump(t, s)[store.Events]), len(present); got != want {
		t.Errorf("%d keys after rollback, want %d", got, want)
	}
}

func testScanEarlyStop(t *testing.T, s store.Store) {
	put(t, s, store.Events, "1", "a", "2", "b", "3", "c", "4", "d")
	for _, rev := range []bool{false, true} {
		err := s.View(ctx, func(tx store.Tx) error {
			var got []string
			err := tx.Scan(store.Events, store.ScanOptions{Reverse: rev}, func(k, _ []byte) (bool, error) {
				got = append(got, string(k))
				return len(got) < 2, nil
			})
			want := []string{"1", "2"}
			if rev {
				want = []string{"4", "3"}
			}
			if !slices.Equal(got, want) {
				t.Errorf("reverse=%v: visited %q, want %q", rev, got, want)
			}
			return err
		})
		if err != nil {
			t.Errorf("reverse=%v: Scan stopped early returned %v, want nil", rev, err)
		}
	}
}

func testScanError(t *testing.T, s store.Store) {
	put(t, s, store.Events, "1", "a", "2", "b", "3", "c")
	err := s.View(ctx, func(tx store.Tx) error {
		n := 0
		err := tx.Scan(store.Events, store.ScanOptions{}, func(_, _ []byte) (bool, error) {
			n++
			if n == 2 {
				return true, errBoom // the error wins over true
			}
			return true, nil
		})
		if n != 2 {
			t.Errorf("visited %d keys, want 2", n)
		}
		return err
	})
	if err != errBoom {
		t.Errorf("View = %v, want errBoom from Scan through fn", err)
	}
}
