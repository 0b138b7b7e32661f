package sim

import (
	"strings"
	"time"

	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
)

// Catalog returns schemas for common Huawei Cloud resource types, modelled on
// the huaweicloud Terraform provider: their usual attributes, which of them
// are computed, and which force a replacement (a VPC's cidr; a subnet's
// vpc_id, cidr and gateway_ip; every attribute of a security group rule). It
// returns a new map on every call. Config.UseCatalog declares these types.
//
// The types: huaweicloud_vpc, huaweicloud_vpc_subnet,
// huaweicloud_networking_secgroup, huaweicloud_networking_secgroup_rule,
// huaweicloud_compute_instance, huaweicloud_evs_volume, huaweicloud_vpc_eip,
// huaweicloud_compute_volume_attach, huaweicloud_compute_eip_associate and
// huaweicloud_obs_bucket; and, modelled on the hashicorp/random provider,
// random_password, random_string, random_id, random_integer and
// random_uuid.
func Catalog() map[string]provider.Schema {
	out := make(map[string]provider.Schema, len(catalog)+len(randomCatalog))
	for typ, attrs := range catalog {
		s := provider.Schema{Attributes: make(map[string]provider.Attribute, len(attrs)+2)}
		s.Attributes["id"] = a(cty.String, "C")
		s.Attributes["region"] = a(cty.String, "OCF")
		for name, at := range attrs {
			s.Attributes[name] = at
		}
		out[typ] = s
	}
	for typ, attrs := range randomCatalog {
		s := provider.Schema{Attributes: map[string]provider.Attribute{
			"id":      a(cty.String, "C"),
			"keepers": a(cty.Map(cty.String), "OF"),
		}}
		for name, at := range attrs {
			s.Attributes[name] = at
		}
		out[typ] = s
	}
	return out
}

// randomCatalog holds the types of the hashicorp/random provider that
// templates use beside huaweicloud's (a generated admin password), less the
// id and keepers every type has. Their results are generated like any
// computed attribute.
var randomCatalog = map[string]map[string]provider.Attribute{
	"random_password": randomStringAttrs(true),
	"random_string":   randomStringAttrs(false),
	"random_id": {
		"byte_length": a(cty.Number, "RF"),
		"prefix":      a(cty.String, "OF"),
		"b64_url":     a(cty.String, "C"),
		"b64_std":     a(cty.String, "C"),
		"hex":         a(cty.String, "C"),
		"dec":         a(cty.String, "C"),
	},
	"random_integer": {
		"min":    a(cty.Number, "RF"),
		"max":    a(cty.Number, "RF"),
		"seed":   a(cty.String, "OF"),
		"result": a(cty.Number, "C"),
	},
	"random_uuid": {
		"result": a(cty.String, "C"),
	},
}

// randomStringAttrs are the attributes of random_password (sensitive) and
// random_string.
func randomStringAttrs(sensitive bool) map[string]provider.Attribute {
	result := a(cty.String, "C")
	result.Sensitive = sensitive
	attrs := map[string]provider.Attribute{
		"length":           a(cty.Number, "RF"),
		"special":          a(cty.Bool, "OCF"),
		"upper":            a(cty.Bool, "OCF"),
		"lower":            a(cty.Bool, "OCF"),
		"numeric":          a(cty.Bool, "OCF"),
		"number":           a(cty.Bool, "OCF"),
		"min_lower":        a(cty.Number, "OCF"),
		"min_upper":        a(cty.Number, "OCF"),
		"min_numeric":      a(cty.Number, "OCF"),
		"min_special":      a(cty.Number, "OCF"),
		"override_special": a(cty.String, "OF"),
		"result":           result,
	}
	if sensitive {
		attrs["bcrypt_hash"] = a(cty.String, "CS")
	}
	return attrs
}

