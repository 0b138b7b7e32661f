package rfsapi

import (
	"net/http"

	"github.com/formation-engine/formation/engine"
)

type (
	createExecutionPlanBody struct {
		StackID  string `json:"stack_id,omitempty"`
		PlanName string `json:"execution_plan_name"`
		// Description is RFS's plan description.
		Description string `json:"description,omitempty"`
		engine.TemplateInput
	}
	applyExecutionPlanBody struct {
		StackID string `json:"stack_id,omitempty"`
		PlanID  string `json:"execution_plan_id,omitempty"`
	}
	// createExecutionPlanResponse is RFS's 202 body: the plan's id only.
	createExecutionPlanResponse struct {
		PlanID string `json:"execution_plan_id"`
	}
)

func createExecutionPlan(c *call) (int, any, error) {
	var b createExecutionPlanBody
	if err := decode(c.body, &b, true); err != nil {
		return 0, nil, err
	}
	if err := c.resolveTemplate(&b.TemplateInput); err != nil {
		return 0, nil, err
	}
	ref := c.stack()
	ref.ID = b.StackID
	p, err := c.eng.CreateExecutionPlan(c.ctx, engine.CreateExecutionPlanRequest{StackRef: ref, PlanName: b.PlanName,
		Description: b.Description, TemplateInput: b.TemplateInput})
	return http.StatusAccepted, createExecutionPlanResponse{p.PlanID}, err
}

func listExecutionPlans(c *call) (int, any, error) {
	opts, err := listOptions(c)
	if err != nil {
		return 0, nil, err
	}
	page, err := c.eng.ListExecutionPlans(c.ctx, engine.ListExecutionPlansRequest{StackRef: c.stack(), ListOptions: opts})
	return http.StatusOK, page, err
}

func getExecutionPlan(c *call) (int, any, error) {
	items, err := c.eng.GetExecutionPlan(c.ctx, c.plan())
	return http.StatusOK, items, err
}

func getExecutionPlanMetadata(c *call) (int, any, error) {
	p, err := c.eng.GetExecutionPlanMetadata(c.ctx, c.plan())
	return http.StatusOK, p, err
}

func applyExecutionPlan(c *call) (int, any, error) {
	var b applyExecutionPlanBody
	if err := decode(c.body, &b, false); err != nil {
		return 0, nil, err
	}
	ref := c.plan()
	ref.ID, ref.PlanID = b.StackID, b.PlanID
	dep, err := c.eng.ApplyExecutionPlan(c.ctx, engine.ApplyExecutionPlanRequest{PlanRef: ref})
	return http.StatusAccepted, dep, err
}

func deleteExecutionPlan(c *call) (int, any, error) {
	_, err := c.eng.DeleteExecutionPlan(c.ctx, c.plan())
	return http.StatusNoContent, nil, err
}
