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
	if str(subnet, "availability_zone") != sim.DefaultRegion+"a" || !subnet.GetAttr("dhcp_enable").True() || str(subnet, "dhcp_lease_time") != "24h" {
		t.Fatalf("subnet %#v", subnet)
	}
	vpc := create("huaweicloud_vpc", map[string]cty.Value{"name": cty.StringVal("v"), "cidr": cty.StringVal("10.0.0.0/16")})
	if str(vpc, "status") != "OK" || vpc.GetAttr("routes").LengthInt() != 0 || str(vpc, "enterprise_project_id") != "0" {
		t.Fatalf("vpc %#v", vpc)
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
		// The provider updates a VPC's cidr in place.
		{"huaweicloud_vpc", map[string]cty.Value{"name": cty.StringVal("v"), "cidr": cty.StringVal("10.0.0.0/16")}, "cidr", cty.StringVal("10.1.0.0/16"), false},
		{"huaweicloud_vpc", map[string]cty.Value{"name": cty.StringVal("v"), "cidr": cty.StringVal("10.0.0.0/16")}, "region", cty.StringVal("cn-east-3"), true},
		{"huaweicloud_vpc", map[string]cty.Value{"name": cty.StringVal("v"), "cidr": cty.StringVal("10.0.0.0/16")}, "name", cty.StringVal("w"), false},
		{"huaweicloud_vpc_subnet", map[string]cty.Value{"name": cty.StringVal("s"), "cidr": cty.StringVal("10.0.1.0/24"), "gateway_ip": cty.StringVal("10.0.1.1"), "vpc_id": cty.StringVal("v1")}, "vpc_id", cty.StringVal("v2"), true},
		{"huaweicloud_vpc_subnet", map[string]cty.Value{"name": cty.StringVal("s"), "cidr": cty.StringVal("10.0.1.0/24"), "gateway_ip": cty.StringVal("10.0.1.1"), "vpc_id": cty.StringVal("v1")}, "description", cty.StringVal("d"), false},
		{"huaweicloud_networking_secgroup_rule", map[string]cty.Value{"security_group_id": cty.StringVal("g"), "direction": cty.StringVal("ingress"), "ethertype": cty.StringVal("IPv4")}, "description", cty.StringVal("ssh"), true},
		{"huaweicloud_networking_secgroup", map[string]cty.Value{"name": cty.StringVal("g")}, "description", cty.StringVal("web"), false},
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

// The catalog's types carry the provider's rules between arguments: a
// rule's ports need its protocol, and conflict with a port range.
func TestCatalog_Constraints(t *testing.T) {
	p := newSim(t, sim.Config{UseCatalog: true})
	s, ok := p.Schema("huaweicloud_networking_secgroup_rule")
	if !ok {
		t.Fatal("no huaweicloud_networking_secgroup_rule")
	}
	rule := func(extra map[string]cty.Value) error {
		config := map[string]cty.Value{"security_group_id": cty.StringVal("g"), "direction": cty.StringVal("ingress"), "ethertype": cty.StringVal("IPv4")}
		for k, v := range extra {
			config[k] = v
		}
		coerced, err := s.Coerce(cty.ObjectVal(config))
		if err != nil {
			t.Fatal(err)
		}
		return s.CheckConstraints(coerced)
	}
	if err := rule(map[string]cty.Value{"protocol": cty.StringVal("tcp"), "ports": cty.StringVal("443")}); err != nil {
		t.Fatalf("a valid rule: %v", err)
	}
	err := rule(map[string]cty.Value{"ports": cty.StringVal("443")})
	if !errors.Is(err, provider.ErrInvalidConfig) || !strings.Contains(err.Error(), "\"ports\": all of `ports,protocol` must be specified") {
		t.Fatalf("ports without protocol: %v", err)
	}
	err = rule(map[string]cty.Value{"protocol": cty.StringVal("tcp"), "ports": cty.StringVal("443"), "port_range_min": cty.NumberIntVal(1)})
	if !errors.Is(err, provider.ErrInvalidConfig) || !strings.Contains(err.Error(), `"ports": conflicts with port_range_min`) {
		t.Fatalf("ports and a port range: %v", err)
	}
}
