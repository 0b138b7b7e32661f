package plan_test

import (
	"context"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/zclconf/go-cty/cty"
)

func TestMake_Refresh(t *testing.T) {
	removedB := vpcAB[:strings.Index(vpcAB, `resource "huaweicloud_vpc_subnet"`)]
	tests := []struct {
		name    string
		outside func(*sim.Provider) error // what happens outside Formation
		next    string
		wants   map[string]want
		summary formation.PlanSummary
	}{
		{
			name: "nothing", next: vpcAB,
			wants: map[string]want{"huaweicloud_vpc.a": {action: formation.ActionNoOperation}, "huaweicloud_vpc_subnet.b": {action: formation.ActionNoOperation}},
		},
		{
			name: "changed",
			outside: func(p *sim.Provider) error {
				return p.Drift(context.Background(), "huaweicloud_vpc.a", map[string]cty.Value{"description": cty.StringVal("console")})
			},
			next: vpcAB,
			wants: map[string]want{
				"huaweicloud_vpc.a (drift)": {action: formation.ActionUpdate, drifted: true, reason: "attribute description changed outside Formation"},
				"huaweicloud_vpc.a":         {action: formation.ActionUpdate, reason: "attribute description changed outside Formation"},
				"huaweicloud_vpc_subnet.b":  {action: formation.ActionNoOperation},
			},
			summary: formation.PlanSummary{ResourceUpdate: 1},
		},
		{
			name: "changed and changed in the template",
			outside: func(p *sim.Provider) error {
				return p.Drift(context.Background(), "huaweicloud_vpc.a", map[string]cty.Value{"description": cty.StringVal("console")})
			},
			next: replaceAll(vpcAB, `"first"`, `"second"`),
			wants: map[string]want{
				"huaweicloud_vpc.a (drift)": {action: formation.ActionUpdate, drifted: true},
				"huaweicloud_vpc.a":         {action: formation.ActionUpdate, reason: "attribute description changed in the template"},
				"huaweicloud_vpc_subnet.b":  {action: formation.ActionNoOperation},
			},
			summary: formation.PlanSummary{ResourceUpdate: 1},
		},
		{
			name: "deleted",
			outside: func(p *sim.Provider) error {
				return p.DeleteOutOfBand(context.Background(), "huaweicloud_vpc_subnet.b")
			},
			next: vpcAB,
			wants: map[string]want{
				"huaweicloud_vpc.a":                {action: formation.ActionNoOperation},
				"huaweicloud_vpc_subnet.b (drift)": {action: formation.ActionDelete, drifted: true, reason: "resource was deleted outside Formation"},
				"huaweicloud_vpc_subnet.b":         {action: formation.ActionAdd, reason: "resource was deleted outside Formation"},
			},
			summary: formation.PlanSummary{ResourceAdd: 1},
		},
		{
			name: "deleted, and removed from the template",
			outside: func(p *sim.Provider) error {
				return p.DeleteOutOfBand(context.Background(), "huaweicloud_vpc_subnet.b")
			},
			next: removedB,
			wants: map[string]want{
				"huaweicloud_vpc.a":                {action: formation.ActionNoOperation},
				"huaweicloud_vpc_subnet.b (drift)": {action: formation.ActionDelete, drifted: true},
			},
		},
		{
			name: "changed, and removed from the template",
			outside: func(p *sim.Provider) error {
				return p.Drift(context.Background(), "huaweicloud_vpc_subnet.b", map[string]cty.Value{"description": cty.StringVal("console")})
			},
			next: removedB,
			wants: map[string]want{
				"huaweicloud_vpc.a":                {action: formation.ActionNoOperation},
				"huaweicloud_vpc_subnet.b (drift)": {action: formation.ActionUpdate, drifted: true},
				"huaweicloud_vpc_subnet.b":         {action: formation.ActionDelete, reason: "removed from the template"},
			},
			summary: formation.PlanSummary{ResourceDelete: 1},
		},
		{
			name:    "parent deleted: dependents replaced",
			outside: func(p *sim.Provider) error { return p.DeleteOutOfBand(context.Background(), "huaweicloud_vpc.a") },
			next:    vpcAB,
			wants: map[string]want{
				"huaweicloud_vpc.a (drift)": {action: formation.ActionDelete, drifted: true},
				"huaweicloud_vpc.a":         {action: formation.ActionAdd, reason: "deleted outside Formation"},
				"huaweicloud_vpc_subnet.b":  {action: formation.ActionDeleteThenAdd, reason: "vpc_id"},
			},
			summary: formation.PlanSummary{ResourceAdd: 2, ResourceDelete: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := testWorld(t)
			w.deploy(vpcAB)
			recorded := w.state["huaweicloud_vpc.a"].Value
			if tt.outside != nil {
				if err := tt.outside(w.sim); err != nil {
					t.Fatal(err)
				}
			}
			p := w.plan(tt.next, plan.Options{Refresh: true})
			check(t, p, tt.wants)
			if p.Summary != tt.summary {
				t.Errorf("summary %+v, want %+v", p.Summary, tt.summary)
			}
			drifted := p.Drifted()
			n := 0
			for k := range tt.wants {
				if strings.HasSuffix(k, "(drift)") {
					n++
				}
			}
			if len(drifted) != n {
				t.Errorf("Drifted() = %d changes, want %d", len(drifted), n)
			}
			for i, c := range p.Changes {
				// The drifted change comes first and describes recorded → remote;
				// its twin starts from the remote object.
				if !c.Drifted {
					continue
				}
				if c.Action == formation.ActionUpdate {
					if twin := p.Changes[i+1]; twin.Addr != c.Addr || twin.Drifted || !twin.Before.RawEquals(c.After) {
						t.Errorf("%s: the twin of the drifted change does not start from the remote object", c.Addr)
					}
				}
				if c.Addr == "huaweicloud_vpc.a" && !c.Before.RawEquals(recorded) {
					t.Errorf("drifted Before is not the recorded value")
				}
			}
			// Without refresh nothing drifts.
			if tt.outside != nil {
				if p := w.plan(tt.next, plan.Options{}); len(p.Drifted()) != 0 {
					t.Error("drift detected without refresh")
				}
			}
			w.apply(expand(t, tt.next), p)
			noOps(t, w.plan(tt.next, plan.Options{Refresh: true}))
		})
	}
}

