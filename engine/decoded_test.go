package engine

import (
	"context"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
)

// Reads that reuse what they decoded before show every committed change,
// including one written to the store by another writer than the engine
// (another replica on a shared store), and hand out values the caller may
// change without changing what later reads return.
func TestDecoded_ReadsSeeEveryCommit(t *testing.T) {
	ctx := context.Background()
	e, _, st := simTestEngine(t, sim.Config{Seed: 1}, Config{})
	for _, name := range []string{"a", "b"} {
		if _, err := e.CreateStack(ctx, CreateStackRequest{Name: name, Description: "first",
			Agencies: []formation.Agency{{ProviderName: "huaweicloud", AgencyName: "x"}}}); err != nil {
			t.Fatal(err)
		}
	}
	descriptions := func() map[string]string {
		t.Helper()
		page, err := e.ListStacks(ctx, ListStacksRequest{})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, s := range page.Stacks {
			out[s.Name] = s.Description
		}
		return out
	}
	descriptions() // remembered
	second := "second"
	if _, err := e.UpdateStack(ctx, UpdateStackRequest{StackRef: StackRef{Name: "a"}, Description: &second}); err != nil {
		t.Fatal(err)
	}
	if got := descriptions(); got["a"] != "second" || got["b"] != "first" {
		t.Fatalf("after UpdateStack: %v", got)
	}

	// Another writer changes b's record behind the engine's back.
	err := st.Update(ctx, func(tx store.Tx) error {
		var rec stackRecord
		if _, err := getJSON(tx, store.Stacks, stackKey("b"), &rec); err != nil {
			return err
		}
		rec.Description = "elsewhere"
		return putJSON(tx, store.Stacks, stackKey("b"), &rec)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := descriptions(); got["b"] != "elsewhere" {
		t.Fatalf("after another writer: %v", got)
	}
	meta, err := e.GetStackMetadata(ctx, StackRef{Name: "b"})
	if err != nil || meta.Description != "elsewhere" {
		t.Fatalf("metadata after another writer: %+v, %v", meta, err)
	}
	meta.Agencies[0].AgencyName = "changed by the caller"
	again, err := e.GetStackMetadata(ctx, StackRef{Name: "b"})
	if err != nil || again.Agencies[0].AgencyName != "x" {
		t.Fatalf("a caller's change reached the next read: %+v, %v", again.Agencies, err)
	}

	// A deleted stack is no longer listed, nor found.
	if _, err := e.DeleteStack(ctx, DeleteStackRequest{StackRef: StackRef{Name: "a"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.WaitStack(ctx, StackRef{Name: "a"}); !formation.HasCode(err, formation.CodeStackNotFound) {
		t.Fatalf("waiting for the deletion: %v", err)
	}
	if got := descriptions(); len(got) != 1 {
		t.Fatalf("after deleting a: %v", got)
	}
}
