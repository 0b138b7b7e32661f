package sim_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	formation "github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/zclconf/go-cty/cty"
)

// worldStores returns a fresh store of each implementation.
func worldStores(t *testing.T) map[string]sim.WorldStore {
	return map[string]sim.WorldStore{
		"memory": sim.NewMemoryWorld(),
		"file":   sim.NewFileWorld(filepath.Join(t.TempDir(), "world.jsonl")),
	}
}

func TestWorld_PersistsAcrossReopen(t *testing.T) {
	ctx := context.Background()
	for name, store := range worldStores(t) {
		t.Run(name, func(t *testing.T) {
			cfg := sim.Config{Seed: 11, UseCatalog: true, World: store}
			p1 := newSim(t, cfg)
			schema, _ := p1.Schema("huaweicloud_vpc")
			planned, _ := schema.PlannedValue(vpc("vpc", "10.0.0.0/16"))
			kept := mustCreate(t, p1, provider.CreateRequest{TypeName: "huaweicloud_vpc", Address: "huaweicloud_vpc.vpc", Config: planned, Token: "dep/vpc"})
			gone := mustCreate(t, p1, provider.CreateRequest{TypeName: "acme_thing", Address: "acme_thing.x", Config: cty.ObjectVal(map[string]cty.Value{"n": cty.NumberIntVal(1)}), Token: "dep/x"})
			if err := p1.Drift(ctx, kept.ID, map[string]cty.Value{"description": cty.StringVal("drifted")}); err != nil {
				t.Fatal(err)
			}
			if err := p1.Delete(ctx, provider.DeleteRequest{TypeName: "acme_thing", ID: gone.ID}); err != nil {
				t.Fatal(err)
			}

			p2 := newSim(t, cfg) // as a second process would
			res := p2.Resources()
			if len(res) != 1 || res[0].ID != kept.ID || res[0].Address != "huaweicloud_vpc.vpc" || res[0].Token != "dep/vpc" {
				t.Fatalf("reopened world: %+v", res)
			}
			read, err := p2.Read(ctx, provider.ReadRequest{TypeName: "huaweicloud_vpc", ID: kept.ID})
			if err != nil || str(read.State, "description") != "drifted" || str(read.State, "status") != "OK" {
				t.Fatalf("read: %#v, %v", read.State, err)
			}
			// The token is remembered: a retry after a "crash" creates nothing.
			again := mustCreate(t, p2, provider.CreateRequest{TypeName: "huaweicloud_vpc", Address: "huaweicloud_vpc.vpc", Config: planned, Token: "dep/vpc"})
			if again.ID != kept.ID || !p2.Calls()[1].Replayed {
				t.Fatalf("replay after reopen made %s", again.ID)
			}
			// The deleted resource's token makes a new resource with a new id.
			reborn := mustCreate(t, p2, provider.CreateRequest{TypeName: "acme_thing", Address: "acme_thing.x", Config: cty.EmptyObjectVal, Token: "dep/x"})
			if reborn.ID == gone.ID {
				t.Fatal("a deleted resource's id was reused")
			}
		})
	}
}