// TestMake_RefreshDestroy plans deleting a stack whose resources drifted.
func TestMake_RefreshDestroy(t *testing.T) {
	w := testWorld(t)
	w.deploy(vpcAB)
	if err := w.sim.DeleteOutOfBand(context.Background(), "huaweicloud_vpc_subnet.b"); err != nil {
		t.Fatal(err)
	}
	p, err := plan.Make(context.Background(), nil, w.state, w.reg, plan.Options{Destroy: true, Refresh: true})
	if err != nil {
		t.Fatal(err)
	}
	check(t, p, map[string]want{
		"huaweicloud_vpc.a":                {action: formation.ActionDelete, reason: "the stack is being deleted"},
		"huaweicloud_vpc_subnet.b (drift)": {action: formation.ActionDelete, drifted: true},
	})
	if p.Summary != (formation.PlanSummary{ResourceDelete: 1}) {
		t.Errorf("summary %+v", p.Summary)
	}
	w.apply(nil, p)
	if len(w.state) != 0 {
		t.Errorf("state after destroy: %v", w.state)
	}
}

func TestMake_Deposed(t *testing.T) {
	w := testWorld(t)
	w.deploy(vpcAB)
	var ids []string
	for i := range 2 {
		old, err := w.sim.Create(context.Background(), provider.CreateRequest{TypeName: "huaweicloud_vpc", Address: "huaweicloud_vpc.a",
			Token: "old-" + string(rune('a'+i)), Config: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("a"), "cidr": cty.StringVal("10.8.0.0/16")})})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, old.ID)
		r := *w.state["huaweicloud_vpc.a"]
		r.Deposed = append(r.Deposed, plan.Deposed{ID: old.ID, Value: old.State})
		w.state[r.Addr] = &r
	}
	// prevent_destroy does not hold deposed objects back.
	w.state["huaweicloud_vpc.a"].PreventDestroy = true
	p := w.plan(vpcAB, plan.Options{})
	var deposed []*plan.Change
	for _, c := range p.Changes {
		if c.Deposed != "" {
			deposed = append(deposed, c)
		}
	}
	if len(deposed) != 2 || p.Summary != (formation.PlanSummary{ResourceDelete: 2}) {
		t.Fatalf("%d deposed changes, summary %+v:\n%s", len(deposed), p.Summary, actions(p))
	}
	for _, c := range deposed {
		if c.Addr != "huaweicloud_vpc.a" || c.Action != formation.ActionDelete || c.ResourceID != c.Deposed || !c.After.IsNull() {
			t.Errorf("deposed change %+v", c)
		}
	}
	if deposed[0].Deposed > deposed[1].Deposed {
		t.Error("deposed changes are not sorted by id")
	}
	if c := p.Change("huaweicloud_vpc.a"); c == nil || c.Deposed != "" || c.Action != formation.ActionNoOperation {
		t.Errorf("Change(a) = %+v, want the instance's own change", c)
	}
	w.apply(expand(t, vpcAB), p)
	for _, id := range ids {
		if _, err := w.sim.Read(context.Background(), provider.ReadRequest{TypeName: "huaweicloud_vpc", ID: id}); err == nil {
			t.Errorf("deposed %s still exists", id)
		}
	}
	noOps(t, w.plan(vpcAB, plan.Options{Refresh: true}))
}

