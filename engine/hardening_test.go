package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store/storetest"
)

// A template file set with a .tfvars file is refused, as template.ParseFS
// refuses it (RFS: no .tfvars in a zip template), not silently trimmed.
func TestEngine_FileSetWithTfvarsIsRefused(t *testing.T) {
	ctx := context.Background()
	e, _, _ := simTestEngine(t, sim.Config{}, Config{})
	files := fstest.MapFS{
		"main.tf":          {Data: []byte(`variable "n" {}` + v1)},
		"terraform.tfvars": {Data: []byte(`n = "x"`)},
	}
	_, err := e.CreateStack(ctx, CreateStackRequest{Name: "s", TemplateInput: TemplateInput{Files: files}})
	if !formation.HasCode(err, formation.CodeInvalidTemplate) {
		t.Fatalf("CreateStack with a .tfvars file: %v, want %s", err, formation.CodeInvalidTemplate)
	}
	if _, err := e.GetStackMetadata(ctx, StackRef{Name: "s"}); !formation.HasCode(err, formation.CodeStackNotFound) {
		t.Fatalf("the refused request left a stack: %v", err)
	}
	if _, err := Preview(ctx, PreviewRequest{TemplateInput: TemplateInput{Files: files}, DefaultProvider: e.cfg.DefaultProvider}); !formation.HasCode(err, formation.CodeInvalidTemplate) {
		t.Fatalf("Preview with a .tfvars file: %v, want %s", err, formation.CodeInvalidTemplate)
	}
}

// The Go API holds every string to the spec's size and character rules, as
// the CLI and the HTTP API do: nothing longer than its limit, no text that is
// not UTF-8 or has NUL bytes. Each refusal is a 400 that creates nothing.
func TestEngine_TextRulesApplyToTheGoAPI(t *testing.T) {
	ctx := context.Background()
	withVar := `variable "n" {}` + v1
	tests := []struct {
		name string
		req  CreateStackRequest
		code formation.Code
	}{
		{"50 MB var value", CreateStackRequest{TemplateInput: TemplateInput{TemplateBody: withVar,
			VarsStructure: []formation.VarsStructure{{VarKey: "n", VarValue: strings.Repeat("x", 50<<20)}}}}, formation.CodeTooLong},
		{"NUL in a var value", CreateStackRequest{TemplateInput: TemplateInput{TemplateBody: withVar,
			VarsStructure: []formation.VarsStructure{{VarKey: "n", VarValue: "a\x00b"}}}}, formation.CodeInvalidEncoding},
		{"bad UTF-8 in a var key", CreateStackRequest{TemplateInput: TemplateInput{TemplateBody: withVar,
			VarsStructure: []formation.VarsStructure{{VarKey: "n\xff", VarValue: "v"}}}}, formation.CodeInvalidEncoding},
		{"NUL in vars_body", CreateStackRequest{TemplateInput: TemplateInput{TemplateBody: withVar, VarsBody: "n = \"a\x00b\""}}, formation.CodeInvalidEncoding},
		{"NUL in the template", CreateStackRequest{TemplateInput: TemplateInput{TemplateBody: v1 + "# \x00\n"}}, formation.CodeInvalidEncoding},
		{"NUL in a template file", CreateStackRequest{TemplateInput: TemplateInput{Files: fstest.MapFS{"main.tf": {Data: []byte(v1 + "# \x00\n")}}}}, formation.CodeInvalidEncoding},
		{"NUL in the description", CreateStackRequest{Description: "a\x00b"}, formation.CodeInvalidEncoding},
		{"NUL in an agency", CreateStackRequest{Agencies: []formation.Agency{{ProviderName: "huaweicloud", AgencyName: "a\x00"}}}, formation.CodeInvalidEncoding},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _, _ := simTestEngine(t, sim.Config{}, Config{})
			tt.req.Name = "s"
			_, err := e.CreateStack(ctx, tt.req)
			if !formation.HasCode(err, tt.code) {
				t.Fatalf("err = %v, want %s", err, tt.code)
			}
			if _, err := e.GetStackMetadata(ctx, StackRef{Name: "s"}); !formation.HasCode(err, formation.CodeStackNotFound) {
				t.Fatalf("the refused request left a stack: %v", err)
			}
		})
	}
}

