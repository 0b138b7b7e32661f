package provider_test

import (
	"fmt"

	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
)

// A Registry finds the provider of a resource type by its prefix.
func ExampleRegistry() {
	var reg provider.Registry
	reg.Register("huaweicloud", nop{})

	_, name, err := reg.Lookup("huaweicloud_vpc_subnet")
	fmt.Println(name, err)

	_, _, err = reg.Lookup("aws_instance")
	fmt.Println(err)
	// Output:
	// huaweicloud <nil>
	// provider.Registry.Lookup: RF.10011030 aws_instance: provider "aws" is not registered (resource type aws_instance)
}

// The planner turns a configuration into a planned value, then decides
// between an in-place update and a replacement.
func ExampleSchema_RequiresReplace() {
	schema := provider.Schema{Attributes: map[string]provider.Attribute{
		"id":   {Type: cty.String, Computed: true},
		"name": {Type: cty.String, Required: true},
		"cidr": {Type: cty.String, Required: true, ForceNew: true},
	}}

	created, _ := schema.PlannedValue(cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal("vpc"), "cidr": cty.StringVal("10.0.0.0/16"),
	}))
	fmt.Println("id known before create:", created.GetAttr("id").IsKnown())

	prior := cty.ObjectVal(map[string]cty.Value{
		"id": cty.StringVal("4f3c…"), "name": cty.StringVal("vpc"), "cidr": cty.StringVal("10.0.0.0/16"),
	})
	for _, cidr := range []string{"10.0.0.0/16", "172.16.0.0/12"} {
		planned, _ := schema.PlannedUpdate(prior, cty.ObjectVal(map[string]cty.Value{
			"name": cty.StringVal("vpc-renamed"), "cidr": cty.StringVal(cidr),
		}))
		var forced []string
		for _, path := range schema.RequiresReplace(prior, planned) {
			forced = append(forced, path[0].(cty.GetAttrStep).Name)
		}
		fmt.Printf("cidr %s: replaced for %v\n", cidr, forced)
	}
	// Output:
	// id known before create: false
	// cidr 10.0.0.0/16: replaced for []
	// cidr 172.16.0.0/12: replaced for [cidr]
}