func TestMake_Import(t *testing.T) {
	ctx := context.Background()
	setup := func(t *testing.T) (*world, string) {
		w := testWorld(t)
		made, err := w.sim.Create(ctx, provider.CreateRequest{TypeName: "huaweicloud_vpc", Address: "console", Token: "console",
			Config: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("legacy"), "cidr": cty.StringVal("192.168.0.0/16")})})
		if err != nil {
			t.Fatal(err)
		}
		return w, made.ID
	}
	src := func(id, name string) string {
		return `
import {
  to = huaweicloud_vpc.legacy
  id = "` + id + `"
}
resource "huaweicloud_vpc" "legacy" {
  name = "` + name + `"
  cidr = "192.168.0.0/16"
}
`
	}
	t.Run("as is", func(t *testing.T) {
		w, id := setup(t)
		p := w.plan(src(id, "legacy"), plan.Options{})
		c := p.Change("huaweicloud_vpc.legacy")
		if c.Action != formation.ActionNoOperation || !c.Imported || c.ImportID != id || c.ResourceID != id || !strings.Contains(c.Reason, id) {
			t.Fatalf("change %s imported=%v import_id=%q resource_id=%q reason=%q", c.Action, c.Imported, c.ImportID, c.ResourceID, c.Reason)
		}
		if p.Summary != (formation.PlanSummary{ResourceImport: 1}) || !p.HasChanges() {
			t.Errorf("summary %+v has changes %v", p.Summary, p.HasChanges())
		}
		if it := p.Items()[0]; !it.Imported || it.Action != formation.ActionNoOperation || len(it.Attributes) != 0 {
			t.Errorf("item %+v", it)
		}
		w.apply(expand(t, src(id, "legacy")), p)
		if r := w.state["huaweicloud_vpc.legacy"]; r == nil || r.ID != id || !r.Imported {
			t.Fatalf("state after import: %+v", r)
		}
		// Once in the state, the import block changes nothing.
		noOps(t, w.plan(src(id, "legacy"), plan.Options{Refresh: true}))
	})
	t.Run("with changes", func(t *testing.T) {
		w, id := setup(t)
		p := w.plan(src(id, "modern"), plan.Options{})
		c := p.Change("huaweicloud_vpc.legacy")
		if c.Action != formation.ActionUpdate || !c.Imported || !strings.Contains(c.Reason, "attribute name differs from the template") {
			t.Fatalf("change %s imported=%v reason=%q", c.Action, c.Imported, c.Reason)
		}
		if p.Summary != (formation.PlanSummary{ResourceImport: 1, ResourceUpdate: 1}) {
			t.Errorf("summary %+v", p.Summary)
		}
		w.apply(expand(t, src(id, "modern")), p)
		noOps(t, w.plan(src(id, "modern"), plan.Options{Refresh: true}))
	})
	t.Run("missing", func(t *testing.T) {
		w, _ := setup(t)
		err := w.planErr(src("no-such-id", "legacy"), plan.Options{})
		if !formation.HasCode(err, formation.CodeInvalidTemplate) || !strings.Contains(err.Error(), "huaweicloud_vpc.legacy") ||
			!strings.Contains(err.Error(), `"no-such-id"`) {
			t.Errorf("error %v, want the address and the id named", err)
		}
	})
}
