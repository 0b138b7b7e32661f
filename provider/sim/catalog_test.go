package sim_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/zclconf/go-cty/cty"
)

// sample is a value of ty with every required part set, as a minimal
// configuration would have.
func sample(ty cty.Type) cty.Value {
	switch {
	case ty == cty.String:
		return cty.StringVal("x")
	case ty == cty.Number:
		return cty.NumberIntVal(1)
	case ty == cty.Bool:
		return cty.True
	case ty.IsListType():
		return cty.ListVal([]cty.Value{sample(ty.ElementType())})
	case ty.IsSetType():
		return cty.SetVal([]cty.Value{sample(ty.ElementType())})
	case ty.IsMapType():
		return cty.MapVal(map[string]cty.Value{"k": sample(ty.ElementType())})
	case ty.IsObjectType():
		attrs := map[string]cty.Value{}
		for name, at := range ty.AttributeTypes() {
			if !ty.AttributeOptional(name) {
				attrs[name] = sample(at)
			}
		}
		return cty.ObjectVal(attrs)
	}
	panic("no sample for " + ty.FriendlyName())
}

// minimalConfig sets every required attribute of s.
func minimalConfig(s provider.Schema) cty.Value {
	attrs := map[string]cty.Value{}
	for name, a := range s.Attributes {
		if a.Required {
			attrs[name] = sample(a.Type)
		}
	}
	return cty.ObjectVal(attrs)
}

func TestCatalog_EveryTypeCreates(t *testing.T) {
	p := newSim(t, sim.Config{UseCatalog: true})
	for typ, s := range sim.Catalog() {
		t.Run(typ, func(t *testing.T) {
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			if got, ok := p.Schema(typ); !ok || len(got.Attributes) != len(s.Attributes) {
				t.Fatal("the provider does not declare the catalog type")
			}
			planned, err := s.PlannedValue(minimalConfig(s))
			if err != nil {
				t.Fatal(err)
			}
			if planned.GetAttr("id").IsKnown() {
				t.Fatal("id is known before create")
			}
			resp := mustCreate(t, p, provider.CreateRequest{TypeName: typ, Address: typ + ".x", Config: planned, Token: typ})
			if !resp.State.IsWhollyKnown() || !resp.State.Type().Equals(s.ImpliedType()) {
				t.Fatalf("state %#v", resp.State)
			}
			if resp.State.Type().HasAttribute("region") && str(resp.State, "region") != sim.DefaultRegion || str(resp.State, "id") != resp.ID {
				t.Fatalf("region or id wrong: %#v", resp.State)
			}
		})
	}
}

func TestCatalog_ComputedValuesAreRealistic(t *testing.T) {
	p := newSim(t, sim.Config{UseCatalog: true, Seed: 2})
	create := func(typ string, config map[string]cty.Value) cty.Value {
		s, _ := p.Schema(typ)
		planned, err := s.PlannedValue(cty.ObjectVal(config))
		if err != nil {
			t.Fatal(err)
		}
		return mustCreate(t, p, provider.CreateRequest{TypeName: typ, Address: typ + ".x", Config: planned, Token: typ}).State
	}
	subnet := create("huaweicloud_vpc_subnet", map[string]cty.Value{
		"name": cty.StringVal("s"), "cidr": cty.StringVal("10.0.1.0/24"), "gateway_ip": cty.StringVal("10.0.1.1"), "vpc_id": cty.StringVal("v"),
	})
	if str(subnet, "primary_dns") != "100.125.1.250" || !subnet.GetAttr("dhcp_enable").True() || !uuidRE.MatchString(str(subnet, "ipv4_subnet_id")) {
		t.Fatalf("subnet %#v", subnet)
	}
	if str(subnet, "availability_zone") != sim.DefaultRegion+"a" || str(subnet, "status") != "ACTIVE" {
		t.Fatalf("subnet %#v", subnet)
	}
	eip := create("huaweicloud_vpc_eip", map[string]cty.Value{
		"publicip":  cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"type": cty.StringVal("5_bgp")})}),
		"bandwidth": cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"share_type": cty.StringVal("PER"), "size": cty.NumberIntVal(5)})}),
	})
	if addr := str(eip, "address"); len(addr) < 10 || addr[:7] != "100.95." {
		t.Fatalf("eip address %q", addr)
	}
	if str(eip, "status") != "UNBOUND" {
		t.Fatalf("eip %#v", eip)
	}
}

