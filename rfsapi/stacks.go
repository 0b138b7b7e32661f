package rfsapi

import (
	"net/http"
	"strconv"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
)

// The request bodies, field for field the SDK's model.<Op>RequestBody:
// decoding refuses any other field.
type (
	deployStackBody struct {
		engine.TemplateInput
		StackID string `json:"stack_id,omitempty"`
	}
	stackIDBody struct {
		StackID string `json:"stack_id,omitempty"`
	}
	updateStackBody struct {
		StackID                  string              `json:"stack_id,omitempty"`
		Description              *string             `json:"description,omitempty"`
		EnableDeletionProtection *bool               `json:"enable_deletion_protection,omitempty"`
		EnableAutoRollback       *bool               `json:"enable_auto_rollback,omitempty"`
		Agencies                 *[]formation.Agency `json:"agencies,omitempty"`
	}
	deleteStackEnhancedBody struct {
		StackID            string `json:"stack_id,omitempty"`
		RetainAllResources bool   `json:"retain_all_resources,omitempty"`
	}
)

// deploymentHeader carries the deployment id of a DeleteStack, whose RFS
// response has no body: Formation's addition, so a client can Wait.
const deploymentHeader = "X-Formation-Deployment-Id"

func createStack(c *call) (int, any, error) {
	var req engine.CreateStackRequest
	if err := decode(c.body, &req, true); err != nil {
		return 0, nil, err
	}
	if err := c.resolveTemplate(&req.TemplateInput); err != nil {
		return 0, nil, err
	}
	res, err := c.eng.CreateStack(c.ctx, req)
	return http.StatusOK, res, err
}

func listStacks(c *call) (int, any, error) {
	opts, err := listOptions(c)
	if err != nil {
		return 0, nil, err
	}
	page, err := c.eng.ListStacks(c.ctx, engine.ListStacksRequest{ListOptions: opts})
	return http.StatusOK, page, err
}

func getStackMetadata(c *call) (int, any, error) {
	s, err := c.eng.GetStackMetadata(c.ctx, c.stack())
	return http.StatusOK, s, err
}

func updateStack(c *call) (int, any, error) {
	var b updateStackBody
	if err := decode(c.body, &b, true); err != nil {
		return 0, nil, err
	}
	ref := c.stack()
	ref.ID = b.StackID
	_, err := c.eng.UpdateStack(c.ctx, engine.UpdateStackRequest{StackRef: ref, Description: b.Description,
		EnableDeletionProtection: b.EnableDeletionProtection, EnableAutoRollback: b.EnableAutoRollback, Agencies: b.Agencies})
	return http.StatusNoContent, nil, err
}

func deleteStack(c *call) (int, any, error) {
	return c.delete(engine.DeleteStackRequest{StackRef: c.stack()})
}

func deleteStackEnhanced(c *call) (int, any, error) {
	var b deleteStackEnhancedBody
	if err := decode(c.body, &b, false); err != nil {
		return 0, nil, err
	}
	ref := c.stack()
	ref.ID = b.StackID
	return c.delete(engine.DeleteStackRequest{StackRef: ref, RetainAllResources: b.RetainAllResources})
}

func (c *call) delete(req engine.DeleteStackRequest) (int, any, error) {
	dep, err := c.eng.DeleteStack(c.ctx, req)
	if err == nil {
		c.w.Header().Set(deploymentHeader, dep.DeploymentID)
	}
	return http.StatusAccepted, nil, err
}

func deployStack(c *call) (int, any, error) {
	var b deployStackBody
	if err := decode(c.body, &b, true); err != nil {
		return 0, nil, err
	}
	if err := c.resolveTemplate(&b.TemplateInput); err != nil {
		return 0, nil, err
	}
	ref := c.stack()
	ref.ID = b.StackID
	dep, err := c.eng.DeployStack(c.ctx, engine.DeployStackRequest{StackRef: ref, TemplateInput: b.TemplateInput})
	return http.StatusAccepted, dep, err
}

func continueDeployStack(c *call) (int, any, error) {
	req, err := c.continuation()
	if err != nil {
		return 0, nil, err
	}
	dep, err := c.eng.ContinueDeployStack(c.ctx, req)
	return http.StatusAccepted, dep, err
}

func continueRollbackStack(c *call) (int, any, error) {
	req, err := c.continuation()
	if err != nil {
		return 0, nil, err
	}
	dep, err := c.eng.ContinueRollbackStack(c.ctx, req)
	return http.StatusAccepted, dep, err
}

func (c *call) continuation() (engine.ContinueRequest, error) {
	var b stackIDBody
	if err := decode(c.body, &b, false); err != nil {
		return engine.ContinueRequest{}, err
	}
	ref := c.stack()
	ref.ID = b.StackID
	return engine.ContinueRequest{StackRef: ref}, nil
}

// listOptions reads marker and limit; the engine checks their values.
func listOptions(c *call) (engine.ListOptions, error) {
	opts := engine.ListOptions{Marker: c.query.Get("marker")}
	if s := c.query.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return opts, formation.Errorf(formation.CodeInvalidParameter, "rfsapi", "", "limit %q is not a number", s)
		}
		if n == 0 {
			n = -1 // an explicit 0 is out of range, not "the default"
		}
		opts.Limit = n
	}
	return opts, nil
}
