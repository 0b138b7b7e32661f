package plan_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/zclconf/go-cty/cty"
)

// The plan text and terraform show -json list changes as Terraform v1.11.4
// does: the root module first, and within each module instance data
// sources before managed resources (addrs.Resource.Less), count indexes
// in numeric order; planned_values sorts resources by address as strings.
func TestWriteText_Order(t *testing.T) {
	obj := cty.ObjectVal(map[string]cty.Value{"id": cty.UnknownVal(cty.String)})
	change := func(addr string, mode formation.Mode) *plan.Change {
		c := &plan.Change{Addr: addr, Mode: mode, Type: "x_y", Name: "n", Action: formation.ActionAdd, Before: cty.NullVal(obj.Type()), After: obj}
		if mode == formation.ModeData {
			c.Action = formation.ActionNoOperation
		}
		return c
	}
	p := &plan.Plan{Changes: []*plan.Change{ // sorted as Make sorts them
		change("x_y.a[2]", formation.ModeResource),
		change("x_y.a[10]", formation.ModeResource),
		change("x_y.b", formation.ModeResource),
		change("data.x_y.c", formation.ModeData),
		change("module.m.x_y.d", formation.ModeResource),
		change("module.m.data.x_y.e", formation.ModeData),
	}, Summary: formation.PlanSummary{ResourceAdd: 4}}
	var b strings.Builder
	if err := p.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range regexp.MustCompile(`(?m)^  # (\S+) will`).FindAllStringSubmatch(b.String(), -1) {
		got = append(got, m[1])
	}
	if want := "data.x_y.c x_y.a[2] x_y.a[10] x_y.b module.m.data.x_y.e module.m.x_y.d"; strings.Join(got, " ") != want {
		t.Errorf("order %v, want %s:\n%s", got, want, b.String())
	}

	js, err := p.TerraformJSON(plan.TerraformJSONInput{})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ResourceChanges []struct{ Address string } `json:"resource_changes"`
		PlannedValues   struct {
			RootModule struct{ Resources []struct{ Address string } } `json:"root_module"`
		} `json:"planned_values"`
	}
	if err := json.Unmarshal(js, &doc); err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, rc := range doc.ResourceChanges {
		got = append(got, rc.Address)
	}
	if want := "data.x_y.c x_y.a[2] x_y.a[10] x_y.b module.m.data.x_y.e module.m.x_y.d"; strings.Join(got, " ") != want {
		t.Errorf("resource_changes %v, want %s", got, want)
	}
	got = nil
	for _, r := range doc.PlannedValues.RootModule.Resources {
		got = append(got, r.Address)
	}
	if want := "data.x_y.c x_y.a[10] x_y.a[2] x_y.b"; strings.Join(got, " ") != want {
		t.Errorf("planned_values %v, want %s", got, want)
	}
}
