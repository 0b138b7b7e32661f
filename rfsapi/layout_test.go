package rfsapi_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/rfsapi"
	"github.com/formation-engine/formation/store"
)

// The CLI and formation serve share one database file: the stacks a
// single engine kept are the default project's once a server has opened
// the file, and a single engine opened on it afterwards (OpenProject) sees
// the default project's stacks, including those the server made.
func TestLayout_OneFileForCLIAndServer(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "formation.db")
	openStore := func() (store.Store, *sim.Provider) {
		t.Helper()
		st, err := store.OpenBolt(path, store.BoltOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cloud, err := sim.New(sim.Config{UseCatalog: true, World: sim.StoreWorld{Store: st}})
		if err != nil {
			t.Fatal(err)
		}
		return st, cloud
	}
	single := func(project string) *engine.Engine {
		t.Helper()
		st, cloud := openStore()
		view, err := rfsapi.OpenProject(ctx, st, project)
		if err != nil {
			t.Fatal(err)
		}
		e, err := engine.New(engine.Config{Store: view, DefaultProvider: cloud})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	create := func(e *engine.Engine, name string) {
		t.Helper()
		if _, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: name, TemplateInput: engine.TemplateInput{TemplateBody: network}}); err != nil {
			t.Fatal(err)
		}
		if s, err := e.WaitStack(ctx, engine.StackRef{Name: name}); err != nil || s.Status != formation.StackDeploymentComplete {
			t.Fatalf("deploying %s: %s, %v", name, s.Status, err)
		}
	}
	stacks := func(e *engine.Engine) []string {
		t.Helper()
		page, err := e.ListStacks(ctx, engine.ListStacksRequest{})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range page.Stacks {
			names = append(names, s.Name)
		}
		slices.Sort(names)
		return names
	}

	// A database no server has opened has the default project only.
	st, _ := openStore()
	if _, err := rfsapi.OpenProject(ctx, st, "0605767f0a00d5762fc2c0133c2d8b8d"); !formation.HasCode(err, formation.CodeInvalidProjectID) {
		t.Fatalf("another project of a single engine's database: %v", err)
	}
	st.Close()
	e := single(rfsapi.DefaultProject)
	create(e, "cli")
	recorded, err := e.ListStackResources(ctx, engine.ListStackResourcesRequest{StackRef: engine.StackRef{Name: "cli"}})
	if err != nil || len(recorded.StackResources) == 0 {
		t.Fatalf("the CLI's stack's resources: %d, %v", len(recorded.StackResources), err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	st, cloud := openStore()
	projects, err := rfsapi.OpenProjects(ctx, st, engine.Config{DefaultProvider: cloud}, 0)
	if err != nil {
		t.Fatal(err)
	}
	home, err := projects.Engine(ctx, rfsapi.DefaultProject)
	if err != nil {
		t.Fatal(err)
	}
	if got := stacks(home); len(got) != 1 || got[0] != "cli" {
		t.Fatalf("the server's default project has %v, want the CLI's stack", got)
	}
	resources, err := home.ListStackResources(ctx, engine.ListStackResourcesRequest{StackRef: engine.StackRef{Name: "cli"}})
	if err != nil || len(resources.StackResources) != len(recorded.StackResources) {
		t.Fatalf("the CLI's stack's resources through the server: %d, %v", len(resources.StackResources), err)
	}
	create(home, "served")
	other, err := projects.Engine(ctx, "0605767f0a00d5762fc2c0133c2d8b8d")
	if err != nil {
		t.Fatal(err)
	}
	if got := stacks(other); len(got) != 0 {
		t.Fatalf("another project sees %v", got)
	}
	create(other, "elsewhere")
	if err := projects.Close(); err != nil {
		t.Fatal(err)
	}

	e = single(rfsapi.DefaultProject)
	if got := stacks(e); len(got) != 2 || got[0] != "cli" || got[1] != "served" {
		t.Errorf("the CLI after the server sees %v, want [cli served]", got)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = single("0605767f0a00d5762fc2c0133c2d8b8d")
	if got := stacks(e); len(got) != 1 || got[0] != "elsewhere" {
		t.Errorf("the CLI in another project sees %v, want [elsewhere]", got)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
}
