package fsm

import (
	"context"

	"github.com/formation-engine/formation"
)

// The execution plan machine's pseudo-states. Neither is a valid RFS status
// (formation.PlanStatus.Valid reports false); the engine never stores them.
const (
	// PlanNone is the start pseudo-state: the plan does not exist yet.
	PlanNone formation.PlanStatus = ""
	// PlanDeleted is the end pseudo-state: the plan is removed.
	PlanDeleted formation.PlanStatus = "DELETED"
)

// PlanEvent names an event of the execution plan machine.
type PlanEvent string

// The execution plan events (spec §6.2).
const (
	PlanCreate            PlanEvent = "create"             // user: CreateExecutionPlan
	PlanCreationSucceeded PlanEvent = "creation_succeeded" // engine: the plan is computed
	PlanCreationFailed    PlanEvent = "creation_failed"    // engine: the plan could not be computed
	PlanApply             PlanEvent = "apply"              // user: ApplyExecutionPlan
	PlanApplyFinished     PlanEvent = "apply_finished"     // engine: the deployment ended, whatever its outcome
	PlanDelete            PlanEvent = "delete"             // user: DeleteExecutionPlan
)

// PlanEvents lists every execution plan event, in the order of the
// transition table.
func PlanEvents() []PlanEvent { return planDef.eventNames() }

// Valid reports whether e is one of the execution plan events.
func (e PlanEvent) Valid() bool { return planDef.isEvent(e) }

// User reports whether e is fired by a user request rather than by the
// engine reporting an outcome.
func (e PlanEvent) User() bool { return planDef.isUser(e) }

// PlanTransition is a row of the execution plan transition table.
type PlanTransition = Transition[formation.PlanStatus, PlanEvent]

// PlanTransitions returns a copy of the execution plan transition table.
func PlanTransitions() []PlanTransition { return cloneTransitions(planDef.transitions) }

// PlanMachine is an execution plan's status machine. It is safe for
// concurrent use; Fire calls are serialised. The zero value is at PlanNone;
// RestorePlan puts a machine at a persisted status. A PlanMachine must not
// be copied after first use.
type PlanMachine struct {
	m machine[formation.PlanStatus, PlanEvent, struct{}]
}

// RestorePlan returns a machine at the persisted status s: PlanNone (""),
// PlanDeleted or one of formation.PlanStatuses. Any other status is refused
// with a *formation.Error of code formation.CodeInternal wrapping
// ErrUnknownStatus.
func RestorePlan(s formation.PlanStatus) (*PlanMachine, error) {
	m := new(PlanMachine)
	if err := m.m.restore(planDef, s); err != nil {
		return nil, err
	}
	return m, nil
}

// Fire applies ev and returns the new status. On error the status is
// unchanged and returned with the error: ctx.Err() if ctx is done (checked
// first), formation.CodePlanNotDeletable for a refused PlanDelete (the plan
// is CREATION_IN_PROGRESS or APPLY_IN_PROGRESS), formation.CodeInvalidPlanStatus
// for any other event the table does not allow, formation.CodeInternal for
// an undeclared event.
func (m *PlanMachine) Fire(ctx context.Context, ev PlanEvent) (formation.PlanStatus, error) {
	return m.m.fire(ctx, planDef, ev, struct{}{})
}

// Status returns the current status.
func (m *PlanMachine) Status() formation.PlanStatus { return m.m.status(planDef) }

// Can reports whether ev is allowed from the current status.
func (m *PlanMachine) Can(ev PlanEvent) bool { return m.m.can(planDef, ev) }

// Available lists the events allowed from the current status, in table
// order.
func (m *PlanMachine) Available() []PlanEvent { return m.m.available(planDef) }

// NextPlan returns the status ev leads to from the persisted status from:
// what RestorePlan followed by Fire returns, errors included, on an idle
// machine rather than a new one. On error it returns from.
func NextPlan(ctx context.Context, from formation.PlanStatus, ev PlanEvent) (formation.PlanStatus, error) {
	return planDef.next(ctx, from, ev, struct{}{})
}
