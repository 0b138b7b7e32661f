package plan_test

import (
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/provider/sim"
)

// Postconditions are checked against the planned object: a false one on
// a known attribute fails the plan, one on a computed attribute waits for
// apply.
func TestMake_Postconditions(t *testing.T) {
	const tmpl = `
resource "huaweicloud_thing" "x" {
  name = %q
  lifecycle {
    postcondition {
      condition     = self.name == "good"
      error_message = "The name is ${self.name}."
    }
    postcondition {
      condition     = self.id != ""
      error_message = "No id."
    }
  }
}
`
	w := newWorld(t, sim.Config{})
	p := w.plan(strings.Replace(tmpl, "%q", `"good"`, 1), plan.Options{})
	if len(p.Changes) != 1 || p.Changes[0].Action != formation.ActionAdd {
		t.Fatalf("changes = %+v", p.Changes)
	}
	err := w.planErr(strings.Replace(tmpl, "%q", `"bad"`, 1), plan.Options{})
	if formation.CodeOf(err) != formation.CodeInvalidTemplate || !strings.Contains(err.Error(), "The name is bad.") {
		t.Fatalf("err = %v, want the postcondition's message", err)
	}
}
