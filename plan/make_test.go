package plan_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/provider/tfschema"
	"github.com/formation-engine/formation/template"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

const vpcAB = `
resource "huaweicloud_vpc" "a" {
  name        = "a"
  cidr        = "10.0.0.0/16"
  description = "first"
  tags        = { env = "dev" }
}
resource "huaweicloud_vpc_subnet" "b" {
  name       = "b"
  cidr       = "10.0.1.0/24"
  gateway_ip = "10.0.1.1"
  vpc_id     = huaweicloud_vpc.a.id
}
`

// want is what a test expects of the change at an address.
type want struct {
	action  formation.Action
	reason  string // a substring of Reason
	drifted bool
}

// check compares a plan's changes (drifted ones included) with wants by
// address; the drifted change of an address is keyed "addr (drift)".
func check(t *testing.T, p *plan.Plan, wants map[string]want) {
	t.Helper()
	got := map[string]*plan.Change{}
	for _, c := range p.Changes {
		k := c.Addr
		if c.Drifted {
			k += " (drift)"
		}
		if c.Deposed != "" {
			k += " (deposed)"
		}
		got[k] = c
	}
	for k, w := range wants {
		c := got[k]
		if c == nil {
			t.Errorf("%s: no change; plan:\n%s", k, actions(p))
			continue
		}
		if c.Action != w.action || !strings.Contains(c.Reason, w.reason) || c.Drifted != w.drifted {
			t.Errorf("%s: %s %q drifted=%v, want %s %q drifted=%v", k, c.Action, c.Reason, c.Drifted, w.action, w.reason, w.drifted)
		}
	}
	if len(got) != len(wants) {
		t.Errorf("%d changes, want %d:\n%s", len(got), len(wants), actions(p))
	}
}

