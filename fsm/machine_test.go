package fsm_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/fsm"
)

func TestStackMachine_Fire_CancelledContext(t *testing.T) {
	for name, ctx := range map[string]context.Context{
		"canceled": func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}(),
		"deadline": func() context.Context {
			ctx, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
			t.Cleanup(cancel)
			return ctx
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			m, err := fsm.RestoreStack(dc)
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.Fire(ctx, fsm.StackDeploy, fsm.StackFacts{})
			if err == nil || err != ctx.Err() {
				t.Fatalf("Fire with a done ctx = %q, %v; want %v", got, err, ctx.Err())
			}
			if got != dc || m.Status() != dc {
				t.Fatalf("status moved to %q / %q", got, m.Status())
			}
			// Not wedged: looplab would now refuse everything with
			// InTransitionError and Can would report false.
			if !m.Can(fsm.StackDeploy) {
				t.Fatal("Can(deploy) = false after a cancelled Fire: the machine is wedged")
			}
			if got, err := m.Fire(context.Background(), fsm.StackDeploy, fsm.StackFacts{}); err != nil || got != dip {
				t.Fatalf("Fire with a live ctx after a cancelled one = %q, %v", got, err)
			}
		})
	}
	if _, err := fsm.NextPlan(canceled(), pav, fsm.PlanApply); !errors.Is(err, context.Canceled) {
		t.Errorf("NextPlan with a cancelled ctx: %v", err)
	}
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// cancelAfterCheck is live when Fire checks it and cancelled from then on:
// the window in which looplab v1.0.3, given the ctx itself, would abandon
// the transition half-way and stay wedged (upstream issue #115).
type cancelAfterCheck struct {
	context.Context
	once sync.Once
	mu   sync.Mutex
	done chan struct{}
	hits int
}

func newCancelAfterCheck() *cancelAfterCheck {
	return &cancelAfterCheck{Context: context.Background(), done: make(chan struct{})}
}

func (c *cancelAfterCheck) Done() <-chan struct{} { return c.done }

func (c *cancelAfterCheck) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hits++
	c.once.Do(func() { close(c.done) })
	if c.hits == 1 {
		return nil
	}
	return context.Canceled
}

func TestStackMachine_Fire_CancelledDuringFire(t *testing.T) {
	m, err := fsm.RestoreStack(dc)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Fire(newCancelAfterCheck(), fsm.StackDeploy, fsm.StackFacts{})
	if err != nil || got != dip {
		t.Fatalf("Fire with a ctx cancelled after the check = %q, %v; want %q (looplab must not see the cancellation)", got, err, dip)
	}
	if got, err := m.Fire(context.Background(), fsm.StackDeploySucceeded, fsm.StackFacts{}); err != nil || got != dc {
		t.Fatalf("next Fire = %q, %v: the machine is wedged", got, err)
	}
}

func TestRestore_UnknownStatus(t *testing.T) {
	for _, s := range []formation.StackStatus{"BOGUS", "deployment_complete", "DELETION_COMPLETE", " CREATION_COMPLETE"} {
		m, err := fsm.RestoreStack(s)
		if m != nil || !errors.Is(err, fsm.ErrUnknownStatus) || !formation.HasCode(err, formation.CodeInternal) || !errors.Is(err, formation.ErrInternal) {
			t.Errorf("RestoreStack(%q) = %v, %v; want nil and CodeInternal wrapping ErrUnknownStatus", s, m, err)
		}
		var fe *formation.Error
		if errors.As(err, &fe) && fe.Op != "fsm.RestoreStack" {
			t.Errorf("Op = %q", fe.Op)
		}
		if got, err := fsm.NextStack(context.Background(), s, fsm.StackDeploy, fsm.StackFacts{}); got != s || !errors.Is(err, fsm.ErrUnknownStatus) {
			t.Errorf("NextStack(%q) = %q, %v", s, got, err)
		}
	}
	for _, s := range []formation.PlanStatus{"EXPIRED", "available"} {
		m, err := fsm.RestorePlan(s)
		if m != nil || !errors.Is(err, fsm.ErrUnknownStatus) || !formation.HasCode(err, formation.CodeInternal) {
			t.Errorf("RestorePlan(%q) = %v, %v", s, m, err)
		}
		if _, err := fsm.NextPlan(context.Background(), s, fsm.PlanApply); !errors.Is(err, fsm.ErrUnknownStatus) {
			t.Errorf("NextPlan(%q): %v", s, err)
		}
	}
}

