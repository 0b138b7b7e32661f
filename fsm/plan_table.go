package fsm

import "github.com/formation-engine/formation"

// planEvents declares the execution plan events: who fires them and how a
// refusal is worded ("The execution plan cannot be <verb>.").
var planEvents = []eventSpec[PlanEvent]{
	{name: PlanCreate, user: true, verb: "created"},
	{name: PlanCreationSucceeded, verb: "marked as available"},
	{name: PlanCreationFailed, verb: "marked as creation-failed"},
	{name: PlanApply, user: true, verb: "applied"},
	{name: PlanApplyFinished, verb: "marked as applied"},
	{name: PlanDelete, user: true, verb: "deleted", refusal: formation.CodePlanNotDeletable},
}

// planTransitions is the execution plan transition table (spec §6.2).
var planTransitions = []PlanTransition{
	{Event: PlanCreate, From: []formation.PlanStatus{PlanNone}, To: formation.PlanCreationInProgress},
	{Event: PlanCreationSucceeded, From: []formation.PlanStatus{formation.PlanCreationInProgress}, To: formation.PlanAvailable},
	{Event: PlanCreationFailed, From: []formation.PlanStatus{formation.PlanCreationInProgress}, To: formation.PlanCreationFailed},
	// Expiry is not a status: an expired AVAILABLE plan is refused by the
	// engine (formation.CodePlanExpired) before it fires PlanApply.
	{Event: PlanApply, From: []formation.PlanStatus{formation.PlanAvailable}, To: formation.PlanApplyInProgress},
	// APPLIED whatever the deployment's outcome; the stack carries it.
	{Event: PlanApplyFinished, From: []formation.PlanStatus{formation.PlanApplyInProgress}, To: formation.PlanApplied},
	{Event: PlanDelete, From: []formation.PlanStatus{formation.PlanCreationFailed, formation.PlanAvailable, formation.PlanApplied}, To: PlanDeleted},
}

// planDef is the execution plan machine's definition, checked at
// initialisation. Plans have no guards and no busy code: every refusal is
// formation.CodeInvalidPlanStatus, or formation.CodePlanNotDeletable for
// PlanDelete.
var planDef = newDefinition(definition[formation.PlanStatus, PlanEvent, struct{}]{
	kind:        "Plan",
	noun:        "execution plan",
	start:       PlanNone,
	end:         PlanDeleted,
	statuses:    formation.PlanStatuses(),
	events:      planEvents,
	transitions: planTransitions,
	invalidCode: formation.CodeInvalidPlanStatus,
})
