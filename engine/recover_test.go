package engine_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
)

// TestDeferRecovery: an engine opened with DeferRecovery leaves an
// interrupted deployment stopped until Recover, which resumes it.
func TestDeferRecovery(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	provider := func(latency time.Duration) *sim.Provider {
		p, err := sim.New(sim.Config{Latency: []sim.LatencyRule{{Duration: latency}}})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	ctx := context.Background()
	e, err := engine.Open(db, engine.Config{DefaultProvider: provider(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	body := `resource "huaweicloud_vpc" "v" {
  name = "v"
  cidr = "10.0.0.0/16"
}
`
	if _, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: "web", TemplateInput: engine.TemplateInput{TemplateBody: body}}); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil { // interrupts the hour-long creation
		t.Fatal(err)
	}

	e, err = engine.Open(db, engine.Config{DefaultProvider: provider(0), DeferRecovery: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	events := func() int {
		page, err := e.ListStackEvents(ctx, engine.ListStackEventsRequest{StackRef: engine.StackRef{Name: "web"}})
		if err != nil {
			t.Fatal(err)
		}
		return len(page.StackEvents)
	}
	n := events()
	// Nothing runs the deployment: a deadline passes without a change.
	wctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := e.WaitStack(wctx, engine.StackRef{Name: "web"}); !formation.HasCode(err, formation.CodeTimeout) {
		t.Fatalf("WaitStack before Recover: %v, want the deadline", err)
	}
	if events() != n {
		t.Fatalf("the deferred deployment ran before Recover")
	}
	e.Recover()
	e.Recover() // resumes nothing twice
	s, err := e.WaitStack(ctx, engine.StackRef{Name: "web"})
	if err != nil || s.Status != formation.StackDeploymentComplete && s.Status != formation.StackCreationComplete {
		t.Fatalf("after Recover: %s, %v", s.Status, err)
	}
}
