package plan_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/zclconf/go-cty/cty"
)

// sensitiveSrc sets an argument from a sensitive variable, and another
// resource reads it: both configurations are sensitive there, as in
// Terraform, and nowhere else.
const sensitiveSrc = `
variable "secret" {
  default   = "hunter2"
  sensitive = true
}
resource "huaweicloud_x" "a" {
  name     = "a"
  password = var.secret
}
resource "huaweicloud_x" "b" {
  name  = "b"
  login = { user = "u", pass = "${huaweicloud_x.a.password}!" }
}
`

func TestSensitiveMarksBecomePaths(t *testing.T) {
	t.Parallel()
	w := newWorld(t, sim.Config{})
	p := w.plan(sensitiveSrc, plan.Options{})
	want := map[string]cty.Path{
		"huaweicloud_x.a": cty.GetAttrPath("password"),
		"huaweicloud_x.b": cty.GetAttrPath("login").GetAttr("pass"),
	}
	for _, c := range p.Changes {
		if len(c.Sensitive) != 1 || !c.Sensitive[0].Equals(want[c.Addr]) {
			t.Errorf("%s: sensitive paths %#v, want only %#v", c.Addr, c.Sensitive, want[c.Addr])
		}
	}

	txt := text(t, p)
	if strings.Contains(txt, "hunter2") {
		t.Errorf("the plan text shows the secret:\n%s", txt)
	}
	for _, line := range []string{`+ password = (sensitive value)`, `+ pass = (sensitive value)`, `+ user = "u"`} {
		if !strings.Contains(txt, line) {
			t.Errorf("the plan text lacks %q:\n%s", line, txt)
		}
	}

	// A stored plan keeps them.
	b, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := plan.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range back.Changes {
		if len(c.Sensitive) != 1 || !c.Sensitive[0].Equals(p.Changes[i].Sensitive[0]) {
			t.Errorf("%s after Encode and Decode: sensitive paths %#v", c.Addr, c.Sensitive)
		}
	}

	js, err := p.TerraformJSON(plan.TerraformJSONInput{Config: expand(t, sensitiveSrc)})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(js), "hunter2") {
		t.Errorf("the JSON plan shows the secret: %s", js)
	}
	var doc struct {
		ResourceChanges []struct {
			Address string
			Change  struct {
				AfterSensitive json.RawMessage `json:"after_sensitive"`
			}
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	wantJSON := map[string]string{"huaweicloud_x.a": `{"password":true}`, "huaweicloud_x.b": `{"login":{"pass":true}}`}
	for _, rc := range doc.ResourceChanges {
		if got := string(rc.Change.AfterSensitive); got != wantJSON[rc.Address] {
			t.Errorf("%s: after_sensitive %s, want %s", rc.Address, got, wantJSON[rc.Address])
		}
	}
}

// The provider is given the configuration without marks, and the applied
// object read by others is sensitive where the plan said.
func TestSensitiveMarksApplied(t *testing.T) {
	t.Parallel()
	w := newWorld(t, sim.Config{})
	cfg := expand(t, sensitiveSrc)
	p, err := plan.Make(context.Background(), cfg, w.state, w.reg, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w.apply(cfg, p)
	got := w.state["huaweicloud_x.b"].Value.GetAttr("login").GetAttr("pass")
	if got.IsMarked() || got.AsString() != "hunter2!" {
		t.Errorf("applied login.pass = %#v, want hunter2! unmarked", got)
	}
}

// An output that refers to sensitive values without sensitive = true is
// refused when planning, as Terraform refuses it, before anything applies.
func TestSensitiveOutputRefusedAtPlan(t *testing.T) {
	t.Parallel()
	w := newWorld(t, sim.Config{})
	err := w.planErr(sensitiveSrc+`output "o" { value = huaweicloud_x.b.login }`, plan.Options{})
	if !strings.Contains(err.Error(), "Output refers to sensitive values") {
		t.Errorf("error %v, want Output refers to sensitive values", err)
	}
	w.plan(sensitiveSrc+`output "o" {
  value     = huaweicloud_x.b.login
  sensitive = true
}`, plan.Options{})
}

// What was sensitive when an object was last applied stays hidden when
// a plan deletes it, as Terraform's state keeps sensitive_attributes.
func TestSensitiveRecordedPaths(t *testing.T) {
	t.Parallel()
	w := newWorld(t, sim.Config{})
	w.deploy(sensitiveSrc)
	// As the engine records them: the attributes holding sensitive values.
	w.state["huaweicloud_x.a"].Sensitive = []cty.Path{cty.GetAttrPath("password")}
	w.state["huaweicloud_x.b"].Sensitive = []cty.Path{cty.GetAttrPath("login")}
	p := w.plan(`variable "secret" {
  default   = "hunter2"
  sensitive = true
}
`, plan.Options{})
	txt := text(t, p)
	if strings.Contains(txt, "hunter2") || !strings.Contains(txt, "- password = (sensitive value) -> null") || !strings.Contains(txt, "- login = (sensitive value) -> null") {
		t.Errorf("the deletion shows the secret:\n%s", txt)
	}
}
