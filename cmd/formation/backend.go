package main

import (
	"context"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/plan"
)

// backend is what the commands ask of Formation. It has two
// implementations: the engine itself (local), when this process holds the
// database, and a client of the owner's RFS API on the socket beside the
// database (remote), when another formation process holds it. A command
// is written once, against backend, and works either way.
type backend interface {
	CreateStack(ctx context.Context, req engine.CreateStackRequest) (engine.CreateStackResult, error)
	ListStacks(ctx context.Context, req engine.ListStacksRequest) (engine.StackPage, error)
	GetStackMetadata(ctx context.Context, ref engine.StackRef) (formation.Stack, error)
	UpdateStack(ctx context.Context, req engine.UpdateStackRequest) (formation.Stack, error)
	DeleteStack(ctx context.Context, req engine.DeleteStackRequest) (engine.DeploymentRef, error)
	DeployStack(ctx context.Context, req engine.DeployStackRequest) (engine.DeploymentRef, error)
	ContinueDeployStack(ctx context.Context, req engine.ContinueRequest) (engine.DeploymentRef, error)
	ContinueRollbackStack(ctx context.Context, req engine.ContinueRequest) (engine.DeploymentRef, error)
	PreviewStack(ctx context.Context, req engine.PreviewStackRequest) (*plan.Plan, error)
	GetStackTemplate(ctx context.Context, ref engine.StackRef) (engine.StackTemplate, error)
	ListStackEvents(ctx context.Context, req engine.ListStackEventsRequest) (engine.EventPage, error)
	ListStackResources(ctx context.Context, req engine.ListStackResourcesRequest) (engine.ResourcePage, error)
	ListStackOutputs(ctx context.Context, req engine.ListStackOutputsRequest) (engine.OutputPage, error)

	CreateExecutionPlan(ctx context.Context, req engine.CreateExecutionPlanRequest) (engine.PlanRef, error)
	WaitExecutionPlan(ctx context.Context, ref engine.PlanRef) (formation.ExecutionPlan, error)
	GetExecutionPlan(ctx context.Context, ref engine.PlanRef) (engine.ExecutionPlanItems, error)
	GetExecutionPlanMetadata(ctx context.Context, ref engine.PlanRef) (formation.ExecutionPlan, error)
	GetPlannedChanges(ctx context.Context, ref engine.PlanRef) (engine.PlannedChanges, error)
	TerraformPlanJSON(ctx context.Context, ref engine.PlanRef, tool string) ([]byte, error)
	ListExecutionPlans(ctx context.Context, req engine.ListExecutionPlansRequest) (engine.PlanPage, error)
	ApplyExecutionPlan(ctx context.Context, req engine.ApplyExecutionPlanRequest) (engine.DeploymentRef, error)
	DeleteExecutionPlan(ctx context.Context, ref engine.PlanRef) (engine.DeleteExecutionPlanResult, error)

	// FollowEvents streams a stack's events as engine.Follow does; the
	// channel closes when the stream ends.
	FollowEvents(ctx context.Context, req engine.FollowRequest) (<-chan formation.Event, error)
	// Wait blocks until a deployment is terminal and says how it ended.
	Wait(ctx context.Context, stack engine.StackRef, ref engine.DeploymentRef) (engine.Result, error)
	// WaitStack blocks until the stack is no longer *_IN_PROGRESS.
	WaitStack(ctx context.Context, ref engine.StackRef) (formation.Stack, error)
}

// local is the engine of this process as a backend.
type local struct{ *engine.Engine }

func (l local) FollowEvents(ctx context.Context, req engine.FollowRequest) (<-chan formation.Event, error) {
	s, err := l.Follow(ctx, req)
	if err != nil {
		return nil, err
	}
	return s.Events, nil
}

func (l local) Wait(ctx context.Context, _ engine.StackRef, ref engine.DeploymentRef) (engine.Result, error) {
	return l.Engine.Wait(ctx, ref)
}
