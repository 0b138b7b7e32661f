package tfconform

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing/fstest"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/store"
)

// StepCase is a two-step case: Before is applied, then After is planned
// and applied on the state Before left — what moved and removed blocks
// need, since they act on recorded objects. Files are further files both
// steps share (local modules: "m/main.tf").
type StepCase struct {
	Name          string
	Before, After string
	Files         map[string]string
}

// StepResult is what the second step of a case gives: the first error of
// its plan or apply, or the changes its plan makes and the outputs after
// it.
type StepResult struct {
	Error string `json:"error,omitempty"`
	// Changes has one entry per resource instance the plan does something
	// to or moves, by address: Terraform's actions joined with ","
	// ("no-op", "update", "delete,create", "forget", …), then " <- " and
	// the previous address for a moved object.
	Changes map[string]string `json:"changes,omitempty"`
	// Outputs are the string outputs after the apply; one whose name
	// starts with "id_" is "kept" when it has the value it had after the
	// first step (an object not created again) and "new" otherwise.
	Outputs map[string]string `json:"outputs,omitempty"`
}

// Failed reports whether the second step failed.
func (r StepResult) Failed() bool { return r.Error != "" }

// Same reports whether two successful results agree.
func (r StepResult) Same(o StepResult) bool {
	return sameStrings(r.Changes, o.Changes) && sameStrings(r.Outputs, o.Outputs)
}

func sameStrings(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// String shows a result in a test failure.
func (r StepResult) String() string {
	if r.Failed() {
		return "error: " + r.Error
	}
	var parts []string
	for _, m := range []map[string]string{r.Changes, r.Outputs} {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			parts = append(parts, k+": "+m[k])
		}
	}
	return strings.Join(parts, "; ")
}

// keepOrNew replaces the id_ outputs of after by "kept" or "new".
func keepOrNew(before, after map[string]string) map[string]string {
	for name, v := range after {
		if strings.HasPrefix(name, "id_") {
			after[name] = "new"
			if before[name] == v {
				after[name] = "kept"
			}
		}
	}
	return after
}

// RunSteps runs a two-step case as a Formation user would: a stack
// created with Before, then an execution plan of After whose RFS items
// give the changes, applied.
func RunSteps(ctx context.Context, c StepCase) StepResult {
	e, err := engine.New(engine.Config{Store: store.NewMemory(), IDSeed: 1})
	if err != nil {
		return StepResult{Error: err.Error()}
	}
	defer e.Close()
	input := func(main string) engine.TemplateInput {
		if len(c.Files) == 0 {
			return engine.TemplateInput{TemplateBody: main}
		}
		fsys := fstest.MapFS{"main.tf": {Data: []byte(main)}}
		for name, body := range c.Files {
			fsys[name] = &fstest.MapFile{Data: []byte(body)}
		}
		return engine.TemplateInput{Files: fsys}
	}
	stack := engine.StackRef{Name: "conformance"}
	created, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: stack.Name, TemplateInput: input(c.Before)})
	if err != nil {
		return StepResult{Error: "first step: " + errorResult(err).Error}
	}
	first, err := stackOutputs(ctx, e, created.DeploymentRef)
	if err != nil {
		return StepResult{Error: "first step: " + err.Error()}
	}
	ref := engine.PlanRef{StackRef: stack, PlanName: "second"}
	if _, err := e.CreateExecutionPlan(ctx, engine.CreateExecutionPlanRequest{StackRef: stack, PlanName: ref.PlanName, TemplateInput: input(c.After)}); err != nil {
		return StepResult{Error: errorResult(err).Error}
	}
	meta, err := e.WaitExecutionPlan(ctx, ref)
	if err != nil {
		return StepResult{Error: errorResult(err).Error}
	}
	if meta.Status != formation.PlanAvailable {
		return StepResult{Error: "plan " + string(meta.Status) + ": " + meta.StatusMessage}
	}
	items, err := e.GetExecutionPlan(ctx, ref)
	if err != nil {
		return StepResult{Error: errorResult(err).Error}
	}
	r := StepResult{Changes: map[string]string{}}
	for _, it := range items.Items {
		if addr, change, ok := itemChange(it); ok {
			r.Changes[addr] = change
		}
	}
	dep, err := e.ApplyExecutionPlan(ctx, engine.ApplyExecutionPlanRequest{PlanRef: ref})
	if err != nil {
		return StepResult{Error: errorResult(err).Error}
	}
	second, err := stackOutputs(ctx, e, dep)
	if err != nil {
		return StepResult{Error: err.Error()}
	}
	r.Outputs = keepOrNew(first, second)
	return r
}

// itemChange reads an RFS plan item as Terraform's change of the
// instance: its address, and its actions with the previous address of a
// moved object (which the item's action_reason gives). Unmoved no-ops and
// data sources are left out.
func itemChange(it formation.PlanItem) (string, string, bool) {
	if it.Mode == formation.ModeData || it.Drifted {
		return "", "", false
	}
	addr := it.ResourceType + "." + it.ResourceName
	if it.ModuleAddress != "" {
		addr = it.ModuleAddress + "." + addr
	}
	switch {
	case it.Index == "":
	case strings.Trim(it.Index, "0123456789") == "":
		addr += "[" + it.Index + "]"
	default:
		addr += fmt.Sprintf("[%q]", it.Index)
	}
	prev := ""
	if rest, ok := strings.CutPrefix(it.ActionReason, "moved from "); ok {
		prev, _, _ = strings.Cut(rest, "; ")
	}
	actions := terraformActions[it.Action]
	if it.Action == formation.ActionNoOperation && strings.Contains(it.ActionReason, "no longer managed by the stack") {
		actions = "forget"
	}
	text, ok := changeText(actions, prev)
	return addr, text, ok
}

// terraformActions are Terraform's actions for RFS's (spec §2.4).
var terraformActions = map[formation.Action]string{
	formation.ActionAdd: "create", formation.ActionUpdate: "update", formation.ActionDelete: "delete",
	formation.ActionDeleteThenAdd: "delete,create", formation.ActionAddThenDelete: "create,delete",
	formation.ActionNoOperation: "no-op",
}

// changeText writes a change as StepResult.Changes has it; ok is false for
// an unmoved no-op.
func changeText(actions, prev string) (string, bool) {
	if actions == "no-op" && prev == "" {
		return "", false
	}
	if prev != "" {
		actions += " <- " + prev
	}
	return actions, true
}

// stackOutputs waits for a deployment and returns the stack's outputs.
func stackOutputs(ctx context.Context, e *engine.Engine, dep engine.DeploymentRef) (map[string]string, error) {
	res, err := e.Wait(ctx, dep)
	if err != nil {
		return nil, err
	}
	if !res.Succeeded() {
		return nil, fmt.Errorf("deployment %s: %s", res.Status, res.Message)
	}
	page, err := e.ListStackOutputs(ctx, engine.ListStackOutputsRequest{StackRef: engine.StackRef{Name: "conformance"}})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, o := range page.Outputs {
		out[o.Name] = o.Value
	}
	return out, nil
}
