package fsm

import "github.com/formation-engine/formation"

// stackTerminal lists the terminal stack statuses (spec §2.1): every user
// operation but the continue-* ones starts from one of them.
var stackTerminal = []formation.StackStatus{
	formation.StackCreationComplete,
	formation.StackDeploymentFailed,
	formation.StackDeploymentComplete,
	formation.StackRollbackFailed,
	formation.StackRollbackComplete,
	formation.StackDeletionFailed,
}

// stackEvents declares the stack events: who fires them and how RFS words a
// refusal ("The stack cannot be <verb>.").
var stackEvents = []eventSpec[StackEvent]{
	{name: StackCreate, user: true, verb: "created"},
	{name: StackCreateAndDeploy, user: true, verb: "created"},
	{name: StackDeploy, user: true, verb: "deployed"},
	{name: StackContinueDeploy, user: true, verb: "continue-deployed"},
	{name: StackDeploySucceeded, verb: "marked as deployed"},
	{name: StackDeployFailed, verb: "marked as deployment-failed"},
	{name: StackRollback, verb: "rolled back"},
	{name: StackRollbackSucceeded, verb: "marked as rolled back"},
	{name: StackRollbackFailed, verb: "marked as rollback-failed"},
	{name: StackContinueRollback, user: true, verb: "continue-rolled-back"},
	{name: StackDelete, user: true, verb: "deleted"},
	{name: StackDeleteSucceeded, verb: "marked as deleted"},
	{name: StackDeleteFailed, verb: "marked as deletion-failed"},
	{name: StackUpdate, user: true, verb: "updated"},
}

// stackTransitions is the stack transition table (spec §6.1).
var stackTransitions = []StackTransition{
	{Event: StackCreate, From: []formation.StackStatus{StackNone}, To: formation.StackCreationComplete},
	{Event: StackCreateAndDeploy, From: []formation.StackStatus{StackNone}, To: formation.StackDeploymentInProgress},
	// DEPLOYMENT_FAILED, ROLLBACK_FAILED and DELETION_FAILED are allowed by
	// the generic "terminal" rule (spec §6.1 gaps); DELETION_FAILED is the
	// documented way out of a failed deletion.
	{Event: StackDeploy, From: stackTerminal, To: formation.StackDeploymentInProgress},
	{Event: StackContinueDeploy, From: []formation.StackStatus{formation.StackDeploymentFailed}, To: formation.StackDeploymentInProgress},
	{Event: StackDeploySucceeded, From: []formation.StackStatus{formation.StackDeploymentInProgress}, To: formation.StackDeploymentComplete},
	{Event: StackDeployFailed, From: []formation.StackStatus{formation.StackDeploymentInProgress}, To: formation.StackDeploymentFailed},
	{Event: StackRollback, From: []formation.StackStatus{formation.StackDeploymentInProgress}, To: formation.StackRollbackInProgress},
	{Event: StackRollbackSucceeded, From: []formation.StackStatus{formation.StackRollbackInProgress}, To: formation.StackRollbackComplete},
	{Event: StackRollbackFailed, From: []formation.StackStatus{formation.StackRollbackInProgress}, To: formation.StackRollbackFailed},
	{Event: StackContinueRollback, From: []formation.StackStatus{formation.StackRollbackFailed}, To: formation.StackRollbackInProgress},
	{Event: StackDelete, From: stackTerminal, To: formation.StackDeletionInProgress},
	{Event: StackDeleteSucceeded, From: []formation.StackStatus{formation.StackDeletionInProgress}, To: StackDeleted},
	{Event: StackDeleteFailed, From: []formation.StackStatus{formation.StackDeletionInProgress}, To: formation.StackDeletionFailed},
	// UpdateStack changes metadata only: a self-transition from every
	// terminal status.
	{Event: StackUpdate, From: []formation.StackStatus{formation.StackCreationComplete}, To: formation.StackCreationComplete},
	{Event: StackUpdate, From: []formation.StackStatus{formation.StackDeploymentFailed}, To: formation.StackDeploymentFailed},
	{Event: StackUpdate, From: []formation.StackStatus{formation.StackDeploymentComplete}, To: formation.StackDeploymentComplete},
	{Event: StackUpdate, From: []formation.StackStatus{formation.StackRollbackFailed}, To: formation.StackRollbackFailed},
	{Event: StackUpdate, From: []formation.StackStatus{formation.StackRollbackComplete}, To: formation.StackRollbackComplete},
	{Event: StackUpdate, From: []formation.StackStatus{formation.StackDeletionFailed}, To: formation.StackDeletionFailed},
}

// stackGuards is the stack guard table (spec §6.1, documented guards).
var stackGuards = []StackGuard{
	{
		Name:    "deletion_protection",
		Events:  []StackEvent{StackDelete},
		Code:    formation.CodeDeletionProtected,
		Message: "Deletion protection is enabled. The stack cannot be deleted.",
		refuses: func(_ formation.StackStatus, f StackFacts) bool { return f.DeletionProtection },
	},
	{
		Name:    "auto_rollback_in_failed_status",
		Events:  []StackEvent{StackUpdate},
		Code:    formation.CodeAutoRollback,
		Message: "Invalid stack status {status}. Auto rollback cannot be enabled while the stack is in a failed status.",
		refuses: func(s formation.StackStatus, f StackFacts) bool { return f.EnablingAutoRollback && s.Failed() },
	},
	{
		Name:    "auto_rollback_with_imports",
		Events:  []StackEvent{StackCreateAndDeploy, StackDeploy, StackContinueDeploy},
		Code:    formation.CodeAutoRollback,
		Message: "Auto rollback is enabled. A template with import blocks cannot be deployed.",
		refuses: func(_ formation.StackStatus, f StackFacts) bool { return f.AutoRollback && f.TemplateHasImports },
	},
}

// stackDef is the stack machine's definition, checked at initialisation.
var stackDef = newDefinition(definition[formation.StackStatus, StackEvent, StackFacts]{
	kind:        "Stack",
	noun:        "stack",
	start:       StackNone,
	end:         StackDeleted,
	statuses:    formation.StackStatuses(),
	events:      stackEvents,
	transitions: stackTransitions,
	guards:      stackGuards,
	busy:        formation.StackStatus.InProgress,
	busyCode:    formation.CodeStackBusy,
	invalidCode: formation.CodeInvalidStackStatus,
})
