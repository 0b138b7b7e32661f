package sim_test

import (
	"context"
	"errors"
	"testing"

	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
	"github.com/zclconf/go-cty/cty"
)

// currentWorlds returns a fresh CurrentWorld of each implementation.
func currentWorlds() map[string]sim.CurrentWorld {
	return map[string]sim.CurrentWorld{
		"memory": sim.NewMemoryWorld(),
		"store":  sim.StoreWorld{Store: store.NewMemory()},
	}
}

// mustReadWorld lists the live resources ws holds.
func mustReadWorld(t *testing.T, ws sim.WorldStore) []sim.Resource {
	t.Helper()
	res, err := sim.ReadWorld(context.Background(), ws)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Two Providers open on one world at the same time, as engine replicas are,
// each opened before the other changed anything: every call sees what the
// other did since, tokens included, even with different seeds (which would
// give a second create under one token a different id).
func TestSharedWorld_ProvidersSeeEachOthersChanges(t *testing.T) {
	ctx := context.Background()
	for name, ws := range currentWorlds() {
		t.Run(name, func(t *testing.T) {
			a := newSim(t, sim.Config{Seed: 1, World: ws})
			b := newSim(t, sim.Config{Seed: 2, World: ws})
			req := createReq("huaweicloud_vpc.vpc", "dep-1/huaweicloud_vpc.vpc")

			made := mustCreate(t, a, req)
			again := mustCreate(t, b, req)
			if again.ID != made.ID || !b.Calls()[0].Replayed {
				t.Fatalf("the other Provider's create under the same token made %s, want a replay of %s", again.ID, made.ID)
			}
			if _, err := b.Read(ctx, provider.ReadRequest{TypeName: "huaweicloud_vpc", ID: made.ID}); err != nil {
				t.Fatalf("the other Provider reads the resource: %v", err)
			}

			planned := cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("renamed"), "cidr": cty.StringVal("10.0.0.0/16"), "id": cty.StringVal(made.ID)})
			if _, err := b.Update(ctx, provider.UpdateRequest{TypeName: "huaweicloud_vpc", ID: made.ID, Planned: planned}); err != nil {
				t.Fatal(err)
			}
			read, err := a.Read(ctx, provider.ReadRequest{TypeName: "huaweicloud_vpc", ID: made.ID})
			if err != nil || str(read.State, "name") != "renamed" {
				t.Fatalf("the first Provider reads %#v, %v; want the other's update", read.State, err)
			}

			if err := a.Delete(ctx, provider.DeleteRequest{TypeName: "huaweicloud_vpc", ID: made.ID}); err != nil {
				t.Fatal(err)
			}
			if _, err := b.Read(ctx, provider.ReadRequest{TypeName: "huaweicloud_vpc", ID: made.ID}); !errors.Is(err, provider.ErrNotFound) {
				t.Fatalf("the other Provider reads a deleted resource: %v, want not found", err)
			}
			if err := b.Delete(ctx, provider.DeleteRequest{TypeName: "huaweicloud_vpc", ID: made.ID}); !errors.Is(err, provider.ErrNotFound) {
				t.Fatalf("the other Provider deletes a deleted resource: %v, want not found", err)
			}

			// The token's resource is gone: the next create under it makes a
			// new one, once, whichever Provider asks.
			reborn := mustCreate(t, b, req)
			replayed := mustCreate(t, a, req)
			if reborn.ID == made.ID || replayed.ID != reborn.ID {
				t.Fatalf("after the deletion: %s then %s (first %s); want a new id, then a replay", reborn.ID, replayed.ID, made.ID)
			}
			if res := mustReadWorld(t, ws); len(res) != 1 || res[0].ID != reborn.ID {
				t.Fatalf("the world holds %+v, want only %s", res, reborn.ID)
			}
		})
	}
}

