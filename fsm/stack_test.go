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
	cc    = formation.StackCreationComplete
	dip   = formation.StackDeploymentInProgress
	df    = formation.StackDeploymentFailed
	dc    = formation.StackDeploymentComplete
	rip   = formation.StackRollbackInProgress
	rf    = formation.StackRollbackFailed
	rc    = formation.StackRollbackComplete
	delip = formation.StackDeletionInProgress
	delf  = formation.StackDeletionFailed
)

// wantStack is spec §6.1 written out independently of the package's table:
// from → event → to. Every pair missing here must be refused.
var wantStack = map[formation.StackStatus]map[fsm.StackEvent]formation.StackStatus{
	fsm.StackNone:    {fsm.StackCreate: cc, fsm.StackCreateAndDeploy: dip},
	cc:               {fsm.StackDeploy: dip, fsm.StackDelete: delip, fsm.StackUpdate: cc},
	dip:              {fsm.StackDeploySucceeded: dc, fsm.StackDeployFailed: df, fsm.StackRollback: rip},
	df:               {fsm.StackDeploy: dip, fsm.StackContinueDeploy: dip, fsm.StackDelete: delip, fsm.StackUpdate: df},
	dc:               {fsm.StackDeploy: dip, fsm.StackDelete: delip, fsm.StackUpdate: dc},
	rip:              {fsm.StackRollbackSucceeded: rc, fsm.StackRollbackFailed: rf},
	rf:               {fsm.StackDeploy: dip, fsm.StackContinueRollback: rip, fsm.StackDelete: delip, fsm.StackUpdate: rf},
	rc:               {fsm.StackDeploy: dip, fsm.StackDelete: delip, fsm.StackUpdate: rc},
	delip:            {fsm.StackDeleteSucceeded: fsm.StackDeleted, fsm.StackDeleteFailed: delf},
	delf:             {fsm.StackDeploy: dip, fsm.StackDelete: delip, fsm.StackUpdate: delf},
	fsm.StackDeleted: {},
}

var stackUserEvents = []fsm.StackEvent{
	fsm.StackCreate, fsm.StackCreateAndDeploy, fsm.StackDeploy, fsm.StackContinueDeploy,
	fsm.StackContinueRollback, fsm.StackDelete, fsm.StackUpdate,
}

var allStackEvents = []fsm.StackEvent{
	fsm.StackCreate, fsm.StackCreateAndDeploy, fsm.StackDeploy, fsm.StackContinueDeploy,
	fsm.StackDeploySucceeded, fsm.StackDeployFailed, fsm.StackRollback, fsm.StackRollbackSucceeded,
	fsm.StackRollbackFailed, fsm.StackContinueRollback, fsm.StackDelete, fsm.StackDeleteSucceeded,
	fsm.StackDeleteFailed, fsm.StackUpdate,
}

func allStackStatuses() []formation.StackStatus {
	return slices.Concat([]formation.StackStatus{fsm.StackNone}, formation.StackStatuses(), []formation.StackStatus{fsm.StackDeleted})
}

func TestStackMachine_Fire_EveryPair(t *testing.T) {
	ctx := context.Background()
	for _, from := range allStackStatuses() {
		for _, ev := range fsm.StackEvents() {
			t.Run(string(from)+"/"+string(ev), func(t *testing.T) {
				m, err := fsm.RestoreStack(from)
				if err != nil {
					t.Fatalf("RestoreStack(%q): %v", from, err)
				}
				got, err := m.Fire(ctx, ev, fsm.StackFacts{})
				next, nextErr := fsm.NextStack(ctx, from, ev, fsm.StackFacts{})
				if next != got || (err == nil) != (nextErr == nil) {
					t.Errorf("NextStack = %q, %v; Fire = %q, %v", next, nextErr, got, err)
				}
				want, legal := wantStack[from][ev]
				if legal {
					if err != nil {
						t.Fatalf("Fire: %v, want %s", err, want)
					}
					if got != want || m.Status() != want {
						t.Fatalf("Fire = %q, Status = %q, want %q", got, m.Status(), want)
					}
					return
				}
				code := formation.CodeInvalidStackStatus
				if from.InProgress() && slices.Contains(stackUserEvents, ev) {
					code = formation.CodeStackBusy
				}
				if !errors.Is(err, formation.ErrInvalidStatus) || !formation.HasCode(err, code) {
					t.Fatalf("Fire = %q, %v; want code %s", got, err, code)
				}
				if got != from || m.Status() != from {
					t.Fatalf("refused Fire moved the machine: returned %q, Status %q, want %q", got, m.Status(), from)
				}
				if m.Can(ev) {
					t.Errorf("Can(%s) = true for a refused event", ev)
				}
			})
		}
	}
}

func TestStackMachine_Fire_RefusalMessages(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		from formation.StackStatus
		ev   fsm.StackEvent
		code formation.Code
		msg  string
	}{
		{dc, fsm.StackContinueDeploy, formation.CodeInvalidStackStatus, "Invalid stack status DEPLOYMENT_COMPLETE. The stack cannot be continue-deployed."},
		{dc, fsm.StackContinueRollback, formation.CodeInvalidStackStatus, "Invalid stack status DEPLOYMENT_COMPLETE. The stack cannot be continue-rolled-back."},
		{dip, fsm.StackDelete, formation.CodeStackBusy, "Invalid stack status DEPLOYMENT_IN_PROGRESS. The stack cannot be deleted until the operation in progress ends."},
		{rip, fsm.StackDeploySucceeded, formation.CodeInvalidStackStatus, "Invalid stack status ROLLBACK_IN_PROGRESS. The stack cannot be marked as deployed."},
		{fsm.StackNone, fsm.StackDeploy, formation.CodeInvalidStackStatus, "The stack does not exist. The stack cannot be deployed."},
		{fsm.StackDeleted, fsm.StackDelete, formation.CodeInvalidStackStatus, "The stack is deleted. The stack cannot be deleted."},
	} {
		_, err := fsm.NextStack(ctx, tc.from, tc.ev, fsm.StackFacts{})
		var fe *formation.Error
		if !errors.As(err, &fe) || fe.Code != tc.code || fe.Message != tc.msg || fe.Op != "fsm.StackMachine.Fire" {
			t.Errorf("NextStack(%q, %s) = %#v, want code %s message %q", tc.from, tc.ev, err, tc.code, tc.msg)
		}
		if fe != nil && fe.HTTPStatus() != 403 {
			t.Errorf("HTTPStatus = %d, want 403", fe.HTTPStatus())
		}
	}
}

