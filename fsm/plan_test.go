package fsm_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/fsm"
)

const (
	pcip  = formation.PlanCreationInProgress
	pcf   = formation.PlanCreationFailed
	pav   = formation.PlanAvailable
	paip  = formation.PlanApplyInProgress
	papld = formation.PlanApplied
)

// wantPlan is spec §6.2 written out independently of the package's table.
var wantPlan = map[formation.PlanStatus]map[fsm.PlanEvent]formation.PlanStatus{
	fsm.PlanNone:    {fsm.PlanCreate: pcip},
	pcip:            {fsm.PlanCreationSucceeded: pav, fsm.PlanCreationFailed: pcf},
	pcf:             {fsm.PlanDelete: fsm.PlanDeleted},
	pav:             {fsm.PlanApply: paip, fsm.PlanDelete: fsm.PlanDeleted},
	paip:            {fsm.PlanApplyFinished: papld},
	papld:           {fsm.PlanDelete: fsm.PlanDeleted},
	fsm.PlanDeleted: {},
}

var allPlanEvents = []fsm.PlanEvent{
	fsm.PlanCreate, fsm.PlanCreationSucceeded, fsm.PlanCreationFailed,
	fsm.PlanApply, fsm.PlanApplyFinished, fsm.PlanDelete,
}

func allPlanStatuses() []formation.PlanStatus {
	return slices.Concat([]formation.PlanStatus{fsm.PlanNone}, formation.PlanStatuses(), []formation.PlanStatus{fsm.PlanDeleted})
}

func TestPlanMachine_Fire_EveryPair(t *testing.T) {
	ctx := context.Background()
	for _, from := range allPlanStatuses() {
		for _, ev := range fsm.PlanEvents() {
			t.Run(string(from)+"/"+string(ev), func(t *testing.T) {
				m, err := fsm.RestorePlan(from)
				if err != nil {
					t.Fatalf("RestorePlan(%q): %v", from, err)
				}
				got, err := m.Fire(ctx, ev)
				next, nextErr := fsm.NextPlan(ctx, from, ev)
				if next != got || (err == nil) != (nextErr == nil) {
					t.Errorf("NextPlan = %q, %v; Fire = %q, %v", next, nextErr, got, err)
				}
				want, legal := wantPlan[from][ev]
				if legal {
					if err != nil || got != want || m.Status() != want {
						t.Fatalf("Fire = %q, %v (Status %q); want %q", got, err, m.Status(), want)
					}
					return
				}
				code := formation.CodeInvalidPlanStatus
				if ev == fsm.PlanDelete {
					code = formation.CodePlanNotDeletable
				}
				if !errors.Is(err, formation.ErrInvalidStatus) || !formation.HasCode(err, code) {
					t.Fatalf("Fire = %q, %v; want code %s", got, err, code)
				}
				if got != from || m.Status() != from || m.Can(ev) {
					t.Fatalf("refused Fire: returned %q, Status %q, Can %v; want %q, false", got, m.Status(), m.Can(ev), from)
				}
			})
		}
	}
}

func TestPlanMachine_Fire_RefusalMessage(t *testing.T) {
	_, err := fsm.NextPlan(context.Background(), paip, fsm.PlanDelete)
	var fe *formation.Error
	if !errors.As(err, &fe) || fe.Code != formation.CodePlanNotDeletable ||
		fe.Message != "Invalid execution plan status APPLY_IN_PROGRESS. The execution plan cannot be deleted." ||
		fe.Op != "fsm.PlanMachine.Fire" {
		t.Fatalf("err = %#v", err)
	}
}

func TestPlanTransitions_MatchSpec(t *testing.T) {
	got := map[formation.PlanStatus]map[fsm.PlanEvent]formation.PlanStatus{}
	for _, s := range allPlanStatuses() {
		got[s] = map[fsm.PlanEvent]formation.PlanStatus{}
	}
	for _, tr := range fsm.PlanTransitions() {
		for _, from := range tr.From {
			if _, dup := got[from][tr.Event]; dup {
				t.Errorf("(%q, %s) appears twice", from, tr.Event)
			}
			got[from][tr.Event] = tr.To
		}
	}
	for _, s := range allPlanStatuses() {
		if !maps.Equal(got[s], wantPlan[s]) {
			t.Errorf("from %q: table %v, spec %v", s, got[s], wantPlan[s])
		}
	}
	if got := fsm.PlanEvents(); !slices.Equal(got, allPlanEvents) {
		t.Errorf("PlanEvents() = %v, want %v", got, allPlanEvents)
	}
	for _, ev := range allPlanEvents {
		user := ev == fsm.PlanCreate || ev == fsm.PlanApply || ev == fsm.PlanDelete
		if !ev.Valid() || ev.User() != user {
			t.Errorf("%s: Valid %v, User %v", ev, ev.Valid(), ev.User())
		}
	}
}

func TestPlanMachine_Lifecycle(t *testing.T) {
	ctx := context.Background()
	var m fsm.PlanMachine // the zero value is at PlanNone
	for _, st := range []struct {
		ev   fsm.PlanEvent
		want formation.PlanStatus
	}{
		{fsm.PlanCreate, pcip},
		{fsm.PlanCreationSucceeded, pav},
		{fsm.PlanApply, paip},
		{fsm.PlanApplyFinished, papld},
		{fsm.PlanDelete, fsm.PlanDeleted},
	} {
		if got, err := m.Fire(ctx, st.ev); err != nil || got != st.want {
			t.Fatalf("Fire(%s) = %q, %v; want %q", st.ev, got, err, st.want)
		}
	}
	if got := m.Available(); len(got) != 0 {
		t.Fatalf("a deleted plan has events: %v", got)
	}
}
