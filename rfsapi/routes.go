package rfsapi

import (
	"strings"

	"github.com/formation-engine/formation/template"
)

// route is one RFS operation: its method and path (a ServeMux pattern),
// the query parameters it takes, whether its body carries a template, and
// what it does.
type route struct {
	pattern   string
	query     []string
	template  bool  // the body may hold template_body and vars_body
	extension bool  // Formation's own, under /formation/v1/: no Client-Request-Id required
	bodyLimit int64 // the most a body may hold, when not derived from the template limits
	op        func(*call) (status int, body any, err error)
}

const (
	stacks = "/v1/{project_id}/stacks"
	stack  = stacks + "/{stack_name}"
	plans  = stack + "/execution-plans"
	plan   = plans + "/{execution_plan_name}"
)

// paging are the query parameters of every list.
var paging = []string{"marker", "limit"}

// routes are the operations of spec §1.1–1.3, at the official SDK's
// paths (services/aos/v1/aos_meta.go).
func (h *Handler) routes() []route {
	return []route{
		{pattern: "POST " + stacks, template: true, op: createStack},
		{pattern: "GET " + stacks, query: paging, op: listStacks},
		{pattern: "GET " + stack + "/metadata", query: []string{"stack_id"}, op: getStackMetadata},
		{pattern: "PATCH " + stack, op: updateStack},
		{pattern: "DELETE " + stack, query: []string{"stack_id"}, op: deleteStack},
		{pattern: "POST " + stack + "/deletion", op: deleteStackEnhanced},
		{pattern: "POST " + stack + "/deployments", template: true, op: deployStack},
		{pattern: "POST " + stack + "/continuations", op: continueDeployStack},
		{pattern: "POST " + stack + "/rollbacks", op: continueRollbackStack},
		{pattern: "GET " + stack + "/templates", query: []string{"stack_id", "access_control_source_ips", "access_control_source_vpc_ids"}, op: h.getStackTemplate},
		{pattern: "GET " + stack + "/resources", query: append([]string{"stack_id"}, paging...), op: listStackResources},
		{pattern: "GET " + stack + "/outputs", query: append([]string{"stack_id"}, paging...), op: listStackOutputs},
		{pattern: "GET " + stack + "/events", query: append([]string{"stack_id", "deployment_id", "filter", "field"}, paging...), op: listStackEvents},
		{pattern: "POST " + plans, template: true, op: createExecutionPlan},
		{pattern: "GET " + plans, query: append([]string{"stack_id"}, paging...), op: listExecutionPlans},
		{pattern: "GET " + plan, query: []string{"stack_id", "execution_plan_id"}, op: getExecutionPlan},
		{pattern: "GET " + plan + "/metadata", query: []string{"stack_id", "execution_plan_id"}, op: getExecutionPlanMetadata},
		{pattern: "POST " + plan, op: applyExecutionPlan},
		{pattern: "DELETE " + plan, query: []string{"stack_id", "execution_plan_id"}, op: deleteExecutionPlan},
		{pattern: "POST /v1/{project_id}/template-analyses/variables", template: true, op: h.parseTemplateVariables},
		{pattern: "GET " + plan + "/prices", query: []string{"stack_id", "execution_plan_id"}, op: notImplemented},
	}
}

// outOfScope reports whether a path belongs to an RFS operation Formation
// does not reproduce (DESIGN.md, non-goals): the template library, stack
// sets, private providers, hooks and modules. They answer 501 with an RFS
// error body rather than a 404 that would look like a wrong URL.
func outOfScope(path string) bool {
	seg := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(seg) < 2 || seg[0] != "v1" {
		return false
	}
	switch seg[1] {
	case "stack-sets", "private-providers", "private-hooks", "private-modules":
		return true
	}
	return len(seg) >= 3 && seg[2] == "templates"
}

// Body limits, derived from the spec's limits (§4): a template and a vars
// body of 51,200 characters each, 100 vars_structure items, 10 agencies.
// A character may take six bytes as a JSON escape.
const (
	maxEscapedChar = 6
	maxSmallBody   = 64 << 10 // everything but templates: names, ids, description, agencies
	varsItemBytes  = 2 << 10  // one vars_structure item with its key, value and encryption
)

// maxBody is the largest body the route reads.
func (rt route) maxBody(limits *template.Limits) int64 {
	if rt.bodyLimit > 0 {
		return rt.bodyLimit
	}
	if !rt.template {
		return maxSmallBody
	}
	l := template.DefaultLimits()
	if limits != nil {
		l = *limits
	}
	if l.MaxTemplateBody <= 0 || l.MaxVarsBody <= 0 || l.MaxVarsStructure <= 0 {
		return 64 << 20 // limits lifted: a generous bound still, against exhaustion
	}
	return maxSmallBody + int64(maxEscapedChar*(l.MaxTemplateBody+l.MaxVarsBody)) + int64(varsItemBytes*l.MaxVarsStructure)
}
