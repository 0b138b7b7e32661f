// Package fsm is the single source of truth for every stack and execution
// plan status change (spec §6). The engine never sets a status field: it
// fires an event here and persists the status that comes back, and the
// diagrams in the documentation are rendered from the same tables.
//
// The simplest use is the pure function:
//
//	next, err := fsm.NextStack(ctx, stack.Status, fsm.StackDeploy, fsm.StackFacts{
//		AutoRollback:       stack.EnableAutoRollback,
//		TemplateHasImports: tmpl.HasImports(),
//	})
//	if err != nil {
//		return err // *formation.Error: CodeStackBusy, CodeInvalidStackStatus, CodeAutoRollback, …
//	}
//	stack.Status = next // persisted with the deployment, in one transaction
//
// RestoreStack and RestorePlan give a machine to keep and fire several
// events on; NextPlan is the plan counterpart of NextStack.
//
// # Tables
//
// Each machine is three tables of data: the events (which are user requests
// and how RFS words a refusal), the transitions (StackTransitions,
// PlanTransitions) and the guards (StackGuards). They are checked when the
// package initialises, drive looplab/fsm (the machines, and NextStack and
// NextPlan, which fire on idle looplab machines rather than build one a
// call), choose the error codes and render the diagrams (StackMermaid, StackDOT, PlanMermaid, PlanDOT). Nothing else
// describes a transition.
//
// # Pseudo-states
//
// A stack's life starts before it exists and ends when it is gone, and RFS
// has no status for either. The machines model both as pseudo-states:
// StackNone ("") before CreateStack and StackDeleted ("DELETED") after a
// successful deletion; PlanNone and PlanDeleted for plans. They are not
// valid RFS statuses and are never stored; the diagrams draw both as "[*]".
//
// # Guards
//
// Some transitions the table allows are refused by the facts of the moment:
// a protected stack cannot be deleted, auto-rollback cannot be enabled in a
// failed status, and a template with import blocks cannot be deployed with
// auto-rollback on. These are rows of the guard table (event, name, code,
// message, and a pure predicate over StackFacts). The engine gathers the
// facts and passes them to Fire; a guard is asked only once the transition
// table has accepted the event, so a busy stack is reported as busy.
//
// # Errors
//
// Every refusal is a *formation.Error of class formation.ErrInvalidStatus:
// CodeStackBusy for a user request while the stack is *_IN_PROGRESS,
// CodeInvalidStackStatus for any other pair the table lacks (with RFS's
// wording, e.g. "Invalid stack status DEPLOYMENT_COMPLETE. The stack cannot
// be continue-deployed."), the guard's code for a guard, and
// CodePlanNotDeletable or CodeInvalidPlanStatus for plans. A done ctx
// returns ctx.Err() unchanged. A status the machine does not know is
// CodeInternal wrapping ErrUnknownStatus.
//
// # Why looplab/fsm is wrapped
//
// looplab/fsm v1.0.3 is stringly typed, validates nothing, and has traps
// (see STYLE.md §3): a cancelled ctx wedges an FSM for good (upstream
// #115), SetState accepts any string and cannot clear a wedge, its
// visualiser reads without locks and can only draw "[*] --> current", a
// self-transition is reported as an error (#110), and its errors are value
// types. The wrapper therefore
//
//   - serialises every looplab call under its own mutex;
//   - checks ctx.Err() itself and hands looplab context.WithoutCancel(ctx)
//     (the callbacks do no I/O, so nothing needs cancelling);
//   - restores a status by validating it and building a fresh FSM, never
//     with SetState, and rebuilds the FSM after any unexpected looplab error;
//   - evaluates guards in a before_event callback that only reads the facts
//     and cancels the event;
//   - translates looplab's errors into *formation.Error, keeping none of its
//     types as a cause, and treats a self-transition as success;
//   - renders diagrams from the tables, not from a live FSM;
//   - never exposes *lfsm.FSM, so looplab can be replaced by a small
//     table-driven machine without an API change.
package fsm