// CatalogLatency returns latency rules with typical durations for the catalog
// types (a VPC in about 5 s, an ECS instance in about a minute), for
// simulations that should take as long as a real deployment; pair them with a
// scaled clock to run them fast.
func CatalogLatency() []LatencyRule {
	typical := []struct {
		typ              string
		duration, jitter time.Duration
	}{
		{"huaweicloud_vpc", 4 * time.Second, 2 * time.Second},
		{"huaweicloud_vpc_subnet", 5 * time.Second, 3 * time.Second},
		{"huaweicloud_networking_secgroup", 2 * time.Second, time.Second},
		{"huaweicloud_networking_secgroup_rule", time.Second, time.Second},
		{"huaweicloud_compute_instance", 45 * time.Second, 30 * time.Second},
		{"huaweicloud_evs_volume", 8 * time.Second, 4 * time.Second},
		{"huaweicloud_vpc_eip", 4 * time.Second, 2 * time.Second},
		{"huaweicloud_compute_volume_attach", 12 * time.Second, 6 * time.Second},
		{"huaweicloud_compute_eip_associate", 3 * time.Second, 2 * time.Second},
		{"huaweicloud_obs_bucket", 2 * time.Second, time.Second},
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

// catalog holds the catalog's attributes, less the id and region every type
// has.
var catalog = map[string]map[string]provider.Attribute{
	"huaweicloud_vpc": {
		"name":                  a(cty.String, "R"),
		"cidr":                  a(cty.String, "RF"),
		"description":           a(cty.String, "O"),
		"enterprise_project_id": a(cty.String, "OCF"),
		"tags":                  a(cty.Map(cty.String), "O"),
		"status":                a(cty.String, "C"),
	},
	"huaweicloud_vpc_subnet": {
		"name":              a(cty.String, "R"),
		"cidr":              a(cty.String, "RF"),
		"gateway_ip":        a(cty.String, "RF"),
		"vpc_id":            a(cty.String, "RF"),
		"description":       a(cty.String, "O"),
		"availability_zone": a(cty.String, "OCF"),
		"dhcp_enable":       a(cty.Bool, "OC"),
		"ipv6_enable":       a(cty.Bool, "OC"),
		"primary_dns":       a(cty.String, "OC"),
		"secondary_dns":     a(cty.String, "OC"),
		"dns_list":          a(cty.List(cty.String), "OC"),
		"tags":              a(cty.Map(cty.String), "O"),
		"status":            a(cty.String, "C"),
		"ipv4_subnet_id":    a(cty.String, "C"),
		"ipv6_subnet_id":    a(cty.String, "C"),
		"ipv6_cidr":         a(cty.String, "C"),
	},
	"huaweicloud_networking_secgroup": {
		"name":                  a(cty.String, "R"),
		"description":           a(cty.String, "O"),
		"enterprise_project_id": a(cty.String, "OCF"),
		"delete_default_rules":  a(cty.Bool, "OF"),
		"tags":                  a(cty.Map(cty.String), "O"),
	},
	"huaweicloud_networking_secgroup_rule": {
		"security_group_id": a(cty.String, "RF"),
		"direction":         a(cty.String, "RF"),
		"ethertype":         a(cty.String, "RF"),
		"description":       a(cty.String, "OF"),
		"protocol":          a(cty.String, "OCF"),
		"ports":             a(cty.String, "OCF"),
		"port_range_min":    a(cty.Number, "OCF"),
		"port_range_max":    a(cty.Number, "OCF"),
		"remote_ip_prefix":  a(cty.String, "OCF"),
		"remote_group_id":   a(cty.String, "OCF"),
		"action":            a(cty.String, "OCF"),
		"priority":          a(cty.Number, "OCF"),
	},
	"huaweicloud_compute_instance": {
		"name":                  a(cty.String, "R"),
		"image_id":              a(cty.String, "OCF"),
		"image_name":            a(cty.String, "OC"),
		"flavor_id":             a(cty.String, "OC"),
		"flavor_name":           a(cty.String, "OC"),
		"admin_pass":            a(cty.String, "OS"),
		"key_pair":              a(cty.String, "OF"),
		"user_data":             a(cty.String, "OF"),
		"security_group_ids":    a(cty.Set(cty.String), "OC"),
		"availability_zone":     a(cty.String, "OCF"),
		"system_disk_type":      a(cty.String, "OCF"),
		"system_disk_size":      a(cty.Number, "OC"),
		"charging_mode":         a(cty.String, "OCF"),
		"enterprise_project_id": a(cty.String, "OC"),
		"stop_before_destroy":   a(cty.Bool, "O"),
		"tags":                  a(cty.Map(cty.String), "O"),
		"network": a(cty.List(cty.ObjectWithOptionalAttrs(map[string]cty.Type{
			"uuid": cty.String, "fixed_ip_v4": cty.String, "ipv6_enable": cty.Bool, "source_dest_check": cty.Bool,
		}, []string{"fixed_ip_v4", "ipv6_enable", "source_dest_check"})), "RF"),
		"access_ip_v4": a(cty.String, "C"),
		"access_ip_v6": a(cty.String, "C"),
		"public_ip":    a(cty.String, "C"),
		"status":       a(cty.String, "C"),
	},
	"huaweicloud_evs_volume": {
		"name":              a(cty.String, "R"),
		"size":              a(cty.Number, "R"),
		"volume_type":       a(cty.String, "RF"),
		"availability_zone": a(cty.String, "RF"),
		"description":       a(cty.String, "O"),
		"device_type":       a(cty.String, "OCF"),
		"multiattach":       a(cty.Bool, "OF"),
		"kms_id":            a(cty.String, "OF"),
		"charging_mode":     a(cty.String, "OCF"),
		"tags":              a(cty.Map(cty.String), "O"),
		"status":            a(cty.String, "C"),
		"wwn":               a(cty.String, "C"),
	},
	"huaweicloud_vpc_eip": {
		"name": a(cty.String, "OC"),
		"publicip": a(cty.List(cty.ObjectWithOptionalAttrs(map[string]cty.Type{
			"type": cty.String, "ip_address": cty.String, "ip_version": cty.Number, "port_id": cty.String,
		}, []string{"type", "ip_address", "ip_version", "port_id"})), "RF"),
		"bandwidth": a(cty.List(cty.ObjectWithOptionalAttrs(map[string]cty.Type{
			"share_type": cty.String, "name": cty.String, "size": cty.Number, "id": cty.String, "charge_mode": cty.String,
		}, []string{"name", "size", "id", "charge_mode"})), "R"),
		"charging_mode":         a(cty.String, "OCF"),
		"enterprise_project_id": a(cty.String, "OCF"),
		"tags":                  a(cty.Map(cty.String), "O"),
		"address":               a(cty.String, "C"),
		"ipv6_address":          a(cty.String, "C"),
		"private_ip":            a(cty.String, "C"),
		"port_id":               a(cty.String, "C"),
		"status":                a(cty.String, "C"),
	},
	"huaweicloud_compute_volume_attach": {
		"instance_id": a(cty.String, "RF"),
		"volume_id":   a(cty.String, "RF"),
		"device":      a(cty.String, "OCF"),
		"pci_address": a(cty.String, "C"),
	},
	"huaweicloud_compute_eip_associate": {
		"public_ip":   a(cty.String, "RF"),
		"instance_id": a(cty.String, "RF"),
		"fixed_ip":    a(cty.String, "OCF"),
		"port_id":     a(cty.String, "C"),
	},
	"huaweicloud_obs_bucket": {
		"bucket":             a(cty.String, "RF"),
		"storage_class":      a(cty.String, "OC"),
		"acl":                a(cty.String, "OC"),
		"versioning":         a(cty.Bool, "O"),
		"force_destroy":      a(cty.Bool, "O"),
		"tags":               a(cty.Map(cty.String), "O"),
		"bucket_domain_name": a(cty.String, "C"),
	},
}

// catalogDefaults are the values the catalog types compute for attributes a
// configuration leaves unset, where a generated value would look wrong.
var catalogDefaults = map[string]map[string]cty.Value{
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
	"huaweicloud_networking_secgroup_rule": {
		"protocol":         cty.StringVal(""),
		"ports":            cty.StringVal(""),
		"port_range_min":   cty.Zero,
		"port_range_max":   cty.Zero,
		"remote_ip_prefix": cty.StringVal(""),
		"remote_group_id":  cty.StringVal(""),
		"action":           cty.StringVal("allow"),
		"priority":         cty.NumberIntVal(1),
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
	"huaweicloud_evs_volume": {
		"device_type":   cty.StringVal("VBD"),
		"charging_mode": cty.StringVal("postPaid"),
		"status":        cty.StringVal("available"),
	},
	"huaweicloud_vpc_eip": {
		"charging_mode": cty.StringVal("postPaid"),
		"ipv6_address":  cty.StringVal(""),
		"port_id":       cty.StringVal(""),
		"status":        cty.StringVal("UNBOUND"),
	},
	"huaweicloud_compute_volume_attach": {
		"device": cty.StringVal("/dev/vdb"),
	},
	"huaweicloud_obs_bucket": {
		"storage_class": cty.StringVal("STANDARD"),
		"acl":           cty.StringVal("private"),
	},
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