func TestRestore_KnownStatuses(t *testing.T) {
	for _, s := range allStackStatuses() {
		m, err := fsm.RestoreStack(s)
		if err != nil || m.Status() != s {
			t.Errorf("RestoreStack(%q) = %v, %v", s, m, err)
		}
	}
	for _, s := range allPlanStatuses() {
		m, err := fsm.RestorePlan(s)
		if err != nil || m.Status() != s {
			t.Errorf("RestorePlan(%q) = %v, %v", s, m, err)
		}
	}
}

func TestFire_UndeclaredEvent(t *testing.T) {
	m, err := fsm.RestoreStack(dc)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []fsm.StackEvent{"", "bogus", "DEPLOY"} {
		got, err := m.Fire(context.Background(), ev, fsm.StackFacts{})
		if got != dc || !formation.HasCode(err, formation.CodeInternal) || m.Can(ev) {
			t.Errorf("Fire(%q) = %q, %v", ev, got, err)
		}
	}
	if _, err := fsm.NextPlan(context.Background(), pav, "bogus"); !formation.HasCode(err, formation.CodeInternal) {
		t.Errorf("NextPlan(bogus): %v", err)
	}
	if got, err := m.Fire(context.Background(), fsm.StackDeploy, fsm.StackFacts{}); err != nil || got != dip {
		t.Fatalf("Fire after undeclared events = %q, %v", got, err)
	}
}

func TestStackMachine_Concurrent(t *testing.T) {
	m, err := fsm.RestoreStack(dc)
	if err != nil {
		t.Fatal(err)
	}
	cycle := []fsm.StackEvent{
		fsm.StackDeploy, fsm.StackDeploySucceeded, fsm.StackUpdate, fsm.StackDelete,
		fsm.StackDeleteFailed, fsm.StackDeploy, fsm.StackRollback, fsm.StackRollbackSucceeded,
	}
	dead := canceled()
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 200 {
				ev := cycle[(g+i)%len(cycle)]
				ctx := context.Background()
				if i%7 == 0 {
					ctx = dead
				}
				s, err := m.Fire(ctx, ev, fsm.StackFacts{DeletionProtection: i%5 == 0})
				switch {
				case err == nil, errors.Is(err, context.Canceled), errors.Is(err, formation.ErrInvalidStatus):
				default:
					t.Errorf("Fire(%s): unexpected error %v", ev, err)
				}
				if !s.Valid() {
					t.Errorf("Fire(%s) returned %q", ev, s)
				}
				_ = m.Can(ev)
				_ = m.Available()
				_ = m.Status()
				_ = fsm.StackMermaid()
				_ = fsm.StackDOT()
				_ = fsm.StackTransitions()
			}
		})
	}
	wg.Wait()
	avail := m.Available()
	if len(avail) == 0 {
		t.Fatalf("no event available from %q", m.Status())
	}
	if _, err := m.Fire(context.Background(), avail[0], fsm.StackFacts{}); err != nil {
		t.Fatalf("Fire(%s) from %q after the storm: %v", avail[0], m.Status(), err)
	}
}

func TestPlanMachine_Concurrent(t *testing.T) {
	var m fsm.PlanMachine
	cycle := fsm.PlanEvents()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				ev := cycle[(g+i)%len(cycle)]
				if _, err := m.Fire(context.Background(), ev); err != nil && !errors.Is(err, formation.ErrInvalidStatus) {
					t.Errorf("Fire(%s): %v", ev, err)
				}
				_ = m.Can(ev)
				_ = fsm.PlanMermaid()
			}
		})
	}
	wg.Wait()
}
