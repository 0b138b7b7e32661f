package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/formation-engine/formation"
)

// TestHeartbeat: an operation running for 25 s gets "Still creating..."
// lines at 10 s and 20 s, on the fake clock of a synctest bubble.
func TestHeartbeat(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var b bytes.Buffer
		p := newProgress(&output{w: &b}, started{total: 2})
		events := make(chan formation.Event)
		done := make(chan error)
		go func() { done <- p.follow(events) }()
		events <- formation.Event{EventType: formation.EventCreationInProgress, ResourceType: "a", ResourceName: "b", EventMessage: "a.b: Creating..."}
		time.Sleep(5 * time.Second)
		events <- formation.Event{EventType: formation.EventDeletionInProgress, ResourceType: "c", ResourceName: "d", EventMessage: "c.d: Destroying... [id=x]"}
		time.Sleep(20 * time.Second)
		events <- formation.Event{EventType: formation.EventCreationComplete, ResourceType: "a", ResourceName: "b", EventMessage: "a.b: Creation complete after 25s [id=y]"}
		time.Sleep(10 * time.Second)
		close(events)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		want := "[0/2] a.b: Creating...\n[0/2] c.d: Destroying... [id=x]\n" +
			"[0/2] a.b: Still creating... [10s elapsed]\n" + // t=10
			"[0/2] a.b: Still creating... [20s elapsed]\n" + // t=20, oldest first
			"[0/2] c.d: Still destroying... [10s elapsed]\n" + // t=20 (started at 5)
			"[1/2] a.b: Creation complete after 25s [id=y]\n" +
			"[1/2] c.d: Still destroying... [20s elapsed]\n" // t=30
		if b.String() != want {
			t.Errorf("printed\n%s\nwant\n%s", b.String(), want)
		}
	})
}

// TestProgressPhases: the count is fixed from the plan, the rollback is
// counted and summed up as a rollback, a replacement's Creating... shows
// no old id, and a deletion's summary says Destroy.
func TestProgressPhases(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	p := newProgress(&output{w: &b}, started{total: 3})
	ev := func(typ formation.EventType, name, msg string) formation.Event {
		return formation.Event{EventType: typ, ResourceType: "t", ResourceName: name, EventMessage: msg}
	}
	for _, e := range []formation.Event{
		ev(formation.EventDeletionInProgress, "a", "t.a: Destroying... [id=old]"),
		ev(formation.EventDeletionComplete, "a", "t.a: Destruction complete after 1s"),
		ev(formation.EventCreationInProgress, "a", "t.a: Creating... [id=old]"),
		ev(formation.EventCreationComplete, "a", "t.a: Creation complete after 1s [id=new]"),
		ev(formation.EventCreationInProgress, "b", "t.b: Creating..."),
		ev(formation.EventCreationFailed, "b", "t.b: Creation failed after 1s"),
		{EventType: formation.EventSummary, EventMessage: "Apply failed. Resources: 1 added, 0 changed, 1 destroyed."},
		{EventType: formation.EventLog, EventMessage: "Stack web is ROLLBACK_IN_PROGRESS. Rolling back to the last stable state."},
		ev(formation.EventDeletionInProgress, "a", "t.a: Destroying... [id=new]"),
		ev(formation.EventDeletionComplete, "a", "t.a: Destruction complete after 1s"),
		{EventType: formation.EventSummary, EventMessage: "Apply complete! Resources: 0 added, 0 changed, 1 destroyed."},
	} {
		if err := p.print(e); err != nil {
			t.Fatal(err)
		}
	}
	want := "[0/3] t.a: Destroying... [id=old]\n[1/3] t.a: Destruction complete after 1s\n" +
		"[1/3] t.a: Creating...\n[2/3] t.a: Creation complete after 1s [id=new]\n" +
		"[2/3] t.b: Creating...\n[3/3] t.b: Creation failed after 1s\n" +
		"Apply failed. Resources: 1 added, 0 changed, 1 destroyed.\n" +
		"Stack web is ROLLBACK_IN_PROGRESS. Rolling back to the last stable state.\n" +
		"[0/2] t.a: Destroying... [id=new]\n[1/2] t.a: Destruction complete after 1s\n" +
		"Rollback complete! Resources: 0 added, 0 changed, 1 destroyed.\n"
	if b.String() != want {
		t.Errorf("printed\n%s\nwant\n%s", b.String(), want)
	}
}

func TestDeleteAndDeployCountFromThePlan(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	out := ok(t, "-db", db, "stack", "create", "web", "-t", network, "-var", "prefix=p")
	counts := regexp.MustCompile(`(?m)^\[\d+/(\d+)\] `).FindAllStringSubmatch(out, -1)
	if len(counts) != 6 {
		t.Fatalf("create printed:\n%s", out)
	}
	for _, c := range counts {
		if c[1] != "3" {
			t.Errorf("a count out of %s, want 3:\n%s", c[1], out)
		}
	}
	out = ok(t, "-db", db, "deploy", "web", "-t", network, "-var", "prefix=p", "-var", "subnets=1")
	if !strings.Contains(out, "Refreshing the state of 3 resources...\n") || !strings.Contains(out, "[0/1] huaweicloud_vpc_subnet.subnet[1]: Destroying...") {
		t.Errorf("deploy printed:\n%s", out)
	}
	// The deletion's last events may go with the stack before they are
	// followed; the summary and the count do not depend on them.
	out = ok(t, "-db", db, "stack", "delete", "web")
	if !strings.HasSuffix(out, "\nDestroy complete! Resources: 2 destroyed.\nStack web: DELETED\n") {
		t.Errorf("stack delete printed:\n%s", out)
	}
	for _, c := range regexp.MustCompile(`(?m)^\[\d+/(\d+)\] `).FindAllStringSubmatch(out, -1) {
		if c[1] != "2" {
			t.Errorf("a deletion count out of %s, want 2:\n%s", c[1], out)
		}
	}
}

func TestPlanColours(t *testing.T) {
	t.Parallel()
	text := "  # x will be replaced\n-/+ resource \"t\" \"x\" {\n      ~ name = \"a\" -> \"b\"\n      + id   = (known after apply)\n      - tags = {}\n    }\n"
	plain := &output{}
	if got := plain.colourPlan(text); got != text {
		t.Errorf("without colour: %q", got)
	}
	got := (&output{color: true}).colourPlan(text)
	want := "  # x will be replaced\n\x1b[35m-/+\x1b[0m resource \"t\" \"x\" {\n      \x1b[33m~\x1b[0m name = \"a\" -> \"b\"\n      \x1b[32m+\x1b[0m id   = (known after apply)\n      \x1b[31m-\x1b[0m tags = {}\n    }\n"
	if got != want {
		t.Errorf("coloured:\n%q\nwant\n%q", got, want)
	}
}