func TestMake_Actions(t *testing.T) {
	tests := []struct {
		name    string
		sim     sim.Config
		next    string // planned after deploying vpcAB
		wants   map[string]want
		summary formation.PlanSummary
	}{
		{
			name: "unchanged", next: vpcAB,
			wants: map[string]want{"huaweicloud_vpc.a": {action: formation.ActionNoOperation}, "huaweicloud_vpc_subnet.b": {action: formation.ActionNoOperation}},
		},
		{
			name: "add", next: vpcAB + `resource "huaweicloud_vpc" "c" {
  name = "c"
  cidr = "10.9.0.0/16"
}`,
			wants: map[string]want{
				"huaweicloud_vpc.a": {action: formation.ActionNoOperation}, "huaweicloud_vpc_subnet.b": {action: formation.ActionNoOperation},
				"huaweicloud_vpc.c": {action: formation.ActionAdd, reason: "new resource in the template"},
			},
			summary: formation.PlanSummary{ResourceAdd: 1},
		},
		{
			name: "update", next: replaceAll(vpcAB, `"first"`, `"second"`),
			wants: map[string]want{
				"huaweicloud_vpc.a":        {action: formation.ActionUpdate, reason: "attribute description changed in the template"},
				"huaweicloud_vpc_subnet.b": {action: formation.ActionNoOperation},
			},
			summary: formation.PlanSummary{ResourceUpdate: 1},
		},
		{
			name: "replace delete first", next: replaceAll(vpcAB, `"10.0.0.0/16"`, `"10.1.0.0/16"`),
			wants: map[string]want{
				"huaweicloud_vpc.a":        {action: formation.ActionDeleteThenAdd, reason: "force-new attribute cidr changed"},
				"huaweicloud_vpc_subnet.b": {action: formation.ActionDeleteThenAdd, reason: "force-new attribute vpc_id changed"},
			},
			summary: formation.PlanSummary{ResourceAdd: 2, ResourceDelete: 2},
		},
		{
			name: "replace create first (lifecycle)",
			next: replaceAll(vpcAB, `"10.0.0.0/16"`, `"10.1.0.0/16"`, `description = "first"`, "description = \"first\"\n  lifecycle {\n    create_before_destroy = true\n  }"),
			wants: map[string]want{
				"huaweicloud_vpc.a":        {action: formation.ActionAddThenDelete, reason: "force-new attribute cidr changed"},
				"huaweicloud_vpc_subnet.b": {action: formation.ActionDeleteThenAdd, reason: "vpc_id"},
			},
			summary: formation.PlanSummary{ResourceAdd: 2, ResourceDelete: 2},
		},
		{
			name: "replace create first (provider order)",
			sim:  sim.Config{ReplaceOrders: map[string]provider.ReplaceOrder{"huaweicloud_vpc_subnet": provider.CreateThenDelete}},
			next: replaceAll(vpcAB, `"10.0.1.0/24"`, `"10.0.2.0/24"`, `"10.0.1.1"`, `"10.0.2.1"`),
			wants: map[string]want{
				"huaweicloud_vpc.a":        {action: formation.ActionNoOperation},
				"huaweicloud_vpc_subnet.b": {action: formation.ActionAddThenDelete, reason: "force-new attributes cidr, gateway_ip changed"},
			},
			summary: formation.PlanSummary{ResourceAdd: 1, ResourceDelete: 1},
		},
		{
			name: "delete", next: vpcAB[:strings.Index(vpcAB, `resource "huaweicloud_vpc_subnet"`)],
			wants: map[string]want{
				"huaweicloud_vpc.a":        {action: formation.ActionNoOperation},
				"huaweicloud_vpc_subnet.b": {action: formation.ActionDelete, reason: "removed from the template"},
			},
			summary: formation.PlanSummary{ResourceDelete: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, testConfig(tt.sim))
			w.deploy(vpcAB)
			p := w.plan(tt.next, plan.Options{})
			check(t, p, tt.wants)
			if p.Summary != tt.summary {
				t.Errorf("summary %+v, want %+v", p.Summary, tt.summary)
			}
			if p.HasChanges() != (tt.summary != formation.PlanSummary{}) {
				t.Errorf("HasChanges = %v", p.HasChanges())
			}
			// Applying the plan reaches the template: a re-plan changes nothing.
			w.apply(expand(t, tt.next), p)
			noOps(t, w.plan(tt.next, plan.Options{Refresh: true}))
		})
	}
}

// TestMake_ChangeFields checks what a change carries besides its action.
func TestMake_ChangeFields(t *testing.T) {
	w := testWorld(t)
	w.deploy(vpcAB)
	a := w.state["huaweicloud_vpc.a"]
	p := w.plan(replaceAll(vpcAB, `"10.0.0.0/16"`, `"10.1.0.0/16"`), plan.Options{})
	c := p.Change("huaweicloud_vpc_subnet.b")
	if c == nil {
		t.Fatal("no change for the subnet")
	}
	if c.ResourceID == "" || c.ResourceID != w.state[c.Addr].ID {
		t.Errorf("ResourceID %q, want the recorded id", c.ResourceID)
	}
	if !slices.Equal(c.Dependencies, []string{"huaweicloud_vpc.a"}) {
		t.Errorf("Dependencies %q", c.Dependencies)
	}
	if len(c.RequiresReplace) != 1 || !c.RequiresReplace[0].Equals(cty.GetAttrPath("vpc_id")) {
		t.Errorf("RequiresReplace %#v", c.RequiresReplace)
	}
	if v := c.After.GetAttr("vpc_id"); v.IsKnown() {
		t.Errorf("vpc_id planned as %#v, want unknown: the VPC is replaced", v)
	}
	if v := c.After.GetAttr("id"); v.IsKnown() {
		t.Errorf("a replacement's id is planned as %#v, want unknown", v)
	}
	if !c.Before.RawEquals(w.state[c.Addr].Value) {
		t.Error("Before is not the recorded value")
	}
	if c.Schema.IDKey() != "id" || c.Inferred {
		t.Errorf("schema %+v inferred=%v", c.Schema, c.Inferred)
	}
	va := p.Change("huaweicloud_vpc.a")
	if va.Type != "huaweicloud_vpc" || va.Name != "a" || va.Key != "" || va.ProviderName != "huaweicloud" || va.Mode != formation.ModeResource {
		t.Errorf("labels %+v", va)
	}
	if va.ResourceID != a.ID {
		t.Errorf("ResourceID %q, want %q", va.ResourceID, a.ID)
	}

	// A removed resource's DELETE depends on what it depended on when
	// applied, so that it is deleted first.
	p = w.plan(vpcAB[:strings.Index(vpcAB, `resource "huaweicloud_vpc_subnet"`)], plan.Options{})
	if d := p.Change("huaweicloud_vpc_subnet.b"); !slices.Equal(d.Dependencies, []string{"huaweicloud_vpc.a"}) || !d.After.IsNull() {
		t.Errorf("DELETE dependencies %q after %#v", d.Dependencies, d.After)
	}
}

