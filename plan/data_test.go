package plan_test

import (
	"context"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/provider/tfschema"
	"github.com/formation-engine/formation/template"
	"github.com/zclconf/go-cty/cty"
)

const zonesAndVPC = `
data "huaweicloud_availability_zones" "zones" {}

resource "huaweicloud_vpc" "a" {
  name = "a"
  cidr = "10.0.0.0/16"
}

data "huaweicloud_vpc" "lookup" {
  name = huaweicloud_vpc.a.name
}

resource "huaweicloud_vpc_subnet" "b" {
  name              = "b"
  cidr              = "10.0.1.0/24"
  gateway_ip        = "10.0.1.1"
  vpc_id            = data.huaweicloud_vpc.lookup.id
  availability_zone = data.huaweicloud_availability_zones.zones.names[1]
}
`

func reads(p *sim.Provider) int {
	n := 0
	for _, c := range p.Calls() {
		if c.Op == sim.OpReadData {
			n++
		}
	}
	return n
}

func TestMake_DataSources(t *testing.T) {
	w := testWorld(t)
	p := w.plan(zonesAndVPC, plan.Options{})
	zones, lookup := p.Change("data.huaweicloud_availability_zones.zones"), p.Change("data.huaweicloud_vpc.lookup")
	if zones.Mode != formation.ModeData || zones.Action != formation.ActionNoOperation || !zones.After.IsWhollyKnown() {
		t.Fatalf("zones: %s %s %#v", zones.Mode, zones.Action, zones.After)
	}
	// The lookup depends on a VPC the deployment creates: read during
	// apply, planned as Terraform plans it, its configuration with what
	// the read computes unknown (the simulator has no schema of the data
	// source here: the id).
	want := cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("a"), "id": cty.UnknownVal(cty.String)})
	if lookup.Action != formation.ActionNoOperation || !lookup.After.RawEquals(want) || !strings.Contains(lookup.Reason, "read during apply") {
		t.Fatalf("lookup: %s %#v %q", lookup.Action, lookup.After, lookup.Reason)
	}
	if az := p.Change("huaweicloud_vpc_subnet.b").After.GetAttr("availability_zone"); az.AsString() != sim.DefaultRegion+"b" {
		t.Errorf("availability_zone planned as %#v", az)
	}
	if p.Summary != (formation.PlanSummary{ResourceAdd: 2}) {
		t.Errorf("summary %+v: data sources are not counted", p.Summary)
	}
	for _, it := range p.Items() {
		if it.Mode == formation.ModeData && (it.Action != formation.ActionNoOperation || it.Attributes == nil || len(it.Attributes) != 0) {
			t.Errorf("data item %+v", it)
		}
	}
	w.apply(expand(t, zonesAndVPC), p)

	// Deployed and unchanged: the lookup is read while planning, and the
	// re-plan changes nothing.
	p = w.plan(zonesAndVPC, plan.Options{Refresh: true})
	noOps(t, p)
	if l := p.Change("data.huaweicloud_vpc.lookup"); !l.After.IsWhollyKnown() || l.After.GetAttr("id").AsString() != w.state["huaweicloud_vpc.a"].ID {
		t.Errorf("lookup read while planning: %#v", l.After)
	}

	// A change to what it depends on defers the read again.
	next := replaceAll(zonesAndVPC, `cidr = "10.0.0.0/16"`, "cidr = \"10.0.0.0/16\"\n  description = \"x\"")
	if l := w.plan(next, plan.Options{}).Change("data.huaweicloud_vpc.lookup"); l.After.IsWhollyKnown() {
		t.Errorf("lookup of a VPC being updated was read while planning")
	}
}