func TestCatalog_ForceNew(t *testing.T) {
	ctx := context.Background()
	p := newSim(t, sim.Config{UseCatalog: true})
	tests := []struct {
		typ     string
		config  map[string]cty.Value
		change  string
		value   cty.Value
		replace bool
	}{
		{"huaweicloud_vpc", map[string]cty.Value{"name": cty.StringVal("v"), "cidr": cty.StringVal("10.0.0.0/16")}, "cidr", cty.StringVal("10.1.0.0/16"), true},
		{"huaweicloud_vpc", map[string]cty.Value{"name": cty.StringVal("v"), "cidr": cty.StringVal("10.0.0.0/16")}, "name", cty.StringVal("w"), false},
		{"huaweicloud_vpc_subnet", map[string]cty.Value{"name": cty.StringVal("s"), "cidr": cty.StringVal("10.0.1.0/24"), "gateway_ip": cty.StringVal("10.0.1.1"), "vpc_id": cty.StringVal("v1")}, "vpc_id", cty.StringVal("v2"), true},
		{"huaweicloud_vpc_subnet", map[string]cty.Value{"name": cty.StringVal("s"), "cidr": cty.StringVal("10.0.1.0/24"), "gateway_ip": cty.StringVal("10.0.1.1"), "vpc_id": cty.StringVal("v1")}, "description", cty.StringVal("d"), false},
		{"huaweicloud_evs_volume", map[string]cty.Value{"name": cty.StringVal("d"), "size": cty.NumberIntVal(10), "volume_type": cty.StringVal("SSD"), "availability_zone": cty.StringVal("z")}, "size", cty.NumberIntVal(20), false},
		{"huaweicloud_networking_secgroup_rule", map[string]cty.Value{"security_group_id": cty.StringVal("g"), "direction": cty.StringVal("ingress"), "ethertype": cty.StringVal("IPv4")}, "ports", cty.StringVal("22"), true},
	}
	for i, tt := range tests {
		t.Run(tt.typ+"."+tt.change, func(t *testing.T) {
			s, _ := p.Schema(tt.typ)
			planned, err := s.PlannedValue(cty.ObjectVal(tt.config))
			if err != nil {
				t.Fatal(err)
			}
			created := mustCreate(t, p, provider.CreateRequest{TypeName: tt.typ, Address: tt.typ + ".x", Config: planned, Token: "fn" + itoa(i)})
			tt.config[tt.change] = tt.value
			next, err := s.PlannedUpdate(created.State, cty.ObjectVal(tt.config))
			if err != nil {
				t.Fatal(err)
			}
			paths := s.RequiresReplace(created.State, next)
			if (len(paths) > 0) != tt.replace {
				t.Fatalf("RequiresReplace = %#v, want replace %v", paths, tt.replace)
			}
			_, err = p.Update(ctx, provider.UpdateRequest{TypeName: tt.typ, ID: created.ID, Prior: created.State, Planned: next})
			if tt.replace != errors.Is(err, provider.ErrInvalidConfig) {
				t.Fatalf("Update: %v (replace %v)", err, tt.replace)
			}
		})
	}
}

func TestCatalogLatency_CoversCatalog(t *testing.T) {
	rules := sim.CatalogLatency()
	covered := map[string]bool{}
	for _, r := range rules {
		covered[r.Type] = true
	}
	for typ := range sim.Catalog() {
		if !covered[typ] && strings.HasPrefix(typ, "huaweicloud_") {
			t.Errorf("no latency rule for %s", typ)
		}
	}
	if _, err := sim.New(sim.Config{Latency: rules}); err != nil {
		t.Fatal(err)
	}
}
