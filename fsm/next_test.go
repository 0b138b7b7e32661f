package fsm_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/fsm"
)

// sameAnswer fails t unless NextX (got) answered what a restored machine's
// Fire (want) answered: the same status and the same error.
func sameAnswer[S ~string](t *testing.T, what string, got S, gotErr error, want S, wantErr error) {
	t.Helper()
	if got != want || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Errorf("%s: Next gives %q, %v; the machine %q, %v", what, got, gotErr, want, wantErr)
		return
	}
	var g, w *formation.Error
	if errors.As(gotErr, &g) != errors.As(wantErr, &w) || g != nil && (g.Code != w.Code || g.Op != w.Op ||
		errors.Is(gotErr, fsm.ErrUnknownStatus) != errors.Is(wantErr, fsm.ErrUnknownStatus) ||
		errors.Is(gotErr, formation.ErrInvalidStatus) != errors.Is(wantErr, formation.ErrInvalidStatus)) {
		t.Errorf("%s: Next's error %#v, the machine's %#v", what, gotErr, wantErr)
	}
	if errors.Is(wantErr, context.Canceled) != errors.Is(gotErr, context.Canceled) {
		t.Errorf("%s: Next's error %v, the machine's %v", what, gotErr, wantErr)
	}
}

// NextStack answers what RestoreStack and Fire answer, for every status
// (and one unknown), every event (and one undeclared), every combination
// of facts, and a cancelled context.
func TestNextStack_AsTheMachine(t *testing.T) {
	live := context.Background()
	cancelled, cancel := context.WithCancel(live)
	cancel()
	statuses := append(allStackStatuses(), "NO_SUCH_STATUS")
	events := append(slices.Clone(allStackEvents), "no_such_event")
	refused, moved := 0, 0
	for _, ctx := range []context.Context{live, cancelled} {
		for _, from := range statuses {
			for _, ev := range events {
				for bits := range 16 {
					facts := fsm.StackFacts{DeletionProtection: bits&1 != 0, EnablingAutoRollback: bits&2 != 0,
						AutoRollback: bits&4 != 0, TemplateHasImports: bits&8 != 0}
					got, gotErr := fsm.NextStack(ctx, from, ev, facts)
					want, wantErr := from, error(nil)
					if m, err := fsm.RestoreStack(from); err != nil {
						wantErr = err
					} else {
						want, wantErr = m.Fire(ctx, ev, facts)
					}
					sameAnswer(t, fmt.Sprintf("%q --%s %+v-->", from, ev, facts), got, gotErr, want, wantErr)
					if wantErr != nil {
						refused++
					} else if want != from {
						moved++
					}
				}
			}
		}
	}
	if refused == 0 || moved == 0 {
		t.Errorf("%d refused, %d moved: the cases do not cover both", refused, moved)
	}
}

// NextPlan answers what RestorePlan and Fire answer.
func TestNextPlan_AsTheMachine(t *testing.T) {
	live := context.Background()
	cancelled, cancel := context.WithCancel(live)
	cancel()
	statuses := append([]formation.PlanStatus{fsm.PlanNone, fsm.PlanDeleted, "NO_SUCH_STATUS"}, formation.PlanStatuses()...)
	events := append(fsm.PlanEvents(), "no_such_event")
	for _, ctx := range []context.Context{live, cancelled} {
		for _, from := range statuses {
			for _, ev := range events {
				got, gotErr := fsm.NextPlan(ctx, from, ev)
				want, wantErr := from, error(nil)
				if m, err := fsm.RestorePlan(from); err != nil {
					wantErr = err
				} else {
					want, wantErr = m.Fire(ctx, ev)
				}
				sameAnswer(t, fmt.Sprintf("%q --%s-->", from, ev), got, gotErr, want, wantErr)
			}
		}
	}
}