func TestFileWorld_TornLastLineAndCorruption(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "world.jsonl")
	p := newSim(t, sim.Config{World: sim.NewFileWorld(path)})
	resp := mustCreate(t, p, createReq("huaweicloud_vpc.vpc", "t"))

	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"k":"huaweicloud_vpc/x","v":"ey`) // a write cut short
	f.Close()
	p2 := newSim(t, sim.Config{World: sim.NewFileWorld(path)})
	if res := p2.Resources(); len(res) != 1 || res[0].ID != resp.ID {
		t.Fatalf("after a torn line: %+v", res)
	}

	if err := os.WriteFile(path, []byte("garbage\n{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = sim.Open(ctx, sim.Config{World: sim.NewFileWorld(path)})
	if !formation.HasCode(err, formation.CodeInternal) {
		t.Fatalf("corrupt world: %v, want CodeInternal", err)
	}
}

func TestFileWorld_MissingFileIsEmpty(t *testing.T) {
	p := newSim(t, sim.Config{World: sim.NewFileWorld(filepath.Join(t.TempDir(), "none.jsonl"))})
	if len(p.Resources()) != 0 {
		t.Fatal("resources in a missing world")
	}
}

// flakyWorld is a WorldStore whose writes fail while broken is set.
type flakyWorld struct {
	*sim.MemoryWorld
	mu     sync.Mutex
	broken bool
}

func (f *flakyWorld) Write(ctx context.Context, pairs []sim.KV) error {
	f.mu.Lock()
	broken := f.broken
	f.mu.Unlock()
	if broken {
		return errors.New("disk full")
	}
	return f.MemoryWorld.Write(ctx, pairs)
}

func TestWorld_FailedWriteIsTransientAndRetried(t *testing.T) {
	store := &flakyWorld{MemoryWorld: sim.NewMemoryWorld(), broken: true}
	p := newSim(t, sim.Config{World: store})
	req := createReq("huaweicloud_vpc.vpc", "t")
	if _, err := p.Create(context.Background(), req); !errors.Is(err, provider.ErrTransient) {
		t.Fatalf("err = %v, want ErrTransient", err)
	}
	if store.Len() != 0 {
		t.Fatal("a failed write was stored")
	}
	store.mu.Lock()
	store.broken = false
	store.mu.Unlock()
	resp := mustCreate(t, p, req) // the engine's retry persists what the first call made
	if stored, err := sim.ReadWorld(context.Background(), store); err != nil || len(stored) != 1 || !p.Calls()[1].Replayed {
		t.Fatalf("retry stored %+v (%v)", stored, err)
	}
	p2 := newSim(t, sim.Config{World: store})
	if res := p2.Resources(); len(res) != 1 || res[0].ID != resp.ID {
		t.Fatalf("reopened: %+v", res)
	}
}

func TestWorld_SchemaLessTypesOfManyShapes(t *testing.T) {
	store := sim.NewMemoryWorld()
	p := newSim(t, sim.Config{World: store})
	shapes := []cty.Value{
		cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x")}),
		cty.ObjectVal(map[string]cty.Value{"b": cty.NumberIntVal(2), "c": cty.ListVal([]cty.Value{cty.True})}),
		cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("y")}),
	}
	for i, cfg := range shapes {
		mustCreate(t, p, provider.CreateRequest{TypeName: "acme_thing", Address: "acme_thing.t[" + itoa(i) + "]", Config: cfg, Token: itoa(i)})
	}
	want := p.Resources()
	got := newSim(t, sim.Config{World: store}).Resources()
	for i := range want {
		if !got[i].State.RawEquals(want[i].State) {
			t.Fatalf("resource %d:\n%#v\nwant\n%#v", i, got[i].State, want[i].State)
		}
	}
}

// TestWorld_CrashAfterSideEffect is the engine's crash-recovery scenario: the
// create takes effect and is persisted, the response is lost, the process
// dies; a new process on the same world re-issues the create with the same
// token and gets the resource, not a duplicate.
func TestWorld_CrashAfterSideEffect(t *testing.T) {
	path := filepath.Join(t.TempDir(), "world.jsonl")
	req := createReq("huaweicloud_vpc.vpc", "deployment-7/huaweicloud_vpc.vpc")
	req.Attempt = 1
	before := newSim(t, sim.Config{Seed: 5, World: sim.NewFileWorld(path), Faults: []sim.Fault{
		{Match: sim.Match{Op: sim.OpCreate}, Times: 1, AfterEffect: true, Message: "process killed"},
	}})
	if _, err := before.Create(context.Background(), req); err == nil {
		t.Fatal("the fault did not fire")
	}

	after := newSim(t, sim.Config{Seed: 5, World: sim.NewFileWorld(path)})
	req.Attempt = 2
	resp := mustCreate(t, after, req)
	res := after.Resources()
	if len(res) != 1 || res[0].ID != resp.ID || !after.Calls()[0].Replayed {
		t.Fatalf("after recovery: %+v, calls %+v", res, after.Calls())
	}
}
