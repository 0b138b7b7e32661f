package plan_test

import (
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/provider/sim"
)

// The template examples of the RFS API text (seeds): count = 2 and
// for_each over vpc1/vpc2, in HCL and in JSON (the seed's JSON for_each
// example misses a comma; this is the valid form).
var (
	seedCountHCL = `
resource "huaweicloud_vpc" "my_hello_world_vpc" {
  count = 2
  name = "test_vpc"
}
`
	seedCountJSON = `{
  "resource": {
    "huaweicloud_vpc": {
      "my_hello_world_vpc": {
        "name": "test_vpc",
        "count": 2
      }
    }
  }
}`
	seedForEachHCL = `
resource "huaweicloud_vpc" "my_hello_world_vpc" {
  for_each = {
    "vpc1" = "test_vpc"
    "vpc2" = "test_vpc"
  }
  name = each.value
}
`
	seedForEachJSON = `{
  "resource": {
    "huaweicloud_vpc": {
      "my_hello_world_vpc": {
        "for_each": {
          "vpc1": "test_vpc",
          "vpc2": "test_vpc"
        },
        "name": "${each.value}"
      }
    }
  }
}`
)

// indexes lists the items' index and action, "0 ADD", in plan order.
func indexes(p *plan.Plan) []string {
	var out []string
	for _, it := range p.Items() {
		if it.ResourceType != "huaweicloud_vpc" || it.ResourceName != "my_hello_world_vpc" || it.ProviderName != "huaweicloud" || it.Mode != formation.ModeResource {
			out = append(out, "unexpected item")
			continue
		}
		out = append(out, it.Index+" "+string(it.Action))
	}
	return out
}

func TestMake_Seeds(t *testing.T) {
	tests := []struct {
		name, src string
		prior     string   // deployed first, "" for an empty stack
		want      []string // index and action of each item
	}{
		{name: "count HCL, empty stack", src: seedCountHCL, want: []string{"0 ADD", "1 ADD"}},
		{name: "count JSON, empty stack", src: seedCountJSON, want: []string{"0 ADD", "1 ADD"}},
		{name: "count, deployed", src: seedCountJSON, prior: seedCountHCL, want: []string{"0 NO_OPERATION", "1 NO_OPERATION"}},
		{name: "count, shrunk", src: seedCountHCL, prior: strings.Replace(seedCountHCL, "count = 2", "count = 3", 1),
			want: []string{"0 NO_OPERATION", "1 NO_OPERATION", "2 DELETE"}},
		{name: "count, renamed", src: seedCountHCL, prior: strings.Replace(seedCountHCL, `"test_vpc"`, `"old_vpc"`, 1),
			want: []string{"0 UPDATE", "1 UPDATE"}},
		{name: "for_each HCL, empty stack", src: seedForEachHCL, want: []string{"vpc1 ADD", "vpc2 ADD"}},
		{name: "for_each JSON, empty stack", src: seedForEachJSON, want: []string{"vpc1 ADD", "vpc2 ADD"}},
		{name: "for_each, deployed", src: seedForEachHCL, prior: seedForEachJSON, want: []string{"vpc1 NO_OPERATION", "vpc2 NO_OPERATION"}},
		{name: "for_each, keys changed", src: seedForEachJSON, prior: strings.Replace(seedForEachHCL, `"vpc2"`, `"vpc3"`, 1),
			want: []string{"vpc1 NO_OPERATION", "vpc2 ADD", "vpc3 DELETE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The seeds set no cidr, which the test huaweicloud_vpc
			// requires: plan them schema-less.
			w := newWorld(t, sim.Config{})
			if tt.prior != "" {
				w.deploy(tt.prior)
			}
			p := w.plan(tt.src, plan.Options{Refresh: true})
			if got := indexes(p); strings.Join(got, ", ") != strings.Join(tt.want, ", ") {
				t.Errorf("items %q, want %q", got, tt.want)
			}
			w.apply(expand(t, tt.src), p)
			noOps(t, w.plan(tt.src, plan.Options{Refresh: true}))
		})
	}
}

// TestMake_Seeds_Catalog plans a seed against the test VPC schema, which
// requires a cidr the seed leaves out.
func TestMake_Seeds_Catalog(t *testing.T) {
	w := testWorld(t)
	err := w.planErr(seedCountHCL, plan.Options{})
	if !formation.HasCode(err, formation.CodeInvalidTemplate) || !strings.Contains(err.Error(), `huaweicloud_vpc.my_hello_world_vpc[0]`) ||
		!strings.Contains(err.Error(), `"cidr" is required`) {
		t.Errorf("error %v", err)
	}
}
