package sim

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
)

// Catalog returns schemas for the Huawei Cloud resource types the
// quickstart and the examples use, so that they run without a schema file:
// huaweicloud_vpc, huaweicloud_vpc_subnet, huaweicloud_networking_secgroup
// and huaweicloud_networking_secgroup_rule, each as the huaweicloud provider
// declares it (every argument, its type, which arguments are required,
// computed or force a replacement, and literal defaults; a test holds them
// to the provider's real schema). Other huaweicloud types need the
// provider's schema (Config.ProviderSchemas); without it they are
// schema-less. The catalog also has the hashicorp/random provider's
// types, which templates use beside huaweicloud's (random.go). It returns
// a new map on every call. Config.UseCatalog declares these types.
func Catalog() map[string]provider.Schema {
	out := make(map[string]provider.Schema, len(catalog)+8)
	for typ, s := range catalog {
		out[typ] = provider.Schema{Attributes: maps.Clone(s.Attributes), Constraints: slices.Clone(s.Constraints)}
	}
	for typ, attrs := range randomCatalog() {
		out[typ] = provider.Schema{Attributes: attrs}
	}
	return out
}

// CatalogLatency returns latency rules with typical durations for the
// catalog's huaweicloud types (a VPC in about 5 s, a subnet in about 6 s),
// for simulations that should take as long as a real deployment; pair them
// with a scaled clock to run them fast.
func CatalogLatency() []LatencyRule {
	typical := []struct {
		typ              string
		duration, jitter time.Duration
	}{
		{"huaweicloud_vpc", 4 * time.Second, 2 * time.Second},
		{"huaweicloud_vpc_subnet", 5 * time.Second, 3 * time.Second},
		{"huaweicloud_networking_secgroup", 2 * time.Second, time.Second},
		{"huaweicloud_networking_secgroup_rule", time.Second, time.Second},
	}
	rules := []LatencyRule{
		{Match: Match{Op: OpRead}, Duration: 200 * time.Millisecond, Jitter: 300 * time.Millisecond},
		{Match: Match{Op: OpReadData}, Duration: 200 * time.Millisecond, Jitter: 300 * time.Millisecond},
	}
	for _, t := range typical {
		rules = append(rules, LatencyRule{Match: Match{Type: t.typ}, Duration: t.duration, Jitter: t.jitter})
	}
	return rules
}

// CatalogFixtures returns data-source fixtures for lookups templates commonly
// make: huaweicloud_availability_zones (the three zones of DefaultRegion).
func CatalogFixtures() []Fixture {
	return []Fixture{{
		Type: "huaweicloud_availability_zones",
		Attributes: map[string]cty.Value{
			"id":     cty.StringVal(DefaultRegion),
			"region": cty.StringVal(DefaultRegion),
			"state":  cty.StringVal("available"),
			"names": cty.ListVal([]cty.Value{
				cty.StringVal(DefaultRegion + "a"), cty.StringVal(DefaultRegion + "b"), cty.StringVal(DefaultRegion + "c"),
			}),
		},
	}}
}

