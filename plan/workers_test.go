package plan_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
)

// validating wraps the simulated provider with a Validate that counts the
// calls in progress and may wait before answering.
type validating struct {
	*sim.Provider
	wait func(ctx context.Context) error

	mu         sync.Mutex
	now        int
	highest    int // Validate calls in progress at once
	goroutines int // the most goroutines seen during a call
}

func (v *validating) Validate(ctx context.Context, req provider.ValidateRequest) error {
	v.mu.Lock()
	v.now++
	v.highest = max(v.highest, v.now)
	v.goroutines = max(v.goroutines, runtime.NumGoroutine())
	v.mu.Unlock()
	defer func() {
		v.mu.Lock()
		v.now--
		v.mu.Unlock()
	}()
	if v.wait != nil {
		if err := v.wait(ctx); err != nil {
			return err
		}
	}
	return nil
}

func planWith(t *testing.T, v *validating, instances, parallelism int) {
	t.Helper()
	reg := &provider.Registry{}
	reg.Register("sim", v)
	src := fmt.Sprintf("resource \"sim_item\" \"i\" {\n  count = %d\n  name = \"i-${count.index}\"\n}\n", instances)
	p, err := plan.Make(context.Background(), expand(t, src), nil, reg, plan.Options{Parallelism: parallelism})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != instances {
		t.Fatalf("%d changes, want %d", len(p.Changes), instances)
	}
}

func newValidating(t *testing.T) *validating {
	t.Helper()
	p, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return &validating{Provider: p}
}

// Planning that only computes runs on one goroutine per CPU, however high
// the parallelism: in a synctest bubble time stands still while goroutines
// run, so the pool never sees a provider call wait and never grows.
func TestMake_ComputingUsesOneWorkerPerCPU(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		v := newValidating(t)
		before := runtime.NumGoroutine()
		planWith(t, v, 500, 100)
		// The workers, and the pool's watcher.
		if added, limit := v.goroutines-before, runtime.GOMAXPROCS(0)+1; added > limit {
			t.Fatalf("planning added %d goroutines, want at most %d (one per CPU and the watcher)", added, limit)
		}
	})
}

// Provider calls that wait get more workers, up to the parallelism: 40
// Validate calls must be in progress at once before any answers, which
// only a pool grown to 40 workers can reach (otherwise the bubble
// deadlocks and synctest fails the test).
func TestMake_WaitingProviderCallsGetMoreWorkers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const together = 40
		v := newValidating(t)
		var mu sync.Mutex
		arrived := 0
		all := make(chan struct{})
		v.wait = func(ctx context.Context) error {
			mu.Lock()
			if arrived++; arrived == together {
				close(all)
			}
			mu.Unlock()
			select {
			case <-all:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		planWith(t, v, together, together)
		if v.highest != together {
			t.Fatalf("%d Validate calls at once, want %d", v.highest, together)
		}
	})
}

// The pool never exceeds the parallelism, however long provider calls
// wait.
func TestMake_WaitingWorkersStayWithinParallelism(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		v := newValidating(t)
		v.wait = func(ctx context.Context) error {
			select {
			case <-time.After(50 * time.Millisecond):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		planWith(t, v, 200, 7)
		if v.highest != 7 {
			t.Fatalf("%d Validate calls at once, want the parallelism, 7", v.highest)
		}
	})
}

// A template without instances plans to nothing, at once.
func TestMake_NoInstances(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := &provider.Registry{}
		reg.Register("sim", newValidating(t))
		p, err := plan.Make(context.Background(), expand(t, "# nothing\n"), nil, reg, plan.Options{Parallelism: 10})
		if err != nil || len(p.Changes) != 0 {
			t.Fatalf("plan of an empty template: %v changes, %v", p, err)
		}
	})
}
