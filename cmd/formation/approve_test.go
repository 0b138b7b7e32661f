package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// asTerminal makes the tool take its input and output for a terminal for
// the rest of the test. Not parallel: it changes a package variable, and
// the parallel tests run only after the sequential ones have returned.
func asTerminal(t *testing.T) {
	saved := interactive
	interactive = func(io.Reader, io.Writer) bool { return true }
	t.Cleanup(func() { interactive = saved })
}

// answer runs the tool with stdin holding the answer to its question.
func answer(stdin string, args ...string) result {
	var stdout, stderr bytes.Buffer
	code := runInput(context.Background(), context.Background(), strings.NewReader(stdin), args, &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

func TestDeployAsksOnATerminal(t *testing.T) {
	asTerminal(t)
	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "web")
	deploy := []string{"-db", db, "deploy", "web", "-t", network, "-var", "prefix=p", "-var", "subnets=1"}

	r := answer("no\n", deploy...)
	if r.code != exitFailed || !strings.Contains(r.stdout, "+ resource \"huaweicloud_vpc\" \"vpc\"") ||
		!strings.Contains(r.stdout, "Only 'yes' will be accepted to approve.") || !strings.HasSuffix(r.stdout, "Apply cancelled.\n") {
		t.Errorf("answering no: exit %d, stdout:\n%s", r.code, r.stdout)
	}
	if out := ok(t, "-db", db, "stack", "show", "web"); !strings.Contains(out, "CREATION_COMPLETE") {
		t.Errorf("the stack was deployed after a no:\n%s", out)
	}

	r = answer("yes\n", deploy...)
	if r.code != exitOK || !strings.Contains(r.stdout, "Enter a value: \n") || !strings.Contains(r.stdout, "Stack web: DEPLOYMENT_COMPLETE") {
		t.Errorf("answering yes: exit %d, stdout:\n%s", r.code, r.stdout)
	}

	r = answer("", append(deploy, "-auto-approve", "-var", "subnets=2")...)
	if r.code != exitOK || strings.Contains(r.stdout, "Enter a value") {
		t.Errorf("-auto-approve: exit %d, stdout:\n%s", r.code, r.stdout)
	}
}

func TestPlanApplyAsksOnATerminal(t *testing.T) {
	asTerminal(t)
	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "web")
	ok(t, "-db", db, "plan", "create", "web", "p1", "-t", network, "-var", "prefix=p")
	r := answer("maybe\n", "-db", db, "plan", "apply", "web", "p1")
	if r.code != exitFailed || !strings.Contains(r.stdout, "Plan: 3 to add") || !strings.HasSuffix(r.stdout, "Apply cancelled.\n") {
		t.Errorf("answering maybe: exit %d, stdout:\n%s", r.code, r.stdout)
	}
	if r := answer("yes\n", "-db", db, "plan", "apply", "web", "p1"); r.code != exitOK {
		t.Errorf("answering yes: exit %d, stdout:\n%s", r.code, r.stdout)
	}
}

// TestNoQuestionWithoutATerminal: scripts are never asked.
func TestNoQuestionWithoutATerminal(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "web")
	if out := ok(t, "-db", db, "deploy", "web", "-t", network, "-var", "prefix=p"); strings.Contains(out, "Enter a value") {
		t.Errorf("asked without a terminal:\n%s", out)
	}
}