// catalog holds the catalog's huaweicloud types, as the provider declares
// them: SDKv2 gives every type an optional and computed "id", and a
// timeouts block for the operations that have a timeout.
var catalog = map[string]provider.Schema{
	"huaweicloud_vpc": {Attributes: map[string]provider.Attribute{
		"id":                            a(cty.String, "OC"),
		"region":                        a(cty.String, "OCF"),
		"name":                          a(cty.String, "R"),
		"cidr":                          a(cty.String, "R"),
		"description":                   a(cty.String, "O"),
		"enterprise_project_id":         a(cty.String, "OC"),
		"enhanced_local_route":          a(cty.String, "OC"),
		"block_service_endpoint_states": a(cty.String, "O"),
		"secondary_cidr":                a(cty.String, "O"),
		"secondary_cidrs":               a(cty.Set(cty.String), "OC"),
		"tags":                          a(cty.Map(cty.String), "OC"),
		"status":                        a(cty.String, "C"),
		"routes":                        a(cty.List(cty.Object(map[string]cty.Type{"destination": cty.String, "nexthop": cty.String})), "C"),
		"timeouts":                      timeouts("create", "delete"),
	}, Constraints: []provider.Constraint{
		{Kind: provider.ConflictsWith, Attribute: "secondary_cidrs", With: []string{"secondary_cidr"}},
	}},
	"huaweicloud_vpc_subnet": {Attributes: map[string]provider.Attribute{
		"id":                   a(cty.String, "OC"),
		"region":               a(cty.String, "OCF"),
		"name":                 a(cty.String, "R"),
		"cidr":                 a(cty.String, "RF"),
		"gateway_ip":           a(cty.String, "RF"),
		"vpc_id":               a(cty.String, "RF"),
		"availability_zone":    a(cty.String, "OCF"),
		"description":          a(cty.String, "O"),
		"dhcp_enable":          withDefault(a(cty.Bool, "O"), cty.True),
		"dhcp_domain_name":     a(cty.String, "O"),
		"dhcp_lease_time":      a(cty.String, "OC"),
		"dhcp_ipv6_lease_time": a(cty.String, "OC"),
		"ipv6_enable":          a(cty.Bool, "O"),
		"ntp_server_address":   a(cty.String, "O"),
		"primary_dns":          a(cty.String, "OC"),
		"secondary_dns":        a(cty.String, "OC"),
		"dns_list":             a(cty.List(cty.String), "OC"),
		"tags":                 a(cty.Map(cty.String), "OC"),
		"subnet_id":            a(cty.String, "C"),
		"ipv4_subnet_id":       a(cty.String, "C"),
		"ipv6_subnet_id":       a(cty.String, "C"),
		"ipv6_cidr":            a(cty.String, "C"),
		"ipv6_gateway":         a(cty.String, "C"),
		"timeouts":             timeouts("create", "delete"),
	}, Constraints: []provider.Constraint{
		{Kind: provider.RequiredWith, Attribute: "secondary_dns", With: []string{"primary_dns"}},
	}},
	"huaweicloud_networking_secgroup": {Attributes: map[string]provider.Attribute{
		"id":                    a(cty.String, "OC"),
		"region":                a(cty.String, "OCF"),
		"name":                  a(cty.String, "R"),
		"description":           a(cty.String, "O"),
		"enterprise_project_id": a(cty.String, "OCF"),
		"delete_default_rules":  a(cty.Bool, "OF"),
		"tags":                  a(cty.Map(cty.String), "OC"),
		"created_at":            a(cty.String, "C"),
		"updated_at":            a(cty.String, "C"),
		"rules": a(cty.List(cty.Object(map[string]cty.Type{
			"id": cty.String, "action": cty.String, "description": cty.String, "direction": cty.String, "ethertype": cty.String,
			"port_range_max": cty.Number, "port_range_min": cty.Number, "ports": cty.String, "priority": cty.Number, "protocol": cty.String,
			"remote_address_group_id": cty.String, "remote_group_id": cty.String, "remote_ip_prefix": cty.String,
		})), "C"),
		"timeouts": timeouts("delete"),
	}},
	// The provider has no update for a rule: every argument forces a
	// replacement.
	"huaweicloud_networking_secgroup_rule": {Attributes: map[string]provider.Attribute{
		"id":                      a(cty.String, "OC"),
		"region":                  a(cty.String, "OCF"),
		"security_group_id":       a(cty.String, "RF"),
		"direction":               a(cty.String, "RF"),
		"ethertype":               a(cty.String, "RF"),
		"description":             a(cty.String, "OF"),
		"protocol":                a(cty.String, "OCF"),
		"ports":                   a(cty.String, "OCF"),
		"port_range_min":          a(cty.Number, "OCF"),
		"port_range_max":          a(cty.Number, "OCF"),
		"remote_ip_prefix":        a(cty.String, "OCF"),
		"remote_group_id":         a(cty.String, "OCF"),
		"remote_address_group_id": a(cty.String, "OCF"),
		"action":                  a(cty.String, "OCF"),
		"priority":                a(cty.Number, "OCF"),
		"timeouts":                timeouts("delete"),
	}, Constraints: []provider.Constraint{
		{Kind: provider.ConflictsWith, Attribute: "action", With: []string{"port_range_min", "port_range_max"}},
		{Kind: provider.RequiredWith, Attribute: "port_range_max", With: []string{"port_range_min"}},
		{Kind: provider.RequiredWith, Attribute: "port_range_min", With: []string{"protocol"}},
		{Kind: provider.ConflictsWith, Attribute: "ports", With: []string{"port_range_min", "port_range_max"}},
		{Kind: provider.RequiredWith, Attribute: "ports", With: []string{"protocol"}},
		{Kind: provider.ConflictsWith, Attribute: "priority", With: []string{"port_range_min", "port_range_max"}},
		{Kind: provider.ConflictsWith, Attribute: "remote_address_group_id", With: []string{"port_range_min", "port_range_max"}},
	}},
}