// TestMake_SchemaLess plans types the provider declares no schema for:
// every attribute is kept, id is computed, nothing forces a replacement.
func TestMake_SchemaLess(t *testing.T) {
	w := newWorld(t, sim.Config{})
	src := `
resource "huaweicloud_thing" "a" {
  name  = "a"
  sizes = [1, 2]
  block {
    key = "k"
  }
}
`
	p := w.deploy(src)
	c := p.Change("huaweicloud_thing.a")
	if !c.Inferred || c.After.GetAttr("id").IsKnown() || c.After.GetAttr("name").AsString() != "a" {
		t.Fatalf("create: inferred=%v after=%#v", c.Inferred, c.After)
	}
	noOps(t, w.plan(src, plan.Options{Refresh: true}))
	next := replaceAll(src, `sizes = [1, 2]`, `sizes = [1, 2, 3]`, `key = "k"`, `key = "l"`)
	p = w.plan(next, plan.Options{})
	check(t, p, map[string]want{"huaweicloud_thing.a": {action: formation.ActionUpdate, reason: "attributes block, sizes changed in the template"}})
	// Removing an attribute updates the resource too.
	p = w.plan(replaceAll(src, "  name  = \"a\"\n", ""), plan.Options{})
	check(t, p, map[string]want{"huaweicloud_thing.a": {action: formation.ActionUpdate, reason: "attribute name changed"}})
}

