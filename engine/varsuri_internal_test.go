package engine

import (
	"testing"
)

// Records written before vars_uri_content existed read with it empty, and
// their other variables intact: a database from an earlier version opens
// as it was.
func TestRecords_WithoutVarsURIContentRead(t *testing.T) {
	var stack stackRecord
	if err := decode([]byte(`{"stack_name":"s","stack_id":"id","description":"","status":"DEPLOYMENT_COMPLETE",`+
		`"enable_deletion_protection":false,"enable_auto_rollback":true,"vars_body":"a = 1","seq":3,"serial":2,"stable":"d1"}`), &stack); err != nil {
		t.Fatal(err)
	}
	if stack.VarsURIContent != "" || stack.VarsBody != "a = 1" || stack.Stable != "d1" || !stack.EnableAutoRollback {
		t.Fatalf("old stack record read as %+v", stack)
	}
	var dep deploymentRecord
	if err := decode([]byte(`{"deployment_id":"d1","stack_id":"id","stack_name":"s","kind":"DEPLOY_STACK",`+
		`"template":{"template_body":"variable \"a\" {}","vars_body":"a = 1"}}`), &dep); err != nil {
		t.Fatal(err)
	}
	if dep.Template == nil || dep.Template.VarsURIContent != "" || dep.Template.VarsBody != "a = 1" {
		t.Fatalf("old deployment record read as %+v", dep.Template)
	}
	var plan planRecord
	if err := decode([]byte(`{"stack_name":"s","stack_id":"id","execution_plan_id":"p1","execution_plan_name":"p",`+
		`"description":"","status":"AVAILABLE","vars_body":"a = 1","seq":1,"serial":2}`), &plan); err != nil {
		t.Fatal(err)
	}
	if plan.VarsURIContent != "" || plan.VarsBody != "a = 1" || plan.Serial != 2 {
		t.Fatalf("old plan record read as %+v", plan)
	}
	src, err := readSource([]byte(`{"template":{"template_body":"x","vars_body":"a = 1"},"items":[]}`))
	if err != nil || src == nil || src.VarsURIContent != "" || src.VarsBody != "a = 1" {
		t.Fatalf("old plan body read as %+v, %v", src, err)
	}
	// And a source with the content keeps it through the store's JSON.
	src, err = readSource([]byte(`{"template":{"template_body":"x","vars_uri_content":"a = 2"}}`))
	if err != nil || src == nil || src.VarsURIContent != "a = 2" {
		t.Fatalf("plan body with vars_uri_content read as %+v, %v", src, err)
	}
}
