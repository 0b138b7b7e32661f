package plan_test

import (
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
)

// Nested blocks are written as blocks, as terraform plan writes them; an
// encoded and decoded plan keeps them.
func TestWriteText_NestedBlocks(t *testing.T) {
	network := &provider.Block{Nesting: provider.NestingList, Attributes: map[string]provider.Attribute{
		"uuid": {Type: cty.String, Required: true, ForceNew: true},
		"ip":   {Type: cty.String, Optional: true, Computed: true},
		"key":  {Type: cty.String, Optional: true, Sensitive: true},
	}}
	schema := provider.Schema{Attributes: map[string]provider.Attribute{
		"id":       {Type: cty.String, Computed: true},
		"name":     {Type: cty.String, Required: true},
		"password": {Type: cty.String, Optional: true, Sensitive: true},
		"network":  {Type: network.Type(), Optional: true, Block: network},
	}}
	net := func(uuid string, ip cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"uuid": cty.StringVal(uuid), "ip": ip, "key": cty.StringVal("k-" + uuid)})
	}
	vm := func(id cty.Value, pw string, nets ...cty.Value) cty.Value {
		return cty.ObjectVal(map[string]cty.Value{"id": id, "name": cty.StringVal("vm"), "password": cty.StringVal(pw), "network": cty.ListVal(nets)})
	}
	created := vm(cty.UnknownVal(cty.String), "s", net("a", cty.UnknownVal(cty.String)))
	prior := vm(cty.StringVal("i-1"), "s", net("a", cty.StringVal("10.0.0.5")), net("b", cty.StringVal("10.0.0.6")))
	p := &plan.Plan{Changes: []*plan.Change{
		{Addr: "acme_vm.new", Mode: formation.ModeResource, Type: "acme_vm", Name: "new", Action: formation.ActionAdd,
			Before: cty.NullVal(created.Type()), After: created, Schema: schema, Sensitive: []cty.Path{cty.GetAttrPath("password")}},
		{Addr: "acme_vm.old", Mode: formation.ModeResource, Type: "acme_vm", Name: "old", Action: formation.ActionUpdate,
			Before: prior, After: vm(cty.StringVal("i-1"), "t", net("a", cty.StringVal("10.0.0.5")), net("c", cty.UnknownVal(cty.String))),
			Schema: schema, Sensitive: []cty.Path{cty.GetAttrPath("password")}},
	}, Summary: formation.PlanSummary{ResourceAdd: 1, ResourceUpdate: 1}}
	data, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	decoded, err := plan.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []*plan.Plan{p, decoded} {
		var b strings.Builder
		if err := q.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			"      + password = (sensitive value)\n\n      + network {\n          + ip   = (known after apply)\n          + key  = (sensitive value)\n          + uuid = \"a\"\n        }\n",
			"      ~ password = (sensitive value)\n",
			"      ~ network {\n          ~ ip   = \"10.0.0.6\" -> (known after apply)\n          ~ key  = (sensitive value)\n          ~ uuid = \"b\" -> \"c\"\n        }\n        # (1 unchanged block hidden)\n",
		} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("the plan lacks\n%s\nin\n%s", want, b.String())
			}
		}
	}
}