// catalogDefaults are the values the catalog types compute for attributes a
// configuration leaves unset, where a generated value would look wrong.
var catalogDefaults = map[string]map[string]cty.Value{
	"huaweicloud_vpc": {
		"status":               cty.StringVal("OK"),
		"enhanced_local_route": cty.StringVal("false"),
		"secondary_cidrs":      cty.SetValEmpty(cty.String),
		"routes":               cty.ListValEmpty(cty.Object(map[string]cty.Type{"destination": cty.String, "nexthop": cty.String})),
	},
	"huaweicloud_vpc_subnet": {
		"primary_dns":          cty.StringVal("100.125.1.250"),
		"secondary_dns":        cty.StringVal("100.125.21.250"),
		"dns_list":             cty.ListVal([]cty.Value{cty.StringVal("100.125.1.250"), cty.StringVal("100.125.21.250")}),
		"dhcp_lease_time":      cty.StringVal("24h"),
		"dhcp_ipv6_lease_time": cty.StringVal(""),
		"ipv6_cidr":            cty.StringVal(""),
		"ipv6_subnet_id":       cty.StringVal(""),
		"ipv6_gateway":         cty.StringVal(""),
	},
	"huaweicloud_networking_secgroup_rule": {
		"protocol":                cty.StringVal(""),
		"ports":                   cty.StringVal(""),
		"port_range_min":          cty.Zero,
		"port_range_max":          cty.Zero,
		"remote_ip_prefix":        cty.StringVal(""),
		"remote_group_id":         cty.StringVal(""),
		"remote_address_group_id": cty.StringVal(""),
		"action":                  cty.StringVal("allow"),
		"priority":                cty.NumberIntVal(1),
	},
}

// timeouts is the timeouts block SDKv2 adds to a type whose operations
// have a timeout: one optional duration string per operation.
func timeouts(ops ...string) provider.Attribute {
	blk := &provider.Block{Nesting: provider.NestingSingle, Attributes: make(map[string]provider.Attribute, len(ops))}
	for _, op := range ops {
		blk.Attributes[op] = a(cty.String, "O")
	}
	return provider.Attribute{Type: blk.Type(), Optional: true, Block: blk}
}

// withDefault sets the value the provider plans for an unset attribute.
func withDefault(at provider.Attribute, v cty.Value) provider.Attribute {
	at.Default = v
	return at
}

// a builds an attribute from a type and flags: R required, O optional, C
// computed, F force-new, S sensitive.
func a(ty cty.Type, flags string) provider.Attribute {
	return provider.Attribute{
		Type:      ty,
		Required:  strings.Contains(flags, "R"),
		Optional:  strings.Contains(flags, "O"),
		Computed:  strings.Contains(flags, "C"),
		ForceNew:  strings.Contains(flags, "F"),
		Sensitive: strings.Contains(flags, "S"),
	}
}