// A bucket name is its resource's id: the other Provider's live bucket of
// the same name is a conflict, not a second resource.
func TestSharedWorld_ConfiguredIDConflictsAcrossProviders(t *testing.T) {
	ws := sim.NewMemoryWorld()
	cfg := sim.Config{World: ws, Schemas: map[string]provider.Schema{
		"acme_bucket": {IDAttribute: "bucket", Attributes: map[string]provider.Attribute{
			"bucket": {Type: cty.String, Required: true, ForceNew: true},
		}},
	}}
	a, b := newSim(t, cfg), newSim(t, cfg)
	logs := cty.ObjectVal(map[string]cty.Value{"bucket": cty.StringVal("logs")})
	mustCreate(t, a, provider.CreateRequest{TypeName: "acme_bucket", Address: "acme_bucket.a", Config: logs, Token: "a"})
	_, err := b.Create(context.Background(), provider.CreateRequest{TypeName: "acme_bucket", Address: "acme_bucket.b", Config: logs, Token: "b"})
	if !errors.Is(err, provider.ErrConflict) {
		t.Fatalf("a second bucket named logs from the other Provider: %v, want a conflict", err)
	}
	if res := mustReadWorld(t, ws); len(res) != 1 {
		t.Fatalf("the world holds %d buckets, want 1", len(res))
	}
}

// tornWorld keeps only the first pair of every Write, then fails: a crash in
// the middle of a Write, which WorldStore allows to keep a prefix.
type tornWorld struct{ *sim.MemoryWorld }

func (w tornWorld) Write(ctx context.Context, pairs []sim.KV) error {
	if err := w.MemoryWorld.Write(ctx, pairs[:1]); err != nil {
		return err
	}
	return errors.New("crashed mid-write")
}

// A crash in the middle of a create's write leaves at most its token's index
// entry: the next process's create under the token makes the resource once
// (a new generation, since the first never reached the store).
func TestSharedWorld_CrashMidWriteMakesNoDuplicate(t *testing.T) {
	ws := sim.NewMemoryWorld()
	req := createReq("huaweicloud_vpc.vpc", "dep-1/huaweicloud_vpc.vpc")
	dying := newSim(t, sim.Config{Seed: 3, World: tornWorld{ws}})
	if _, err := dying.Create(context.Background(), req); !errors.Is(err, provider.ErrTransient) {
		t.Fatalf("create through a torn write: %v, want a transient error", err)
	}
	next := newSim(t, sim.Config{Seed: 3, World: ws})
	made := mustCreate(t, next, req)
	if res := mustReadWorld(t, ws); len(res) != 1 || res[0].ID != made.ID {
		t.Fatalf("the world holds %+v, want only %s", res, made.ID)
	}
}

// With DeferWrites, changes reach the world only at Flush, all in one
// Write; until then the Provider itself sees them, and a Provider opened on
// the world does not.
func TestWorld_DeferWritesUntilFlush(t *testing.T) {
	ctx := context.Background()
	ws := &countingWorld{MemoryWorld: sim.NewMemoryWorld()}
	p := newSim(t, sim.Config{World: ws, DeferWrites: true})
	var made []string
	for i := range 5 {
		made = append(made, mustCreate(t, p, createReq("huaweicloud_vpc.v["+itoa(i)+"]", "dep/"+itoa(i))).ID)
	}
	if err := p.Delete(ctx, provider.DeleteRequest{TypeName: "huaweicloud_vpc", ID: made[4]}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Read(ctx, provider.ReadRequest{TypeName: "huaweicloud_vpc", ID: made[0]}); err != nil {
		t.Fatalf("the Provider reads its own unflushed resource: %v", err)
	}
	if res := mustReadWorld(t, ws); len(res) != 0 || ws.writes != 0 {
		t.Fatalf("before Flush the world holds %d resources after %d writes, want none", len(res), ws.writes)
	}
	if err := p.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if res := mustReadWorld(t, ws); len(res) != 4 || ws.writes != 1 {
		t.Fatalf("after Flush the world holds %d resources after %d writes, want 4 after 1", len(res), ws.writes)
	}
	if err := p.Flush(ctx); err != nil || ws.writes != 1 {
		t.Fatalf("a Flush with nothing to write wrote (%d writes, %v)", ws.writes, err)
	}
}

// countingWorld counts Writes.
type countingWorld struct {
	*sim.MemoryWorld
	writes int
}

func (w *countingWorld) Write(ctx context.Context, pairs []sim.KV) error {
	w.writes++
	return w.MemoryWorld.Write(ctx, pairs)
}
