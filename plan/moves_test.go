package plan_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/template"
)

const movesBefore = `
resource "huaweicloud_vpc" "a" {
  name = "a"
  cidr = "10.0.0.0/16"
}
resource "huaweicloud_vpc" "b" {
  name = "b"
  cidr = "10.1.0.0/16"
}
resource "huaweicloud_vpc" "c" {
  name = "c"
  cidr = "10.2.0.0/16"
}
resource "huaweicloud_vpc" "d" {
  name = "d"
  cidr = "10.3.0.0/16"
}
`

// A moved block plans the object at its new address from its recorded
// object: a move alone is NO_OPERATION with "has moved to", a move with a
// change says where it moved from; a removed block with destroy = false
// forgets; the plan says all of it as terraform plan does, and applying it
// then re-planning changes nothing.
func TestPlan_MovedAndRemoved(t *testing.T) {
	w := testWorld(t)
	w.deploy(movesBefore)
	ids := map[string]string{}
	for addr, r := range w.state {
		ids[addr] = r.ID
	}
	after := `
resource "huaweicloud_vpc" "x" {
  name = "a"
  cidr = "10.0.0.0/16"
}
resource "huaweicloud_vpc" "y" {
  name = "y"
  cidr = "10.1.0.0/16"
}
resource "huaweicloud_vpc" "d" {
  name = "d"
  cidr = "10.3.0.0/16"
}
moved {
  from = huaweicloud_vpc.a
  to   = huaweicloud_vpc.x
}
moved {
  from = huaweicloud_vpc.b
  to   = huaweicloud_vpc.y
}
removed {
  from = huaweicloud_vpc.c
  lifecycle {
    destroy = false
  }
}
`
	p := w.plan(after, plan.Options{})
	if got, want := actions(p), "huaweicloud_vpc.c NO_OPERATION\nhuaweicloud_vpc.d NO_OPERATION\nhuaweicloud_vpc.x NO_OPERATION\nhuaweicloud_vpc.y UPDATE\n"; got != want {
		t.Fatalf("actions:\n%s\nwant:\n%s", got, want)
	}
	x, y, c := p.Change("huaweicloud_vpc.x"), p.Change("huaweicloud_vpc.y"), p.Change("huaweicloud_vpc.c")
	if x.PrevAddr != "huaweicloud_vpc.a" || y.PrevAddr != "huaweicloud_vpc.b" || x.ResourceID != ids["huaweicloud_vpc.a"] || !c.Forget {
		t.Fatalf("x %+v\ny %+v\nc %+v", x, y, c)
	}
	if !p.HasChanges() || p.Summary != (formation.PlanSummary{ResourceUpdate: 1}) {
		t.Fatalf("HasChanges %v, summary %+v", p.HasChanges(), p.Summary)
	}
	txt := text(t, p)
	for _, want := range []string{
		"  # huaweicloud_vpc.a has moved to huaweicloud_vpc.x\n    resource \"huaweicloud_vpc\" \"x\" {\n",
		"  # huaweicloud_vpc.y will be updated in-place\n  # (moved from huaweicloud_vpc.b)\n  ~ resource \"huaweicloud_vpc\" \"y\" {\n",
		" # huaweicloud_vpc.c will no longer be managed by Formation, but will not be destroyed\n # (destroy = false is set in the template)\n . resource \"huaweicloud_vpc\" \"c\" {\n",
		"Plan: 0 to add, 1 to change, 0 to destroy.\n\nWarning: Some objects will no longer be managed by Formation\n",
		"the following objects, but it will not delete them:\n - huaweicloud_vpc.c\n",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("plan text lacks %q:\n%s", want, txt)
		}
	}
	if strings.Contains(txt, "huaweicloud_vpc.d") {
		t.Errorf("plan text shows the unchanged d:\n%s", txt)
	}
	items := map[string]formation.PlanItem{}
	for _, it := range p.Items() {
		items[it.ResourceName] = it
	}
	if it := items["x"]; it.Action != formation.ActionNoOperation || it.ActionReason != "moved from huaweicloud_vpc.a" {
		t.Errorf("item x: %+v", it)
	}
	if it := items["y"]; it.Action != formation.ActionUpdate || !strings.HasPrefix(it.ActionReason, "moved from huaweicloud_vpc.b; ") {
		t.Errorf("item y: %+v", it)
	}
	if it := items["c"]; it.Action != formation.ActionNoOperation || !strings.Contains(it.ActionReason, "no longer managed") {
		t.Errorf("item c: %+v", it)
	}
	tf, err := p.TerraformJSON(plan.TerraformJSONInput{})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ResourceChanges []struct {
			Address         string `json:"address"`
			PreviousAddress string `json:"previous_address"`
			Change          struct {
				Actions []string        `json:"actions"`
				After   json.RawMessage `json:"after"`
			} `json:"change"`
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal(tf, &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, rc := range doc.ResourceChanges {
		got = append(got, rc.Address+" "+rc.PreviousAddress+" "+strings.Join(rc.Change.Actions, ","))
	}
	if after := string(doc.ResourceChanges[0].Change.After); after != "null" {
		t.Errorf("the forget change's after is %s, want null as Terraform's", after)
	}
	if want := "huaweicloud_vpc.c  forget|huaweicloud_vpc.d  no-op|huaweicloud_vpc.x huaweicloud_vpc.a no-op|huaweicloud_vpc.y huaweicloud_vpc.b update"; strings.Join(got, "|") != want {
		t.Errorf("Terraform JSON changes %q, want %q", strings.Join(got, "|"), want)
	}
	decoded := encodeDecode(t, p)
	if dx := decoded.Change("huaweicloud_vpc.x"); dx.PrevAddr != x.PrevAddr || !decoded.Change("huaweicloud_vpc.c").Forget || len(decoded.Warnings) != 1 {
		t.Fatalf("decoded plan lost the moves: %+v, warnings %v", dx, decoded.Warnings)
	}

	w.apply(expand(t, after), p)
	if _, ok := w.state["huaweicloud_vpc.c"]; ok || w.state["huaweicloud_vpc.x"].ID != ids["huaweicloud_vpc.a"] {
		t.Fatalf("state after apply: %v", w.state)
	}
	noOps(t, w.plan(after, plan.Options{}))
}

// A move whose destination the state already records is not made: the
// object stays, is destroyed as any object the template no longer has,
// and a warning says why. A move across resource types is refused.
func TestPlan_MoveBlockedAndAcrossTypes(t *testing.T) {
	w := testWorld(t)
	w.deploy(movesBefore)
	p := w.plan(strings.ReplaceAll(movesBefore, `resource "huaweicloud_vpc" "a" {`, `resource "huaweicloud_vpc" "unused" {`)+`
moved {
  from = huaweicloud_vpc.a
  to   = huaweicloud_vpc.b
}
`, plan.Options{})
	if c := p.Change("huaweicloud_vpc.a"); c == nil || c.Action != formation.ActionDelete {
		t.Fatalf("a: %+v, want DELETE", c)
	}
	if len(p.Warnings) != 1 || p.Warnings[0].Summary != "Unresolved resource instance address changes" ||
		!strings.Contains(p.Warnings[0].Detail, "huaweicloud_vpc.a could not move to huaweicloud_vpc.b") {
		t.Fatalf("warnings %+v", p.Warnings)
	}
	err := w.planErr(`
resource "huaweicloud_subnet" "s" {
  name = "s"
}
moved {
  from = huaweicloud_vpc.a
  to   = huaweicloud_subnet.s
}
`, plan.Options{})
	if !strings.Contains(err.Error(), "Unsupported `moved` across resource types") {
		t.Fatalf("%v", err)
	}
}

// Options.Moves run before the template's moved blocks: what a rollback
// uses to move objects back.
func TestPlan_OptionsMoves(t *testing.T) {
	w := testWorld(t)
	w.deploy(movesBefore)
	from, _ := template.ParseInstanceAddr("huaweicloud_vpc.a")
	to, _ := template.ParseInstanceAddr("huaweicloud_vpc.z")
	p := w.plan(strings.ReplaceAll(movesBefore, `"huaweicloud_vpc" "a"`, `"huaweicloud_vpc" "z"`), plan.Options{Moves: []plan.Move{template.InstanceMove(from, to)}})
	if c := p.Change("huaweicloud_vpc.z"); c == nil || c.Action != formation.ActionNoOperation || c.PrevAddr != "huaweicloud_vpc.a" {
		t.Fatalf("z: %+v\n%s", c, actions(p))
	}
}

func encodeDecode(t *testing.T, p *plan.Plan) *plan.Plan {
	t.Helper()
	data, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	q, err := plan.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// An object moved to an address the template does not declare is
// destroyed there, and one moved then forgotten is forgotten there: both
// say where they moved from, after the reason, as terraform plan does.
func TestPlan_MovedToUndeclared(t *testing.T) {
	w := testWorld(t)
	w.deploy(movesBefore)
	p := w.plan(strings.ReplaceAll(strings.ReplaceAll(movesBefore, `resource "huaweicloud_vpc" "a" {`, `resource "huaweicloud_vpc" "unused_a" {`),
		`resource "huaweicloud_vpc" "c" {`, `resource "huaweicloud_vpc" "unused_c" {`)+`
moved {
  from = huaweicloud_vpc.a
  to   = huaweicloud_vpc.x
}
moved {
  from = huaweicloud_vpc.c
  to   = huaweicloud_vpc.z
}
removed {
  from = huaweicloud_vpc.z
  lifecycle {
    destroy = false
  }
}
`, plan.Options{})
	txt := text(t, p)
	for _, want := range []string{
		"  # huaweicloud_vpc.x will be destroyed\n  # (huaweicloud_vpc.a was moved to huaweicloud_vpc.x, which is not in the template)\n  # (moved from huaweicloud_vpc.a)\n  - resource",
		" # huaweicloud_vpc.z will no longer be managed by Formation, but will not be destroyed\n # (destroy = false is set in the template)\n  # (moved from huaweicloud_vpc.c)\n . resource",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("plan text lacks %q:\n%s", want, txt)
		}
	}
	tf, err := p.TerraformJSON(plan.TerraformJSONInput{})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(tf), `"action_reason":"delete_because_no_move_target"`); n != 2 {
		t.Errorf("%d changes with delete_because_no_move_target, want 2", n)
	}
}