func TestStackTransitions_MatchSpec(t *testing.T) {
	got := map[formation.StackStatus]map[fsm.StackEvent]formation.StackStatus{}
	for _, s := range allStackStatuses() {
		got[s] = map[fsm.StackEvent]formation.StackStatus{}
	}
	for _, tr := range fsm.StackTransitions() {
		for _, from := range tr.From {
			if _, dup := got[from][tr.Event]; dup {
				t.Errorf("(%q, %s) appears twice", from, tr.Event)
			}
			got[from][tr.Event] = tr.To
		}
	}
	for _, s := range allStackStatuses() {
		if !maps.Equal(got[s], wantStack[s]) {
			t.Errorf("from %q: table %v, spec %v", s, got[s], wantStack[s])
		}
	}
}

func TestStackTransitions_ReturnsCopy(t *testing.T) {
	ts := fsm.StackTransitions()
	for i := range ts {
		for j := range ts[i].From {
			ts[i].From[j] = "MUTATED"
		}
		ts[i].To = "MUTATED"
	}
	for _, tr := range fsm.StackTransitions() {
		if tr.To == "MUTATED" || slices.Contains(tr.From, "MUTATED") {
			t.Fatalf("StackTransitions shares memory with the table: %+v", tr)
		}
	}
	if _, err := fsm.NextStack(context.Background(), dc, fsm.StackDeploy, fsm.StackFacts{}); err != nil {
		t.Fatalf("machine changed after mutating a copy: %v", err)
	}
	gs := fsm.StackGuards()
	gs[0].Events[0] = "MUTATED"
	if fsm.StackGuards()[0].Events[0] == "MUTATED" {
		t.Fatal("StackGuards shares memory with the table")
	}
}

func TestStackEvent_Lists(t *testing.T) {
	if got := fsm.StackEvents(); !slices.Equal(got, allStackEvents) {
		t.Errorf("StackEvents() = %v, want %v", got, allStackEvents)
	}
	for _, ev := range allStackEvents {
		if !ev.Valid() {
			t.Errorf("%s.Valid() = false", ev)
		}
		if got, want := ev.User(), slices.Contains(stackUserEvents, ev); got != want {
			t.Errorf("%s.User() = %v, want %v", ev, got, want)
		}
	}
	if fsm.StackEvent("bogus").Valid() || fsm.StackEvent("bogus").User() {
		t.Error("an undeclared event is valid or a user event")
	}
}

func TestStackMachine_Available(t *testing.T) {
	for _, s := range allStackStatuses() {
		m, err := fsm.RestoreStack(s)
		if err != nil {
			t.Fatal(err)
		}
		var want []fsm.StackEvent
		for _, ev := range allStackEvents {
			if _, ok := wantStack[s][ev]; ok {
				want = append(want, ev)
			}
		}
		if got := m.Available(); !slices.Equal(got, want) {
			t.Errorf("from %q: Available() = %v, want %v", s, got, want)
		}
	}
}

func TestStackMachine_ZeroValueIsAtStart(t *testing.T) {
	var m fsm.StackMachine
	if m.Status() != fsm.StackNone {
		t.Fatalf("zero machine Status = %q", m.Status())
	}
	if got, err := m.Fire(context.Background(), fsm.StackCreate, fsm.StackFacts{}); err != nil || got != cc {
		t.Fatalf("Fire(create) = %q, %v", got, err)
	}
}

func TestStackMachine_Lifecycle(t *testing.T) {
	ctx := context.Background()
	m, err := fsm.RestoreStack(fsm.StackNone)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		ev   fsm.StackEvent
		want formation.StackStatus
	}{
		{fsm.StackCreateAndDeploy, dip},
		{fsm.StackRollback, rip},
		{fsm.StackRollbackFailed, rf},
		{fsm.StackUpdate, rf},
		{fsm.StackContinueRollback, rip},
		{fsm.StackRollbackSucceeded, rc},
		{fsm.StackDeploy, dip},
		{fsm.StackDeployFailed, df},
		{fsm.StackContinueDeploy, dip},
		{fsm.StackDeploySucceeded, dc},
		{fsm.StackDelete, delip},
		{fsm.StackDeleteFailed, delf},
		{fsm.StackDeploy, dip},
		{fsm.StackDeploySucceeded, dc},
		{fsm.StackDelete, delip},
		{fsm.StackDeleteSucceeded, fsm.StackDeleted},
	}
	for _, st := range steps {
		got, err := m.Fire(ctx, st.ev, fsm.StackFacts{})
		if err != nil || got != st.want {
			t.Fatalf("Fire(%s) = %q, %v; want %q", st.ev, got, err, st.want)
		}
	}
	if got := m.Available(); len(got) != 0 {
		t.Fatalf("a deleted stack has events: %v", got)
	}
}
