package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
)

func TestWait(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	ok(t, "-db", db, "stack", "create", "idle")
	if out := ok(t, "-db", db, "wait", "idle"); !strings.Contains(out, "Stack idle: CREATION_COMPLETE") {
		t.Errorf("wait on an idle stack printed %q", out)
	}
	rejected(t, formation.CodeStackNotFound, "-db", db, "wait", "nope")

	// A deployment interrupted by closing its engine mid-operation is
	// resumed by wait, which keeps the database open until it finishes.
	interruptStack(t, db, "web")
	// Read commands report the interrupted deployment and leave it
	// stopped: no event is added while they run.
	before := ok(t, "-db", db, "-json", "events", "web")
	r := cli(t, "-db", db, "stack", "show", "web")
	if r.code != exitOK || !strings.Contains(r.stdout, "DEPLOYMENT_IN_PROGRESS") ||
		!strings.Contains(r.stderr, "the deployment of stack web was interrupted and is stopped; formation wait web resumes it") {
		t.Fatalf("stack show of the interrupted stack: exit %d, stdout:\n%s\nstderr: %q", r.code, r.stdout, r.stderr)
	}
	if after := ok(t, "-db", db, "-json", "events", "web"); after != before {
		t.Errorf("reading the stack resumed its deployment: events before\n%s\nafter\n%s", before, after)
	}
	if out := ok(t, "-db", db, "wait", "web"); !strings.Contains(out, "Stack web: DEPLOYMENT_COMPLETE") {
		t.Errorf("wait on an interrupted deployment printed %q", out)
	}
	if r := cli(t, "-db", db, "-sim-fail", "*:update", "deploy", "web", "-t", filepath.Join("testdata", "network"), "-var", "prefix=x"); r.code != exitFailed {
		t.Fatalf("a failing deploy exited %d", r.code)
	}
	if r := cli(t, "-db", db, "wait", "web"); r.code != exitFailed || !strings.Contains(r.stdout, "DEPLOYMENT_FAILED") {
		t.Errorf("wait on a failed stack: exit %d, %q", r.code, r.stdout)
	}
}

// interruptStack creates the stack name with a deployment interrupted in
// its first operation: the engine running it closes mid-operation.
func interruptStack(t *testing.T, db, name string) {
	t.Helper()
	st, err := store.OpenBolt(db, store.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	slow, err := sim.New(sim.Config{UseCatalog: true, World: sim.StoreWorld{Store: st},
		Latency: []sim.LatencyRule{{Duration: time.Hour}}})
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(engine.Config{Store: st, DefaultProvider: slow})
	if err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile(filepath.Join("testdata", "network", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	vars, err := os.ReadFile(filepath.Join("testdata", "network", "variables.tf"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: name, TemplateInput: engine.TemplateInput{
		TemplateBody: string(vars) + "\n" + string(body), VarsStructure: []formation.VarsStructure{{VarKey: "prefix", VarValue: "w"}}}}); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil { // interrupts the hour-long operations
		t.Fatal(err)
	}
}
