package engine

import (
	"context"
	"reflect"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/store/storetest"
)

// While a request operates a stack, every other mutating request on it is
// refused with 409 and changes nothing.
func TestClaim_ConcurrentRequestIs409(t *testing.T) {
	ctx := context.Background()
	e, st := newMemEngine(t)
	if _, err := e.CreateStack(ctx, CreateStackRequest{Name: "s"}); err != nil {
		t.Fatal(err)
	}
	release, err := e.claim("test", "s")
	if err != nil {
		t.Fatal(err)
	}
	before := storetest.Dump(t, st)
	body := TemplateInput{TemplateBody: `resource "x_y" "a" {}`}
	ref := StackRef{Name: "s"}
	calls := map[string]func() error{
		"DeployStack": func() error {
			_, err := e.DeployStack(ctx, DeployStackRequest{StackRef: ref, TemplateInput: body})
			return err
		},
		"UpdateStack": func() error {
			_, err := e.UpdateStack(ctx, UpdateStackRequest{StackRef: ref, Description: new("x")})
			return err
		},
		"DeleteStack": func() error { _, err := e.DeleteStack(ctx, DeleteStackRequest{StackRef: ref}); return err },
		"ContinueDeployStack": func() error {
			_, err := e.ContinueDeployStack(ctx, ContinueRequest{StackRef: ref})
			return err
		},
		"ContinueRollbackStack": func() error {
			_, err := e.ContinueRollbackStack(ctx, ContinueRequest{StackRef: ref})
			return err
		},
		"CreateExecutionPlan": func() error {
			_, err := e.CreateExecutionPlan(ctx, CreateExecutionPlanRequest{StackRef: ref, PlanName: "p", TemplateInput: body})
			return err
		},
		"DeleteExecutionPlan": func() error {
			_, err := e.DeleteExecutionPlan(ctx, PlanRef{StackRef: ref, PlanName: "p"})
			return err
		},
		"ApplyExecutionPlan": func() error {
			_, err := e.ApplyExecutionPlan(ctx, ApplyExecutionPlanRequest{PlanRef: PlanRef{StackRef: ref, PlanName: "p"}})
			return err
		},
	}
	for name, call := range calls {
		if err := call(); !formation.HasCode(err, formation.CodeConcurrentRequest) || formation.CodeOf(err).HTTPStatus() != 409 {
			t.Errorf("%s during another request: %v, want RF.10019002 (409)", name, err)
		}
	}
	if after := storetest.Dump(t, st); !reflect.DeepEqual(after, before) {
		t.Fatal("a refused request changed the store")
	}
	release()
	if _, err := e.UpdateStack(ctx, UpdateStackRequest{StackRef: ref, Description: new("x")}); err != nil {
		t.Fatalf("after the claim is released: %v", err)
	}
	// Other stacks are not held up by a claim.
	if _, err := e.CreateStack(ctx, CreateStackRequest{Name: "other"}); err != nil {
		t.Fatal(err)
	}
	release, _ = e.claim("test", "s")
	defer release()
	if _, err := e.UpdateStack(ctx, UpdateStackRequest{StackRef: StackRef{Name: "other"}, Description: new("y")}); err != nil {
		t.Fatalf("a claim on s held up stack other: %v", err)
	}
}