// A call whose context is done returns a typed error that still says why:
// CodeCanceled or CodeTimeout, and errors.Is sees context.Canceled or
// context.DeadlineExceeded through it. Every call that takes a context.
func TestEngine_CancelledContextIsTyped(t *testing.T) {
	bg := context.Background()
	e, _, _ := simTestEngine(t, sim.Config{}, Config{})
	res, err := e.CreateStack(bg, CreateStackRequest{Name: "s", TemplateInput: TemplateInput{TemplateBody: v1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Wait(bg, res.DeploymentRef); err != nil {
		t.Fatal(err)
	}
	ref := newStackWithPlan(t, e, "p", v1)
	canceled, cancel := context.WithCancel(bg)
	cancel()
	expired, stop := context.WithDeadline(bg, time.Unix(0, 0))
	defer stop()
	s := StackRef{Name: "s"}
	in := TemplateInput{TemplateBody: v2}
	calls := map[string]func(ctx context.Context) error{
		"CreateStack": func(ctx context.Context) error {
			_, err := e.CreateStack(ctx, CreateStackRequest{Name: "t"})
			return err
		},
		"CreateStackTemplate": func(ctx context.Context) error {
			_, err := e.CreateStack(ctx, CreateStackRequest{Name: "t", TemplateInput: in})
			return err
		},
		"GetStackMetadata": func(ctx context.Context) error { _, err := e.GetStackMetadata(ctx, s); return err },
		"ListStacks":       func(ctx context.Context) error { _, err := e.ListStacks(ctx, ListStacksRequest{}); return err },
		"UpdateStack": func(ctx context.Context) error {
			d := "d"
			_, err := e.UpdateStack(ctx, UpdateStackRequest{StackRef: s, Description: &d})
			return err
		},
		"DeleteStack": func(ctx context.Context) error {
			_, err := e.DeleteStack(ctx, DeleteStackRequest{StackRef: s})
			return err
		},
		"DeployStack": func(ctx context.Context) error {
			_, err := e.DeployStack(ctx, DeployStackRequest{StackRef: s, TemplateInput: in})
			return err
		},
		"ContinueDeployStack": func(ctx context.Context) error {
			_, err := e.ContinueDeployStack(ctx, ContinueRequest{StackRef: s})
			return err
		},
		"GetStackTemplate": func(ctx context.Context) error { _, err := e.GetStackTemplate(ctx, s); return err },
		"ListStackResources": func(ctx context.Context) error {
			_, err := e.ListStackResources(ctx, ListStackResourcesRequest{StackRef: s})
			return err
		},
		"ListStackOutputs": func(ctx context.Context) error {
			_, err := e.ListStackOutputs(ctx, ListStackOutputsRequest{StackRef: s})
			return err
		},
		"ListStackEvents": func(ctx context.Context) error {
			_, err := e.ListStackEvents(ctx, ListStackEventsRequest{StackRef: s})
			return err
		},
		"Follow": func(ctx context.Context) error {
			st, err := e.Follow(ctx, FollowRequest{StackRef: s})
			if err != nil {
				return err
			}
			for range st.Events {
			}
			return st.Err()
		},
		"WaitStack": func(ctx context.Context) error { _, err := e.WaitStack(ctx, s); return err },
		"CreateExecutionPlan": func(ctx context.Context) error {
			_, err := e.CreateExecutionPlan(ctx, CreateExecutionPlanRequest{StackRef: s, PlanName: "q", TemplateInput: in})
			return err
		},
		"WaitExecutionPlan":        func(ctx context.Context) error { _, err := e.WaitExecutionPlan(ctx, ref); return err },
		"GetExecutionPlan":         func(ctx context.Context) error { _, err := e.GetExecutionPlan(ctx, ref); return err },
		"GetExecutionPlanMetadata": func(ctx context.Context) error { _, err := e.GetExecutionPlanMetadata(ctx, ref); return err },
		"ListExecutionPlans": func(ctx context.Context) error {
			_, err := e.ListExecutionPlans(ctx, ListExecutionPlansRequest{StackRef: ref.StackRef})
			return err
		},
		"ApplyExecutionPlan": func(ctx context.Context) error {
			_, err := e.ApplyExecutionPlan(ctx, ApplyExecutionPlanRequest{PlanRef: ref})
			return err
		},
		"DeleteExecutionPlan": func(ctx context.Context) error {
			_, err := e.DeleteExecutionPlan(ctx, ref)
			return err
		},
		"PreviewStack": func(ctx context.Context) error {
			_, err := e.PreviewStack(ctx, PreviewStackRequest{StackRef: s, TemplateInput: in})
			return err
		},
		"Preview": func(ctx context.Context) error {
			_, err := Preview(ctx, PreviewRequest{TemplateInput: in, DefaultProvider: e.cfg.DefaultProvider})
			return err
		},
	}
	for _, done := range []struct {
		ctx   context.Context
		cause error
		code  formation.Code
	}{{canceled, context.Canceled, formation.CodeCanceled}, {expired, context.DeadlineExceeded, formation.CodeTimeout}} {
		for name, call := range calls {
			err := call(done.ctx)
			if !formation.HasCode(err, done.code) || !errors.Is(err, formation.ErrCanceled) || !errors.Is(err, done.cause) {
				t.Errorf("%s with a done context: %T %v, want %s wrapping %v", name, err, err, done.code, done.cause)
			}
		}
	}
}

// steppingClock moves one second each time it is read, so every event an
// engine makes has a time of its own.
type steppingClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *steppingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Second)
	return c.now
}

func (c *steppingClock) Sleep(ctx context.Context, d time.Duration) error { return ctx.Err() }

// Events are listed newest first by time, as RFS lists them, and the
// sequence number agrees: an event made before another but committed after
// it (parallel operations share the writer) is not older than it.
func TestEngine_EventTimesFollowTheirSequence(t *testing.T) {
	ctx := context.Background()
	clock := &steppingClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	e, _, _ := simTestEngine(t, sim.Config{}, Config{Clock: clock})
	res, err := e.CreateStack(ctx, CreateStackRequest{Name: "s", TemplateInput: TemplateInput{TemplateBody: v2}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Wait(ctx, DeploymentRef{DeploymentID: res.DeploymentID}); err != nil {
		t.Fatal(err)
	}
	made, committed := e.logEvent(res.DeploymentID, "made first"), e.logEvent(res.DeploymentID, "committed first")
	err = e.update(ctx, "test", func(tx *txn) error {
		rec, err := loadStack(tx, "test", StackRef{Name: "s"})
		if err != nil {
			return err
		}
		if err := tx.appendEvents(rec.ID, committed); err != nil {
			return err
		}
		return tx.appendEvents(rec.ID, made)
	})
	if err != nil {
		t.Fatal(err)
	}
	page, err := e.ListStackEvents(ctx, ListStackEventsRequest{StackRef: StackRef{Name: "s"}})
	if err != nil {
		t.Fatal(err)
	}
	evs := page.StackEvents
	if len(evs) < 4 || evs[0].EventMessage != "made first" {
		t.Fatalf("the newest event is %+v, want the last committed", evs[0])
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].Sequence >= evs[i-1].Sequence || evs[i].Time.After(evs[i-1].Time.Time) {
			t.Fatalf("event %d (seq %d, %s %q) listed after event %d (seq %d, %s %q): not newest first",
				i, evs[i].Sequence, evs[i].Time, evs[i].EventMessage, i-1, evs[i-1].Sequence, evs[i-1].Time, evs[i-1].EventMessage)
		}
	}
}

// A template that parses but fails to evaluate makes an execution plan that
// ends CREATION_FAILED with RFS's status message, as RFS's asynchronous
// creation does (seed 000: "Failed to init workflow due to bad template.
// Error: …"). Syntax errors and wrong variables are still refused at once.
func TestEngine_PlanOfATemplateThatFailsToEvaluate(t *testing.T) {
	ctx := context.Background()
	e, _, st := simTestEngine(t, sim.Config{}, Config{})
	if _, err := e.CreateStack(ctx, CreateStackRequest{Name: "s"}); err != nil {
		t.Fatal(err)
	}
	create := func(name string, in TemplateInput) error {
		_, err := e.CreateExecutionPlan(ctx, CreateExecutionPlanRequest{StackRef: StackRef{Name: "s"}, PlanName: name, TemplateInput: in})
		return err
	}
	before := storetest.Dump(t, st)
	if err := create("syntax", TemplateInput{TemplateBody: "resource \"huaweicloud_vpc\" \"v\" {\n  name = \n}\n"}); !formation.HasCode(err, formation.CodeInvalidTemplate) {
		t.Fatalf("a syntax error: %v, want %s at once", err, formation.CodeInvalidTemplate)
	}
	withVar := `variable "n" { type = number }` + v1
	if err := create("vars", TemplateInput{TemplateBody: withVar, VarsBody: `m = 1`}); !formation.HasCode(err, formation.CodeInvalidVariables) {
		t.Fatalf("an undeclared variable: %v, want %s at once", err, formation.CodeInvalidVariables)
	}
	if after := storetest.Dump(t, st); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatal("a refused request changed the store")
	}

	bad := v1 + "\nlocals {\n  n = tonumber(\"ten\")\n}\n"
	if err := create("eval", TemplateInput{TemplateBody: bad}); err != nil {
		t.Fatalf("a template that fails to evaluate was refused at once: %v", err)
	}
	ref := PlanRef{StackRef: StackRef{Name: "s"}, PlanName: "eval"}
	p, err := e.WaitExecutionPlan(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "Failed to init workflow due to bad template. Error: "
	if p.Status != formation.PlanCreationFailed || !strings.HasPrefix(p.StatusMessage, prefix) || !strings.Contains(p.StatusMessage, "main.tf:8") {
		t.Fatalf("plan ended %s %q, want %s with %q and the failing line", p.Status, p.StatusMessage, formation.PlanCreationFailed, prefix)
	}
	if items, err := e.GetExecutionPlan(ctx, ref); err != nil || len(items.Items) != 0 {
		t.Fatalf("items of a failed plan: %+v, %v", items, err)
	}
}

// A resource whose deletion failed in a rollback (ROLLBACK_FAILED) and that
// a later successful deployment keeps is recorded as the deployment leaves
// it — complete, without the old failure — not DELETION_FAILED under a
// DEPLOYMENT_COMPLETE stack.
func TestEngine_SuccessfulDeploymentSettlesFailedResources(t *testing.T) {
	ctx := context.Background()
	e, _, _ := simTestEngine(t, sim.Config{Faults: []sim.Fault{
		{Match: sim.Match{Op: sim.OpDelete, Address: "huaweicloud_vpc.x"}, Times: 1, Message: "VPC in use"},
		{Match: sim.Match{Op: sim.OpCreate, Address: "huaweicloud_vpc.y"}, Message: "quota exceeded"},
	}}, Config{})
	res, err := e.CreateStack(ctx, CreateStackRequest{Name: "s", EnableAutoRollback: true, TemplateInput: TemplateInput{TemplateBody: v1}})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := e.Wait(ctx, res.DeploymentRef); err != nil || out.Status != formation.StackDeploymentComplete {
		t.Fatalf("first deployment: %+v, %v", out, err)
	}
	withY := v2 + "\nresource \"huaweicloud_vpc\" \"y\" {\n  name = \"y\"\n  cidr = \"10.2.0.0/16\"\n  depends_on = [huaweicloud_vpc.x]\n}\n"
	if out := deployAndWait(t, e, "s", withY); out.Status != formation.StackRollbackFailed {
		t.Fatalf("deployment whose rollback cannot delete x: %+v, want %s", out, formation.StackRollbackFailed)
	}
	if out := deployAndWait(t, e, "s", v2); out.Status != formation.StackDeploymentComplete {
		t.Fatalf("deployment keeping x: %+v", out)
	}
	for _, r := range listResources(t, e, "s") {
		if !strings.HasSuffix(string(r.ResourceStatus), "_COMPLETE") || r.ResourceStatus == formation.ResourceDeletionComplete || r.StatusMessage != "" {
			t.Errorf("after a successful deployment %s is %s %q", r.LogicalResourceName, r.ResourceStatus, r.StatusMessage)
		}
	}
}
