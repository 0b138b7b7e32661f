package plan_test

import (
	"strings"

	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/zclconf/go-cty/cty"
)

// The planner's tests declare the types they plan themselves: a VPC whose
// cidr forces a replacement (the real provider updates it in place), a
// subnet, and an instance with a sensitive password and a network list.
// They are fixed here, apart from the simulator's catalog, so that the
// golden plans, the stored plans of older formats and the benchmarks'
// baselines stay comparable whatever the catalog becomes; they are not the
// provider's real schemas.

// testConfig is a simulator with the test types declared, the catalog
// (for the availability-zones fixture) and cfg's other settings.
func testConfig(cfg sim.Config) sim.Config {
	cfg.UseCatalog = true
	cfg.Schemas = testSchemas()
	cfg.Computed = testComputed
	return cfg
}

// testSchemas returns the test types' schemas.
func testSchemas() map[string]provider.Schema {
	out := make(map[string]provider.Schema, len(testTypes))
	for typ, attrs := range testTypes {
		s := provider.Schema{Attributes: map[string]provider.Attribute{
			"id":     attr(cty.String, "C"),
			"region": attr(cty.String, "OCF"),
		}}
		for name, a := range attrs {
			s.Attributes[name] = a
		}
		out[typ] = s
	}
	return out
}

var testTypes = map[string]map[string]provider.Attribute{
	"huaweicloud_vpc": {
		"name":                  attr(cty.String, "R"),
		"cidr":                  attr(cty.String, "RF"),
		"description":           attr(cty.String, "O"),
		"enterprise_project_id": attr(cty.String, "OCF"),
		"tags":                  attr(cty.Map(cty.String), "O"),
		"status":                attr(cty.String, "C"),
	},
	"huaweicloud_vpc_subnet": {
		"name":              attr(cty.String, "R"),
		"cidr":              attr(cty.String, "RF"),
		"gateway_ip":        attr(cty.String, "RF"),
		"vpc_id":            attr(cty.String, "RF"),
		"description":       attr(cty.String, "O"),
		"availability_zone": attr(cty.String, "OCF"),
		"dhcp_enable":       attr(cty.Bool, "OC"),
		"ipv6_enable":       attr(cty.Bool, "OC"),
		"primary_dns":       attr(cty.String, "OC"),
		"secondary_dns":     attr(cty.String, "OC"),
		"dns_list":          attr(cty.List(cty.String), "OC"),
		"tags":              attr(cty.Map(cty.String), "O"),
		"status":            attr(cty.String, "C"),
		"ipv4_subnet_id":    attr(cty.String, "C"),
		"ipv6_subnet_id":    attr(cty.String, "C"),
		"ipv6_cidr":         attr(cty.String, "C"),
	},
	"huaweicloud_compute_instance": {
		"name":                  attr(cty.String, "R"),
		"image_id":              attr(cty.String, "OCF"),
		"image_name":            attr(cty.String, "OC"),
		"flavor_id":             attr(cty.String, "OC"),
		"flavor_name":           attr(cty.String, "OC"),
		"admin_pass":            attr(cty.String, "OS"),
		"key_pair":              attr(cty.String, "OF"),
		"user_data":             attr(cty.String, "OF"),
		"security_group_ids":    attr(cty.Set(cty.String), "OC"),
		"availability_zone":     attr(cty.String, "OCF"),
		"system_disk_type":      attr(cty.String, "OCF"),
		"system_disk_size":      attr(cty.Number, "OC"),
		"charging_mode":         attr(cty.String, "OCF"),
		"enterprise_project_id": attr(cty.String, "OC"),
		"stop_before_destroy":   attr(cty.Bool, "O"),
		"tags":                  attr(cty.Map(cty.String), "O"),
		"network": attr(cty.List(cty.ObjectWithOptionalAttrs(map[string]cty.Type{
			"uuid": cty.String, "fixed_ip_v4": cty.String, "ipv6_enable": cty.Bool, "source_dest_check": cty.Bool,
		}, []string{"fixed_ip_v4", "ipv6_enable", "source_dest_check"})), "RF"),
		"access_ip_v4": attr(cty.String, "C"),
		"access_ip_v6": attr(cty.String, "C"),
		"public_ip":    attr(cty.String, "C"),
		"status":       attr(cty.String, "C"),
	},
}

// testComputed are the test types' computed values, where a generated
// value would look wrong.
var testComputed = map[string]map[string]cty.Value{
	"huaweicloud_vpc": {
		"status": cty.StringVal("OK"),
	},
	"huaweicloud_vpc_subnet": {
		"dhcp_enable":    cty.True,
		"ipv6_enable":    cty.False,
		"primary_dns":    cty.StringVal("100.125.1.250"),
		"secondary_dns":  cty.StringVal("100.125.21.250"),
		"dns_list":       cty.ListVal([]cty.Value{cty.StringVal("100.125.1.250"), cty.StringVal("100.125.21.250")}),
		"ipv6_cidr":      cty.StringVal(""),
		"ipv6_subnet_id": cty.StringVal(""),
	},
	"huaweicloud_compute_instance": {
		"image_name":       cty.StringVal("Ubuntu 22.04 server 64bit"),
		"flavor_id":        cty.StringVal("s6.small.1"),
		"flavor_name":      cty.StringVal("s6.small.1"),
		"system_disk_type": cty.StringVal("SSD"),
		"system_disk_size": cty.NumberIntVal(40),
		"charging_mode":    cty.StringVal("postPaid"),
		"access_ip_v6":     cty.StringVal(""),
		"public_ip":        cty.StringVal(""),
	},
}

// attr builds an attribute from a type and flags: R required, O optional,
// C computed, F force-new, S sensitive.
func attr(ty cty.Type, flags string) provider.Attribute {
	return provider.Attribute{
		Type:      ty,
		Required:  strings.Contains(flags, "R"),
		Optional:  strings.Contains(flags, "O"),
		Computed:  strings.Contains(flags, "C"),
		ForceNew:  strings.Contains(flags, "F"),
		Sensitive: strings.Contains(flags, "S"),
	}
}
