package rfsapi

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/store/storetest"
)

// Two projects' views of one store: each sees its own keys (in order,
// either way, from a start), the one simulated world, and the store's
// schema version; closing a view ends it, not the store.
func TestPrefixed_IsolatesProjects(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	defer st.Close()
	a, b := &prefixed{st: st, prefix: []byte("a/")}, &prefixed{st: st, prefix: []byte("b/")}
	put := func(s store.Store, bucket store.Bucket, keys ...string) {
		t.Helper()
		err := s.Update(ctx, func(tx store.Tx) error {
			for _, k := range keys {
				if err := tx.Put(bucket, []byte(k), []byte(k)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	scan := func(s store.Store, bucket store.Bucket, opts store.ScanOptions) []string {
		t.Helper()
		var got []string
		err := s.View(ctx, func(tx store.Tx) error {
			return tx.Scan(bucket, opts, func(k, v []byte) (bool, error) {
				if string(k) != string(v) {
					t.Errorf("key %q holds %q", k, v)
				}
				got = append(got, string(k))
				return true, nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	put(a, store.Stacks, "net", "app", "db")
	put(b, store.Stacks, "net", "web")
	put(a, store.World, "vpc-1")
	for _, tc := range []struct {
		s    store.Store
		opts store.ScanOptions
		want []string
	}{
		{a, store.ScanOptions{}, []string{"app", "db", "net"}},
		{a, store.ScanOptions{Reverse: true}, []string{"net", "db", "app"}},
		{a, store.ScanOptions{Start: []byte("c")}, []string{"db", "net"}},
		{a, store.ScanOptions{Start: []byte("m"), Reverse: true}, []string{"db", "app"}},
		{a, store.ScanOptions{Prefix: []byte("n")}, []string{"net"}},
		{b, store.ScanOptions{}, []string{"net", "web"}},
		{b, store.ScanOptions{Start: []byte{}, Reverse: true}, []string{"web", "net"}},
	} {
		if got := scan(tc.s, store.Stacks, tc.opts); !slices.Equal(got, tc.want) {
			t.Errorf("%s Scan(%+v) = %q, want %q", tc.s.(*prefixed).prefix, tc.opts, got, tc.want)
		}
	}
	if got := scan(b, store.World, store.ScanOptions{}); !slices.Equal(got, []string{"vpc-1"}) {
		t.Errorf("b sees the world %q, want a's vpc-1", got)
	}
	err := b.View(ctx, func(tx store.Tx) error {
		if tx.Get(store.Stacks, []byte("app")) != nil {
			t.Error("b reads a's stack")
		}
		if len(tx.Get(store.Meta, []byte(store.SchemaVersionKey))) != 8 {
			t.Error("b does not see the schema version")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = b.Update(ctx, func(tx store.Tx) error {
		if !formation.HasCode(tx.Delete(store.Stacks, nil), formation.CodeInvalidParameter) {
			t.Error("an empty key is not refused")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.View(ctx, func(store.Tx) error { return nil }); !formation.HasCode(err, formation.CodeUnavailable) {
		t.Errorf("a closed view: %v", err)
	}
	if got := scan(b, store.Stacks, store.ScanOptions{}); len(got) != 2 {
		t.Errorf("closing a's view closed the store: b sees %q", got)
	}
}

// A project's view is a store like any other: it passes the conformance
// suite whole, over each store a server keeps its projects in.
func TestPrefixed_Conformance(t *testing.T) {
	for name, open := range map[string]func(t testing.TB) store.Store{
		"memory": func(testing.TB) store.Store { return store.NewMemory() },
		"bolt": func(t testing.TB) store.Store {
			// With etcd's limits, which the suite tests in a moment.
			st, err := store.OpenBolt(filepath.Join(t.TempDir(), "projects.db"), store.BoltOptions{Limits: store.DefaultLimits})
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
	} {
		t.Run(name, func(t *testing.T) {
			storetest.Run(t, func(t testing.TB) store.Store {
				st := open(t)
				t.Cleanup(func() { st.Close() })
				view := newPrefixed(st, "project-one", false)
				t.Cleanup(func() { view.Close() })
				return view
			})
		})
	}
}