// TestMake_DataSources_ReadByExpand uses what Expand read, without reading
// again.
func TestMake_DataSources_ReadByExpand(t *testing.T) {
	w := testWorld(t)
	tpl, err := template.Parse(`data "huaweicloud_availability_zones" "zones" {}`, template.Options{})
	if err != nil {
		t.Fatal(err)
	}
	canned := cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("z"), "names": cty.ListVal([]cty.Value{cty.StringVal("here")})})
	cfg, err := tpl.Expand(context.Background(), template.Input{DataSource: func(context.Context, template.DataRequest) (cty.Value, error) {
		return canned, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Make(context.Background(), cfg, nil, w.reg, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c := p.Change("data.huaweicloud_availability_zones.zones"); !c.After.RawEquals(canned) {
		t.Errorf("after %#v", c.After)
	}
	if n := reads(w.sim); n != 0 {
		t.Errorf("%d provider reads, want none", n)
	}
}

// bare is a provider with no optional capability.
type bare struct{ provider.Provider }

func TestMake_DataSources_Errors(t *testing.T) {
	t.Run("no data sources", func(t *testing.T) {
		p, err := sim.New(sim.Config{})
		if err != nil {
			t.Fatal(err)
		}
		reg := &provider.Registry{}
		reg.Register("huaweicloud", bare{p})
		_, err = plan.Make(context.Background(), expand(t, `data "huaweicloud_vpc" "x" {
  name = "x"
}`), nil, reg, plan.Options{})
		if !formation.HasCode(err, formation.CodeInvalidTemplate) || !strings.Contains(err.Error(), "cannot read data sources") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("nothing matches", func(t *testing.T) {
		w := testWorld(t)
		err := w.planErr(`data "huaweicloud_vpc" "x" {
  name = "x"
}`, plan.Options{})
		if !formation.HasCode(err, formation.CodeInvalidTemplate) || !strings.Contains(err.Error(), "data.huaweicloud_vpc.x") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("recorded data sources are not deleted", func(t *testing.T) {
		w := testWorld(t)
		w.state["data.huaweicloud_vpc.old"] = &plan.Resource{Addr: "data.huaweicloud_vpc.old", Mode: formation.ModeData, Type: "huaweicloud_vpc", Name: "old",
			ProviderName: "huaweicloud", Value: cty.EmptyObjectVal}
		p := w.plan(vpcAB, plan.Options{Refresh: true})
		if c := p.Change("data.huaweicloud_vpc.old"); c != nil {
			t.Errorf("change %+v for a recorded data source", c)
		}
	})
}

// A data source that depends on a resource with changes pending, by its
// own depends_on, is read during apply, and the plan says why in
// Terraform's words; once nothing it depends on changes, the plan reads
// it.
func TestMake_DataSources_DependsOnChanges(t *testing.T) {
	w := testWorld(t)
	src := `
resource "huaweicloud_vpc" "a" {
  name = "a"
  cidr = "10.0.0.0/16"
}
data "huaweicloud_availability_zones" "zones" {
  depends_on = [huaweicloud_vpc.a]
}
`
	p := w.plan(src, plan.Options{})
	if c := p.Change("data.huaweicloud_availability_zones.zones"); c == nil || c.After.IsWhollyKnown() {
		t.Fatalf("the data source is read at plan: %+v", c)
	}
	if out := text(t, p); !strings.Contains(out, "  # data.huaweicloud_availability_zones.zones will be read during apply\n  # (depends on a resource or a module with changes pending)\n <= data \"huaweicloud_availability_zones\" \"zones\" {\n      + id = (known after apply)\n    }\n") {
		t.Errorf("plan text:\n%s", out)
	}
	w.apply(expand(t, src), p)
	if c := w.plan(src, plan.Options{}).Change("data.huaweicloud_availability_zones.zones"); c == nil || !c.After.IsWhollyKnown() {
		t.Fatalf("with nothing pending, the data source is not read at plan: %+v", c)
	}
}

// A data source read during apply is planned as Terraform plans it: with
// the provider's schema of the data source, its arguments and what the
// read computes unknown, optional arguments left out null; the plan text
// shows them as terraform plan does.
func TestMake_DataSources_DeferredWithSchema(t *testing.T) {
	doc, err := tfschema.Parse([]byte(`{"format_version":"1.0","provider_schemas":{"x":{"data_source_schemas":{
		"huaweicloud_vpcs":{"block":{"attributes":{
			"id":{"type":"string","optional":true,"computed":true},
			"name":{"type":"string","optional":true},
			"status":{"type":"string","optional":true},
			"region":{"type":"string","optional":true,"computed":true},
			"vpcs":{"type":["list",["object",{"id":"string"}]],"computed":true}}}}}}}}`), tfschema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, sim.Config{ProviderSchemas: []*tfschema.Document{doc}, UseCatalog: true})
	p := w.plan(`
resource "huaweicloud_vpc" "a" {
  name = "a"
  cidr = "10.0.0.0/16"
}
data "huaweicloud_vpcs" "all" {
  count      = 2
  name       = "n${count.index}"
  depends_on = [huaweicloud_vpc.a]
}
`, plan.Options{})
	c := p.Change("data.huaweicloud_vpcs.all[1]")
	want := cty.ObjectVal(map[string]cty.Value{
		"id": cty.UnknownVal(cty.String), "name": cty.StringVal("n1"), "status": cty.NullVal(cty.String),
		"region": cty.UnknownVal(cty.String), "vpcs": cty.UnknownVal(cty.List(cty.Object(map[string]cty.Type{"id": cty.String}))),
	})
	if c == nil || !c.After.RawEquals(want) {
		t.Fatalf("planned %#v, want %#v", c, want)
	}
	if out := text(t, p); !strings.Contains(out, `  # data.huaweicloud_vpcs.all[1] will be read during apply
  # (depends on a resource or a module with changes pending)
 <= data "huaweicloud_vpcs" "all" {
      + id     = (known after apply)
      + name   = "n1"
      + region = (known after apply)
      + vpcs   = (known after apply)
    }
`) {
		t.Errorf("plan text:\n%s", out)
	}
	// terraform show -json gives the read Terraform's action_reason and
	// the unknowns in after_unknown.
	js, err := p.TerraformJSON(plan.TerraformJSONInput{})
	if err != nil {
		t.Fatal(err)
	}
	if want := `"after":{"name":"n1","status":null},"after_unknown":{"id":true,"region":true,"vpcs":true},"before_sensitive":false,"after_sensitive":{}},"action_reason":"read_because_dependency_pending"`; !strings.Contains(string(js), want) {
		t.Errorf("terraform JSON has no %s:\n%s", want, js)
	}
}
