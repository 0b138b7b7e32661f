package engine

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
)

// vpcs is a template of VPCs by name, each with its cidr.
func vpcs(blocks ...string) string {
	var b strings.Builder
	for _, blk := range blocks {
		b.WriteString(blk + "\n")
	}
	return b.String()
}

func vpc(name, cidr string) string {
	return `resource "huaweicloud_vpc" "` + name + `" {
  name = "` + name + `"
  cidr = "` + cidr + `"
}
`
}

// resourcesByAddr lists a stack's resources as address → physical id.
func resourcesByAddr(t *testing.T, e *Engine, stack string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range listResources(t, e, stack) {
		addr := r.LogicalResourceType + "." + r.LogicalResourceName
		if r.IndexKey != "" {
			addr += "[" + r.IndexKey + "]"
		}
		out[addr] = r.PhysicalResourceID
	}
	return out
}

// countOps counts the provider's mutating calls by operation.
func countOps(p *sim.Provider) map[sim.Op]int {
	out := map[sim.Op]int{}
	for _, c := range p.Calls() {
		out[c.Op]++
	}
	return out
}

// A moved block renames the recorded resource: the next deployment neither
// deletes nor creates anything, the stack lists the resource at its new
// address with its old id, and a LOG event says it moved. An implied move
// (count added) does the same; a move and an update together update the
// object in place.
func TestEngine_MovedBlockKeepsObject(t *testing.T) {
	ctx := context.Background()
	e, p, _ := simTestEngine(t, sim.Config{}, Config{})
	if _, err := e.CreateStack(ctx, CreateStackRequest{Name: "s"}); err != nil {
		t.Fatal(err)
	}
	if out := deployAndWait(t, e, "s", vpcs(vpc("a", "10.0.0.0/16"), vpc("c", "10.2.0.0/16"))); !out.Succeeded() {
		t.Fatalf("first deployment: %+v", out)
	}
	before := resourcesByAddr(t, e, "s")
	ops := countOps(p)

	// a → b (moved block), c → c[0] (count added: an implied move), and
	// b's name changes: an update in place.
	body := vpcs(`resource "huaweicloud_vpc" "b" {
  name = "b"
  cidr = "10.0.0.0/16"
}
resource "huaweicloud_vpc" "c" {
  count = 1
  name  = "c"
  cidr  = "10.2.0.0/16"
}
moved {
  from = huaweicloud_vpc.a
  to   = huaweicloud_vpc.b
}`)
	out := deployAndWait(t, e, "s", body)
	if !out.Succeeded() {
		t.Fatalf("moving deployment: %+v", out)
	}
	after := resourcesByAddr(t, e, "s")
	if len(after) != 2 || after["huaweicloud_vpc.b"] != before["huaweicloud_vpc.a"] || after["huaweicloud_vpc.c[0]"] != before["huaweicloud_vpc.c"] {
		t.Fatalf("resources %v after moving %v, want b with a's id and c[0] with c's", after, before)
	}
	now := countOps(p)
	if now[sim.OpCreate] != ops[sim.OpCreate] || now[sim.OpDelete] != ops[sim.OpDelete] || now[sim.OpUpdate] != ops[sim.OpUpdate]+1 {
		t.Fatalf("provider calls %v → %v: want one update and no create or delete", ops, now)
	}
	events, err := e.ListStackEvents(ctx, ListStackEventsRequest{StackRef: StackRef{Name: "s"}})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, ev := range events.StackEvents {
		msgs = append(msgs, ev.EventMessage)
	}
	for _, want := range []string{"huaweicloud_vpc.a has moved to huaweicloud_vpc.b", "huaweicloud_vpc.c has moved to huaweicloud_vpc.c[0]"} {
		if !slices.Contains(msgs, want) {
			t.Errorf("no event %q among %q", want, msgs)
		}
	}
	// The moved block stays harmlessly: deploying again changes nothing.
	if out := deployAndWait(t, e, "s", body); !out.Succeeded() {
		t.Fatalf("third deployment: %+v", out)
	}
	if again := countOps(p); again[sim.OpCreate] != now[sim.OpCreate] || again[sim.OpDelete] != now[sim.OpDelete] || again[sim.OpUpdate] != now[sim.OpUpdate] {
		t.Fatalf("provider calls %v → %v deploying the same template again", now, again)
	}
}

