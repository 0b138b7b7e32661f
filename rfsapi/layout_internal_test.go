package rfsapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"

	"github.com/formation-engine/formation/store"
)

// failingStore fails every Update after the first `left`, and keeps
// transactions to two records, so that moving the records takes many.
type failingStore struct {
	store.Store
	left int
}

var errInjected = errors.New("injected failure")

func (f *failingStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	if f.left == 0 {
		return errInjected
	}
	f.left--
	return f.Store.Update(ctx, fn)
}

func (f *failingStore) Limits() store.Limits { return store.Limits{MaxOps: 4, MaxBytes: 1 << 20} }

// contents is every record of st, by bucket and key, the simulated
// world's (a keyspace beside the engine's buckets) included.
func contents(t *testing.T, st store.Store) map[string]string {
	t.Helper()
	all := map[string]string{}
	err := st.View(context.Background(), func(tx store.Tx) error {
		for _, b := range append(store.Buckets(), store.World) {
			err := tx.Scan(b, store.ScanOptions{}, func(k, v []byte) (bool, error) {
				all[string(b)+" "+string(k)] = string(v)
				return true, nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// A move to the per-project layout that fails part way leaves each record
// in exactly one place, and the next attempt finishes it.
func TestLayOutPerProject_ResumesAfterAFailure(t *testing.T) {
	ctx := context.Background()
	mem := store.NewMemory()
	before := map[string]string{}
	err := mem.Update(ctx, func(tx store.Tx) error {
		for i := range 5 {
			for _, b := range []store.Bucket{store.Stacks, store.Events, store.Meta} {
				k, v := fmt.Sprintf("k%d", i), fmt.Sprintf("v%d-%s", i, b)
				if err := tx.Put(b, []byte(k), []byte(v)); err != nil {
					return err
				}
				before[string(b)+" "+DefaultProject+"/"+k] = v
			}
		}
		// Records that stay where they are: the world, another
		// project's, and the schema version.
		for _, kv := range [][3]string{{string(store.World), "w", "world"}, {string(store.Stacks), "p1/x", "p1"}, {string(store.Meta), store.SchemaVersionKey, "1"}} {
			if err := tx.Put(store.Bucket(kv[0]), []byte(kv[1]), []byte(kv[2])); err != nil {
				return err
			}
			before[kv[0]+" "+kv[1]] = kv[2]
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	failing := &failingStore{Store: mem, left: 3}
	if err := layOutPerProject(ctx, failing, []string{"p1"}); !errors.Is(err, errInjected) {
		t.Fatalf("the failing move: %v", err)
	}
	partway := contents(t, mem)
	moved := 0
	for k := range partway {
		if bytes.HasPrefix([]byte(k[bytes.IndexByte([]byte(k), ' ')+1:]), []byte(DefaultProject+"/")) {
			moved++
		}
	}
	// Three transactions of at most two records each, in bucket order:
	// Meta's five movable records.
	if moved != 5 || len(partway) != len(before) {
		t.Fatalf("part way: %d records moved (want 5), %d records (want %d)", moved, len(partway), len(before))
	}
	failing.left = 1 << 30
	if err := layOutPerProject(ctx, failing, []string{"p1"}); err != nil {
		t.Fatal(err)
	}
	after := contents(t, mem)
	if after["meta "+layoutKey] == "" {
		t.Fatal("the layout is not marked")
	}
	delete(after, "meta "+layoutKey)
	if !maps.Equal(after, before) {
		t.Fatalf("after the move:\n%v\nwant\n%v", after, before)
	}
}
