package fsm_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/fsm"
)

func ExampleNextStack() {
	ctx := context.Background()
	next, err := fsm.NextStack(ctx, formation.StackDeploymentFailed, fsm.StackContinueDeploy, fsm.StackFacts{})
	fmt.Println(next, err)
	// Output: DEPLOYMENT_IN_PROGRESS <nil>
}

func ExampleNextStack_refused() {
	ctx := context.Background()
	_, err := fsm.NextStack(ctx, formation.StackDeploymentComplete, fsm.StackContinueDeploy, fsm.StackFacts{})
	var fe *formation.Error
	if errors.As(err, &fe) {
		fmt.Println(fe.Code, fe.HTTPStatus(), errors.Is(err, formation.ErrInvalidStatus))
		fmt.Println(fe.Message)
	}

	_, err = fsm.NextStack(ctx, formation.StackDeploymentInProgress, fsm.StackDeploy, fsm.StackFacts{})
	fmt.Println(formation.HasCode(err, formation.CodeStackBusy))

	_, err = fsm.NextStack(ctx, formation.StackDeploymentComplete, fsm.StackDelete, fsm.StackFacts{DeletionProtection: true})
	fmt.Println(formation.CodeOf(err))
	// Output:
	// RF.10012520 403 true
	// Invalid stack status DEPLOYMENT_COMPLETE. The stack cannot be continue-deployed.
	// true
	// RF.10012521
}

func ExampleStackMachine() {
	ctx := context.Background()
	var m fsm.StackMachine // at StackNone: the stack does not exist yet
	facts := fsm.StackFacts{AutoRollback: true}
	for _, ev := range []fsm.StackEvent{
		fsm.StackCreateAndDeploy, fsm.StackRollback, fsm.StackRollbackFailed,
		fsm.StackContinueRollback, fsm.StackRollbackSucceeded,
		fsm.StackDelete, fsm.StackDeleteSucceeded,
	} {
		s, err := m.Fire(ctx, ev, facts)
		fmt.Printf("%-18s -> %s %v\n", ev, s, err)
	}
	// Output:
	// create_and_deploy  -> DEPLOYMENT_IN_PROGRESS <nil>
	// rollback           -> ROLLBACK_IN_PROGRESS <nil>
	// rollback_failed    -> ROLLBACK_FAILED <nil>
	// continue_rollback  -> ROLLBACK_IN_PROGRESS <nil>
	// rollback_succeeded -> ROLLBACK_COMPLETE <nil>
	// delete             -> DELETION_IN_PROGRESS <nil>
	// delete_succeeded   -> DELETED <nil>
}

func ExampleRestoreStack() {
	m, err := fsm.RestoreStack(formation.StackRollbackFailed)
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Status(), m.Available())

	_, err = fsm.RestoreStack("DELETION_COMPLETE")
	fmt.Println(errors.Is(err, fsm.ErrUnknownStatus), formation.CodeOf(err))
	// Output:
	// ROLLBACK_FAILED [deploy continue_rollback delete update]
	// true RF.10010001
}

func ExampleNextPlan() {
	ctx := context.Background()
	next, err := fsm.NextPlan(ctx, formation.PlanAvailable, fsm.PlanApply)
	fmt.Println(next, err)

	_, err = fsm.NextPlan(ctx, formation.PlanApplyInProgress, fsm.PlanDelete)
	fmt.Println(err)
	// Output:
	// APPLY_IN_PROGRESS <nil>
	// fsm.PlanMachine.Fire: RF.10012549: Invalid execution plan status APPLY_IN_PROGRESS. The execution plan cannot be deleted.
}

func ExamplePlanMermaid() {
	fmt.Print(fsm.PlanMermaid())
	// Output:
	// stateDiagram-v2
	//     [*] --> CREATION_IN_PROGRESS: create
	//     APPLIED --> [*]: delete
	//     APPLY_IN_PROGRESS --> APPLIED: apply_finished
	//     AVAILABLE --> APPLY_IN_PROGRESS: apply
	//     AVAILABLE --> [*]: delete
	//     CREATION_FAILED --> [*]: delete
	//     CREATION_IN_PROGRESS --> CREATION_FAILED: creation_failed
	//     CREATION_IN_PROGRESS --> AVAILABLE: creation_succeeded
}
