package fsm

import (
	"context"

	"github.com/formation-engine/formation"
)

// The stack machine's pseudo-states. Neither is a valid RFS status
// (formation.StackStatus.Valid reports false); the engine never stores them.
const (
	// StackNone is the start pseudo-state: the stack does not exist yet.
	// CreateStack fires StackCreate or StackCreateAndDeploy from it.
	StackNone formation.StackStatus = ""
	// StackDeleted is the end pseudo-state: the stack is removed. RFS has no
	// DELETION_COMPLETE status; once StackDeleteSucceeded lands here the
	// engine deletes the stack's records and every API answers not found.
	StackDeleted formation.StackStatus = "DELETED"
)

// StackEvent names an event of the stack machine. User events are fired by
// an API request; the others report the outcome of work the engine did.
type StackEvent string

// The stack events (spec §6.1).
const (
	StackCreate            StackEvent = "create"             // user: CreateStack without a template
	StackCreateAndDeploy   StackEvent = "create_and_deploy"  // user: CreateStack with a template
	StackDeploy            StackEvent = "deploy"             // user: DeployStack or ApplyExecutionPlan
	StackContinueDeploy    StackEvent = "continue_deploy"    // user: ContinueDeployStack
	StackDeploySucceeded   StackEvent = "deploy_succeeded"   // engine: the deployment succeeded
	StackDeployFailed      StackEvent = "deploy_failed"      // engine: the deployment failed, auto-rollback off
	StackRollback          StackEvent = "rollback"           // engine: the deployment failed, auto-rollback on
	StackRollbackSucceeded StackEvent = "rollback_succeeded" // engine: the rollback succeeded
	StackRollbackFailed    StackEvent = "rollback_failed"    // engine: the rollback failed
	StackContinueRollback  StackEvent = "continue_rollback"  // user: ContinueRollbackStack
	StackDelete            StackEvent = "delete"             // user: DeleteStack or DeleteStackEnhanced
	StackDeleteSucceeded   StackEvent = "delete_succeeded"   // engine: everything is deleted
	StackDeleteFailed      StackEvent = "delete_failed"      // engine: the deletion failed
	StackUpdate            StackEvent = "update"             // user: UpdateStack (status unchanged)
)

// StackEvents lists every stack event, in the order of the transition table.
func StackEvents() []StackEvent { return stackDef.eventNames() }

// Valid reports whether e is one of the stack events.
func (e StackEvent) Valid() bool { return stackDef.isEvent(e) }

// User reports whether e is fired by a user request. While the stack is
// *_IN_PROGRESS a user event is refused with formation.CodeStackBusy; an
// engine event fired from a wrong status is a bug in the engine and gets
// formation.CodeInvalidStackStatus.
func (e StackEvent) User() bool { return stackDef.isUser(e) }

// StackFacts are what the stack guards look at. The engine gathers them
// before firing; the zero value refuses nothing.
type StackFacts struct {
	// DeletionProtection is the stack's enable_deletion_protection.
	// StackDelete is refused while it is true.
	DeletionProtection bool
	// EnablingAutoRollback says an UpdateStack turns enable_auto_rollback
	// from false to true. StackUpdate is then refused in any *_FAILED status.
	EnablingAutoRollback bool
	// AutoRollback is the stack's enable_auto_rollback as it will be for the
	// deployment.
	AutoRollback bool
	// TemplateHasImports says the template to deploy has import blocks.
	// With AutoRollback, StackCreateAndDeploy, StackDeploy and
	// StackContinueDeploy are refused.
	TemplateHasImports bool
}

// StackTransition is a row of the stack transition table.
type StackTransition = Transition[formation.StackStatus, StackEvent]

// StackGuard is a row of the stack guard table.
type StackGuard = Guard[formation.StackStatus, StackEvent, StackFacts]

// StackTransitions returns a copy of the stack transition table.
func StackTransitions() []StackTransition { return cloneTransitions(stackDef.transitions) }

// StackGuards returns a copy of the stack guard table.
func StackGuards() []StackGuard { return cloneGuards(stackDef.guards) }

// StackMachine is a stack's status machine. It is safe for concurrent use;
// Fire calls are serialised. The zero value is at StackNone; RestoreStack
// puts a machine at a persisted status. A StackMachine must not be copied
// after first use.
//
// The machine holds the status only in memory: the engine persists the
// status Fire returns, in the same store transaction as the data it
// describes.
type StackMachine struct {
	m machine[formation.StackStatus, StackEvent, StackFacts]
}

// RestoreStack returns a machine at the persisted status s: StackNone (""),
// StackDeleted or one of formation.StackStatuses. Any other status is
// refused with a *formation.Error of code formation.CodeInternal wrapping
// ErrUnknownStatus.
func RestoreStack(s formation.StackStatus) (*StackMachine, error) {
	m := new(StackMachine)
	if err := m.m.restore(stackDef, s); err != nil {
		return nil, err
	}
	return m, nil
}

// Fire applies ev, given facts, and returns the new status. On error the
// status is unchanged and returned with the error:
//
//   - ctx.Err() unchanged, if ctx is done (checked before anything else);
//   - formation.CodeStackBusy for a user event while the stack is *_IN_PROGRESS;
//   - formation.CodeInvalidStackStatus for any other event the table does
//     not allow from the current status;
//   - the guard's code (formation.CodeDeletionProtected,
//     formation.CodeAutoRollback) when a guard refuses;
//   - formation.CodeInternal for an undeclared event.
//
// Every refusal is of class formation.ErrInvalidStatus. The error's Resource
// is empty; the caller may fill it in. StackUpdate succeeds without changing
// the status.
func (m *StackMachine) Fire(ctx context.Context, ev StackEvent, facts StackFacts) (formation.StackStatus, error) {
	return m.m.fire(ctx, stackDef, ev, facts)
}

// Status returns the current status.
func (m *StackMachine) Status() formation.StackStatus { return m.m.status(stackDef) }

// Can reports whether the transition table allows ev from the current
// status. Guards are not consulted; Fire may still refuse.
func (m *StackMachine) Can(ev StackEvent) bool { return m.m.can(stackDef, ev) }

// Available lists the events the transition table allows from the current
// status, in table order. Guards are not consulted.
func (m *StackMachine) Available() []StackEvent { return m.m.available(stackDef) }

// NextStack returns the status ev leads to from the persisted status from,
// given facts: what RestoreStack followed by Fire returns, errors included,
// on an idle machine rather than a new one. On error it returns from.
func NextStack(ctx context.Context, from formation.StackStatus, ev StackEvent, facts StackFacts) (formation.StackStatus, error) {
	return stackDef.next(ctx, from, ev, facts)
}