// A removed block with destroy = false drops the record and leaves the
// object in the cloud; with the default (destroy = true) the object is
// destroyed.
func TestEngine_RemovedBlock(t *testing.T) {
	ctx := context.Background()
	e, p, _ := simTestEngine(t, sim.Config{}, Config{})
	if _, err := e.CreateStack(ctx, CreateStackRequest{Name: "s"}); err != nil {
		t.Fatal(err)
	}
	if out := deployAndWait(t, e, "s", vpcs(vpc("keep", "10.0.0.0/16"), vpc("gone", "10.1.0.0/16"), vpc("kept", "10.3.0.0/16"))); !out.Succeeded() {
		t.Fatalf("first deployment: %+v", out)
	}
	before := resourcesByAddr(t, e, "s")
	out := deployAndWait(t, e, "s", vpc("keep", "10.0.0.0/16")+`
removed {
  from = huaweicloud_vpc.kept
  lifecycle {
    destroy = false
  }
}
removed {
  from = huaweicloud_vpc.gone
}
`)
	if !out.Succeeded() {
		t.Fatalf("removing deployment: %+v", out)
	}
	if after := resourcesByAddr(t, e, "s"); len(after) != 1 || after["huaweicloud_vpc.keep"] == "" {
		t.Fatalf("resources %v, want only keep", after)
	}
	var deleted []string
	for _, c := range p.Calls() {
		if c.Op == sim.OpDelete {
			deleted = append(deleted, c.ID)
		}
	}
	if !slices.Equal(deleted, []string{before["huaweicloud_vpc.gone"]}) {
		t.Fatalf("deleted %v, want only gone (%s)", deleted, before["huaweicloud_vpc.gone"])
	}
}

// A deployment that moves a resource and then fails rolls back to the old
// addresses: the object is moved back, not destroyed and created again.
func TestEngine_RollbackMovesBack(t *testing.T) {
	ctx := context.Background()
	e, p, _ := simTestEngine(t, sim.Config{Faults: []sim.Fault{{Match: sim.Match{Op: sim.OpCreate, Address: "huaweicloud_vpc.bad"}, Message: "no"}}}, Config{})
	if _, err := e.CreateStack(ctx, CreateStackRequest{Name: "s", EnableAutoRollback: true}); err != nil {
		t.Fatal(err)
	}
	if out := deployAndWait(t, e, "s", vpc("a", "10.0.0.0/16")); !out.Succeeded() {
		t.Fatalf("first deployment: %+v", out)
	}
	before := resourcesByAddr(t, e, "s")
	ops := countOps(p)
	out := deployAndWait(t, e, "s", vpcs(vpc("b", "10.0.0.0/16"), vpc("bad", "10.9.0.0/16"), `moved {
  from = huaweicloud_vpc.a
  to   = huaweicloud_vpc.b
}`))
	if out.Status != formation.StackRollbackComplete {
		t.Fatalf("deployment ended %s, want ROLLBACK_COMPLETE", out.Status)
	}
	if after := resourcesByAddr(t, e, "s"); len(after) != 1 || after["huaweicloud_vpc.a"] != before["huaweicloud_vpc.a"] {
		t.Fatalf("resources %v after the rollback, want a with its id %s", after, before["huaweicloud_vpc.a"])
	}
	now := countOps(p)
	if now[sim.OpDelete] != ops[sim.OpDelete] || now[sim.OpCreate] != ops[sim.OpCreate]+1 {
		t.Fatalf("provider calls %v → %v: want only the failed create", ops, now)
	}
}

// Templates whose moved or removed blocks Terraform refuses are refused
// before anything changes, with Terraform's summaries.
func TestEngine_MovedBlockErrors(t *testing.T) {
	ctx := context.Background()
	e, _, _ := simTestEngine(t, sim.Config{}, Config{})
	if _, err := e.CreateStack(ctx, CreateStackRequest{Name: "s"}); err != nil {
		t.Fatal(err)
	}
	moved := func(from, to string) string {
		return "moved {\n  from = " + from + "\n  to   = " + to + "\n}\n"
	}
	for _, tc := range []struct{ name, body, want string }{
		{"cycle", moved("huaweicloud_vpc.a", "huaweicloud_vpc.b") + moved("huaweicloud_vpc.b", "huaweicloud_vpc.a"), "Cyclic dependency in move statements"},
		{"ambiguous", vpc("b", "10.0.0.0/16") + moved("huaweicloud_vpc.a", "huaweicloud_vpc.b") + moved("huaweicloud_vpc.a", "huaweicloud_vpc.c"), "Ambiguous move statements"},
		{"still declared", vpc("a", "10.0.0.0/16") + vpc("b", "10.1.0.0/16") + moved("huaweicloud_vpc.a", "huaweicloud_vpc.b"), "Moved object still exists"},
		{"kinds", moved("huaweicloud_vpc.a", "module.m"), `Invalid "moved" addresses`},
		{"removed declared", vpc("a", "10.0.0.0/16") + "removed {\n  from = huaweicloud_vpc.a\n}\n", "Removed resource still exists"},
		{"removed instance", "removed {\n  from = huaweicloud_vpc.a[0]\n}\n", "Resource instance keys not allowed"},
	} {
		_, err := e.DeployStack(ctx, DeployStackRequest{StackRef: StackRef{Name: "s"}, TemplateInput: TemplateInput{TemplateBody: tc.body}})
		if !formation.HasCode(err, formation.CodeInvalidTemplate) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want CodeInvalidTemplate with %q", tc.name, err, tc.want)
		}
	}
}