func TestMake_Errors(t *testing.T) {
	t.Run("unregistered provider", func(t *testing.T) {
		w := testWorld(t)
		err := w.planErr(`
resource "aws_vpc" "a" {
  count = 3
}
`, plan.Options{})
		var fe *formation.Error
		if !errors.As(err, &fe) || fe.Code != formation.CodeInvalidTemplate || !errors.Is(err, formation.ErrInvalidArgument) {
			t.Fatalf("error %v, want a CodeInvalidTemplate *formation.Error", err)
		}
		if !strings.Contains(err.Error(), `provider "aws" is not registered`) || strings.Count(err.Error(), "not registered") != 1 {
			t.Errorf("error %q, want the provider named once", err)
		}
	})
	t.Run("unregistered provider of a recorded resource", func(t *testing.T) {
		w := testWorld(t)
		w.state["aws_vpc.gone"] = &plan.Resource{Addr: "aws_vpc.gone", Mode: formation.ModeResource, Type: "aws_vpc", Name: "gone",
			ProviderName: "aws", ID: "x", Value: cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("x")})}
		err := w.planErr(vpcAB, plan.Options{})
		if !strings.Contains(err.Error(), `aws_vpc.gone: provider "aws" is not registered`) {
			t.Errorf("error %q", err)
		}
	})
	t.Run("missing required attribute", func(t *testing.T) {
		w := testWorld(t)
		err := w.planErr(`
resource "huaweicloud_vpc" "a" {
  name = "a"
}
`, plan.Options{})
		var fe *formation.Error
		var pe cty.PathError
		if !errors.As(err, &fe) || fe.Code != formation.CodeInvalidTemplate || fe.Resource != "huaweicloud_vpc.a" {
			t.Fatalf("error %v", err)
		}
		if !errors.As(err, &pe) || !pe.Path.Equals(cty.GetAttrPath("cidr")) || !strings.Contains(err.Error(), `"cidr" is required`) {
			t.Errorf("error %v does not name the attribute path", err)
		}
		if !errors.Is(err, provider.ErrInvalidConfig) {
			t.Error("the provider's sentinel is lost")
		}
	})
	t.Run("schema that does not load", func(t *testing.T) {
		doc, err := tfschema.Parse([]byte(`{"format_version":"1.0","provider_schemas":{"x":{"resource_schemas":{
			"huaweicloud_bad":{"block":{"attributes":{"name":{"type":["mapp","string"],"required":true}}}}}}}}`), tfschema.Options{})
		if err != nil {
			t.Fatal(err)
		}
		w := newWorld(t, sim.Config{ProviderSchemas: []*tfschema.Document{doc}})
		err = w.planErr(`
resource "huaweicloud_bad" "a" {
  name = "a"
}
`, plan.Options{})
		var fe *formation.Error
		if !errors.As(err, &fe) || fe.Code != formation.CodeInvalidTemplate || fe.Resource != "huaweicloud_bad.a" ||
			!errors.Is(err, provider.ErrInvalidConfig) || !strings.Contains(err.Error(), "the schema of resource huaweicloud_bad") {
			t.Fatalf("error %v, want the resource refused for its schema", err)
		}
	})
	t.Run("block counts", func(t *testing.T) {
		doc, err := tfschema.Parse([]byte(`{"format_version":"1.0","provider_schemas":{"x":{"resource_schemas":{
			"huaweicloud_vm":{"block":{"attributes":{"name":{"type":"string","required":true}},
			"block_types":{"network":{"nesting_mode":"list","min_items":1,"max_items":1,"block":{"attributes":{"uuid":{"type":"string","optional":true}}}}}}}}}}}`), tfschema.Options{})
		if err != nil {
			t.Fatal(err)
		}
		w := newWorld(t, sim.Config{ProviderSchemas: []*tfschema.Document{doc}})
		// In hcldec's words, as Terraform reports them.
		for blocks, want := range map[string]string{"": "Insufficient network blocks", "network {}\n  network {}": "Too many network blocks"} {
			err := w.planErr("resource \"huaweicloud_vm\" \"a\" {\n  name = \"a\"\n  "+blocks+"\n}\n", plan.Options{})
			var diags hcl.Diagnostics
			if !errors.As(err, &diags) || len(diags) != 1 || diags[0].Summary != want {
				t.Errorf("blocks %q: error %v, want one diagnostic %q", blocks, err, want)
			}
		}
	})
	t.Run("wrong type", func(t *testing.T) {
		w := testWorld(t)
		err := w.planErr(`
resource "huaweicloud_vpc" "a" {
  name = "a"
  cidr = ["10.0.0.0/16"]
}
`, plan.Options{})
		if !formation.HasCode(err, formation.CodeInvalidTemplate) || !strings.Contains(err.Error(), "huaweicloud_vpc.a") || !strings.Contains(err.Error(), `"cidr"`) {
			t.Errorf("error %v", err)
		}
	})
	t.Run("evaluation diagnostics", func(t *testing.T) {
		w := testWorld(t)
		w.deploy(vpcAB)
		err := w.planErr(vpcAB+`
resource "huaweicloud_vpc" "c" {
  name = huaweicloud_vpc.a.no_such_attribute
  cidr = "10.2.0.0/16"
}
`, plan.Options{})
		var diags hcl.Diagnostics
		if !formation.HasCode(err, formation.CodeInvalidTemplate) || !errors.As(err, &diags) || !diags.HasErrors() {
			t.Fatalf("error %v, want CodeInvalidTemplate with hcl.Diagnostics", err)
		}
		if d := diags[0]; d.Subject == nil || !strings.Contains(d.Summary, "Unsupported attribute") {
			t.Errorf("diagnostic %+v", d)
		}
	})
	t.Run("several problems", func(t *testing.T) {
		w := testWorld(t)
		err := w.planErr(`
resource "huaweicloud_vpc" "a" {
  name = "a"
}
resource "huaweicloud_vpc" "b" {
  cidr = "10.0.0.0/16"
}
`, plan.Options{})
		if !strings.Contains(err.Error(), "2 problems") || !strings.Contains(err.Error(), "huaweicloud_vpc.a") || !strings.Contains(err.Error(), "huaweicloud_vpc.b") {
			t.Errorf("error %v, want both reported", err)
		}
	})
	t.Run("no template", func(t *testing.T) {
		w := testWorld(t)
		_, err := plan.Make(context.Background(), nil, w.state, w.reg, plan.Options{})
		if !formation.HasCode(err, formation.CodeInvalidParameter) {
			t.Errorf("error %v", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		w := testWorld(t)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := plan.Make(ctx, expand(t, vpcAB), w.state, w.reg, plan.Options{Refresh: true})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v", err)
		}
	})
	t.Run("refresh read fails", func(t *testing.T) {
		w := newWorld(t, testConfig(sim.Config{Faults: []sim.Fault{{Match: sim.Match{Op: sim.OpRead}, Message: "throttled"}}}))
		w.deploy(vpcAB)
		err := w.planErr(vpcAB, plan.Options{Refresh: true})
		if !formation.HasCode(err, formation.CodeInternal) || !strings.Contains(err.Error(), "throttled") {
			t.Errorf("error %v", err)
		}
	})
}

