package rfsapi

import (
	"net/http"

	"github.com/formation-engine/formation/engine"
)

func listStackResources(c *call) (int, any, error) {
	opts, err := listOptions(c)
	if err != nil {
		return 0, nil, err
	}
	page, err := c.eng.ListStackResources(c.ctx, engine.ListStackResourcesRequest{StackRef: c.stack(), ListOptions: opts})
	return http.StatusOK, page, err
}

func listStackOutputs(c *call) (int, any, error) {
	opts, err := listOptions(c)
	if err != nil {
		return 0, nil, err
	}
	page, err := c.eng.ListStackOutputs(c.ctx, engine.ListStackOutputsRequest{StackRef: c.stack(), ListOptions: opts})
	return http.StatusOK, page, err
}

func listStackEvents(c *call) (int, any, error) {
	opts, err := listOptions(c)
	if err != nil {
		return 0, nil, err
	}
	page, err := c.eng.ListStackEvents(c.ctx, engine.ListStackEventsRequest{StackRef: c.stack(),
		DeploymentID: c.query.Get("deployment_id"), Filter: c.query.Get("filter"), Field: c.query.Get("field"), ListOptions: opts})
	return http.StatusOK, page, err
}