// A move carries the object's ownership record to its new address; a
// removed block with destroy = false drops it with the record, so that
// another stack may import the object.
func TestEngine_MovedAndForgottenOwnership(t *testing.T) {
	ctx := context.Background()
	e, _, st := simTestEngine(t, sim.Config{}, Config{})
	if _, err := e.CreateStack(ctx, CreateStackRequest{Name: "s"}); err != nil {
		t.Fatal(err)
	}
	if out := deployAndWait(t, e, "s", vpcs(vpc("a", "10.0.0.0/16"), vpc("c", "10.2.0.0/16"))); !out.Succeeded() {
		t.Fatalf("first deployment: %+v", out)
	}
	ids := resourcesByAddr(t, e, "s")
	owner := func(id string) (ownerRecord, bool) {
		var o ownerRecord
		var ok bool
		err := st.View(ctx, func(tx store.Tx) (err error) {
			ok, err = getJSON(tx, store.Meta, ownerKey("huaweicloud", "huaweicloud_vpc", id), &o)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return o, ok
	}
	if o, ok := owner(ids["huaweicloud_vpc.a"]); !ok || o.Addr != "huaweicloud_vpc.a" {
		t.Fatalf("ownership of a before: %+v %v", o, ok)
	}
	out := deployAndWait(t, e, "s", vpc("b", "10.0.0.0/16")+movedBlock("huaweicloud_vpc.a", "huaweicloud_vpc.b")+
		"removed {\n  from = huaweicloud_vpc.c\n  lifecycle {\n    destroy = false\n  }\n}\n")
	if !out.Succeeded() {
		t.Fatalf("deployment: %+v", out)
	}
	if o, ok := owner(ids["huaweicloud_vpc.a"]); !ok || o.Addr != "huaweicloud_vpc.b" {
		t.Fatalf("ownership of the moved object: %+v %v, want at huaweicloud_vpc.b", o, ok)
	}
	if o, ok := owner(ids["huaweicloud_vpc.c"]); ok {
		t.Fatalf("the forgotten object is still owned: %+v", o)
	}
}

func movedBlock(from, to string) string {
	return "moved {\n  from = " + from + "\n  to   = " + to + "\n}\n"
}

// A rollback that fails before moving anything back leaves the moves to
// ContinueRollbackStack, which makes them: the object is kept, not
// destroyed and created again.
func TestEngine_ContinueRollbackMovesBack(t *testing.T) {
	ctx := context.Background()
	// The first read at huaweicloud_vpc.a is the rollback's refresh, once
	// it has moved the object back: it fails, and so does the rollback.
	e, p, _ := simTestEngine(t, sim.Config{Faults: []sim.Fault{
		{Match: sim.Match{Op: sim.OpCreate, Address: "huaweicloud_vpc.bad"}, Message: "no"},
		{Match: sim.Match{Op: sim.OpRead, Address: "huaweicloud_vpc.a"}, Times: 1, Message: "read failed"},
	}}, Config{})
	if _, err := e.CreateStack(ctx, CreateStackRequest{Name: "s", EnableAutoRollback: true}); err != nil {
		t.Fatal(err)
	}
	if out := deployAndWait(t, e, "s", vpc("a", "10.0.0.0/16")); !out.Succeeded() {
		t.Fatalf("first deployment: %+v", out)
	}
	before := resourcesByAddr(t, e, "s")
	out := deployAndWait(t, e, "s", vpcs(vpc("b", "10.0.0.0/16"), vpc("bad", "10.9.0.0/16"), movedBlock("huaweicloud_vpc.a", "huaweicloud_vpc.b")))
	if out.Status != formation.StackRollbackFailed {
		t.Fatalf("deployment ended %s, want ROLLBACK_FAILED", out.Status)
	}
	ops := countOps(p)
	dep, err := e.ContinueRollbackStack(ctx, ContinueRequest{StackRef: StackRef{Name: "s"}})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := e.Wait(ctx, dep); err != nil || res.Status != formation.StackRollbackComplete {
		t.Fatalf("continued rollback: %+v %v", res, err)
	}
	if after := resourcesByAddr(t, e, "s"); len(after) != 1 || after["huaweicloud_vpc.a"] != before["huaweicloud_vpc.a"] {
		t.Fatalf("resources %v after the rollback, want a with its id %s", after, before["huaweicloud_vpc.a"])
	}
	if now := countOps(p); now[sim.OpCreate] != ops[sim.OpCreate] || now[sim.OpDelete] != ops[sim.OpDelete] {
		t.Fatalf("provider calls %v → %v: the continued rollback created or deleted", ops, now)
	}
}