// aliased serves provider configurations by address, as an engine that
// configures aliases would.
type aliased map[string]provider.Provider

func (a aliased) Provider(name string) (provider.Provider, bool) { p, ok := a[name]; return p, ok }

// TestMake_ProviderAlias looks the configuration address up first.
func TestMake_ProviderAlias(t *testing.T) {
	west, err := sim.New(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	east, err := sim.New(testConfig(sim.Config{}))
	if err != nil {
		t.Fatal(err)
	}
	cfg := expand(t, `
provider "huaweicloud" {
  alias = "west"
}
resource "huaweicloud_vpc" "w" {
  provider = huaweicloud.west
  name     = "w"
}
resource "huaweicloud_vpc" "e" {
  name = "e"
  cidr = "10.0.0.0/16"
}
`)
	p, err := plan.Make(context.Background(), cfg, nil, aliased{"huaweicloud.west": west, "huaweicloud": east}, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if w := p.Change("huaweicloud_vpc.w"); !w.Inferred || w.ProviderAlias != "west" {
		t.Errorf("the aliased instance was planned with the declared schema: inferred=%v alias=%q", w.Inferred, w.ProviderAlias)
	}
	if e := p.Change("huaweicloud_vpc.e"); e.Inferred {
		t.Error("the default instance was planned schema-less")
	}
}

// TestMake_Order checks the order of changes and Plan.Change.
func TestMake_Order(t *testing.T) {
	w := newWorld(t, sim.Config{})
	src := `
resource "huaweicloud_thing" "n" {
  count = 11
  name  = "n${count.index}"
}
data "huaweicloud_thing" "d" {
  name = huaweicloud_thing.n[0].name
}
`
	p := w.plan(src, plan.Options{})
	var addrs []string
	for _, c := range p.Changes {
		addrs = append(addrs, c.Addr)
	}
	if !slices.IsSortedFunc(addrs, template.CompareAddrs) || addrs[2] != "huaweicloud_thing.n[2]" || addrs[len(addrs)-1] != "data.huaweicloud_thing.d" {
		t.Errorf("order %q", addrs)
	}
	if c := p.Change("huaweicloud_thing.n[10]"); c == nil || c.Key != "10" {
		t.Errorf("Change(n[10]) = %+v", c)
	}
	if p.Change("huaweicloud_thing.n[11]") != nil {
		t.Error("Change of a missing address")
	}
}
