package sim_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	formation "github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/zclconf/go-cty/cty"
)

// A schema-less simulated provider stores what it is given and computes an
// id derived from the seed and the idempotency token.
func Example() {
	ctx := context.Background()
	p, _ := sim.New(sim.Config{Seed: 1})

	req := provider.CreateRequest{
		TypeName: "huaweicloud_vpc",
		Address:  "huaweicloud_vpc.vpc",
		Config:   cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("my-vpc")}),
		Token:    "deployment-1/huaweicloud_vpc.vpc",
	}
	resp, _ := p.Create(ctx, req)
	fmt.Println("id:", resp.ID)
	fmt.Println("name:", resp.State.GetAttr("name").AsString())

	again, _ := p.Create(ctx, req) // a retry with the same token creates nothing
	fmt.Println("same resource:", again.ID == resp.ID, "resources:", len(p.Resources()))
	// Output:
	// id: 31518432-b97e-40f5-97e8-03cf029f612d
	// name: my-vpc
	// same resource: true resources: 1
}

// With the catalog, types behave as the real provider's: computed attributes
// get values, and a changed force-new attribute means a replacement.
func ExampleCatalog() {
	ctx := context.Background()
	p, _ := sim.New(sim.Config{Seed: 1, UseCatalog: true})
	schema, _ := p.Schema("huaweicloud_vpc")

	planned, _ := schema.PlannedValue(cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal("vpc"), "cidr": cty.StringVal("10.0.0.0/16"),
	}))
	fmt.Println("status known before create:", planned.GetAttr("status").IsKnown())
	resp, _ := p.Create(ctx, provider.CreateRequest{TypeName: "huaweicloud_vpc", Address: "huaweicloud_vpc.vpc", Config: planned, Token: "t"})
	fmt.Println("status:", resp.State.GetAttr("status").AsString(), "region:", resp.State.GetAttr("region").AsString())

	// As in the provider, a VPC's cidr changes in place; a subnet's
	// cannot, so changing it replaces the subnet.
	next, _ := schema.PlannedUpdate(resp.State, cty.ObjectVal(map[string]cty.Value{
		"name": cty.StringVal("vpc"), "cidr": cty.StringVal("172.16.0.0/12"),
	}))
	fmt.Println("vpc cidr replaces:", len(schema.RequiresReplace(resp.State, next)) > 0)
	subnet, _ := p.Schema("huaweicloud_vpc_subnet")
	fmt.Println("subnet cidr forces a replacement:", subnet.Attributes["cidr"].ForceNew)
	// Output:
	// status known before create: false
	// status: OK region: cn-north-4
	// vpc cidr replaces: false
	// subnet cidr forces a replacement: true
}

// A fault after the side effect loses the create's response; the engine's
// retry with the same token finds the resource instead of making another.
func ExampleFault() {
	ctx := context.Background()
	p, _ := sim.New(sim.Config{Faults: []sim.Fault{{
		Match:       sim.Match{Op: sim.OpCreate, Address: "huaweicloud_vpc.*"},
		Times:       1,
		Message:     "connection reset by peer",
		Transient:   true,
		AfterEffect: true,
	}}})
	req := provider.CreateRequest{TypeName: "huaweicloud_vpc", Address: "huaweicloud_vpc.vpc", Config: cty.EmptyObjectVal, Token: "dep/vpc"}

	_, err := p.Create(ctx, req)
	fmt.Println("first try:", err, "| retry:", errors.Is(err, provider.ErrTransient))
	_, err = p.Create(ctx, req)
	fmt.Println("second try:", err)
	for _, c := range p.Calls() {
		fmt.Printf("%s %s attempt=%d replayed=%v\n", c.Op, c.Address, c.Attempt, c.Replayed)
	}
	fmt.Println("resources:", len(p.Resources()))
	// Output:
	// first try: connection reset by peer | retry: true
	// second try: <nil>
	// create huaweicloud_vpc.vpc attempt=1 replayed=false
	// create huaweicloud_vpc.vpc attempt=2 replayed=true
	// resources: 1
}

// Drift changes a resource behind the engine's back; DeleteOutOfBand removes
// it. Reads show both.
func ExampleProvider_Drift() {
	ctx := context.Background()
	p, _ := sim.New(sim.Config{})
	resp, _ := p.Create(ctx, provider.CreateRequest{TypeName: "huaweicloud_vpc", Address: "huaweicloud_vpc.vpc",
		Config: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("vpc")}), Token: "t"})

	_ = p.Drift(ctx, "huaweicloud_vpc.vpc", map[string]cty.Value{"name": cty.StringVal("edited-in-console")})
	read, _ := p.Read(ctx, provider.ReadRequest{TypeName: "huaweicloud_vpc", ID: resp.ID})
	fmt.Println("name:", read.State.GetAttr("name").AsString())

	_ = p.DeleteOutOfBand(ctx, resp.ID)
	_, err := p.Read(ctx, provider.ReadRequest{TypeName: "huaweicloud_vpc", ID: resp.ID})
	fmt.Println("gone:", errors.Is(err, provider.ErrNotFound))
	// Output:
	// name: edited-in-console
	// gone: true
}

// A scaled clock makes simulated latency pass quickly: six simulated hours
// take about 22 ms of real time here.
func ExampleLatencyRule() {
	clock := formation.NewScaledClock(1e6)
	p, _ := sim.New(sim.Config{Clock: clock, Latency: []sim.LatencyRule{
		{Match: sim.Match{Type: "huaweicloud_compute_instance"}, Duration: 6 * time.Hour},
	}})
	start := clock.Now()
	_, _ = p.Create(context.Background(), provider.CreateRequest{TypeName: "huaweicloud_compute_instance",
		Address: "huaweicloud_compute_instance.db", Config: cty.EmptyObjectVal, Token: "t"})
	fmt.Println("call latency:", p.Calls()[0].Latency)
	fmt.Println("six simulated hours passed:", clock.Now().Sub(start) >= 6*time.Hour)
	// Output:
	// call latency: 6h0m0s
	// six simulated hours passed: true
}

// A persisted world outlives its Provider: a new one opened on the same store
// (in another process, with a FileWorld or the engine's store) sees it.
func ExampleMemoryWorld() {
	ctx := context.Background()
	world := sim.NewMemoryWorld()
	first, _ := sim.New(sim.Config{World: world})
	_, _ = first.Create(ctx, provider.CreateRequest{TypeName: "huaweicloud_vpc", Address: "huaweicloud_vpc.vpc",
		Config: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("vpc")}), Token: "t"})

	second, _ := sim.New(sim.Config{World: world})
	for _, r := range second.Resources() {
		fmt.Println(r.Type, r.Address, r.State.GetAttr("name").AsString())
	}
	// Output:
	// huaweicloud_vpc huaweicloud_vpc.vpc vpc
}
