package sim_test

import (
	"context"
	"testing"

	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/zclconf/go-cty/cty"
)

// newSim returns a simulated provider for cfg, failing the test on error.
func newSim(tb testing.TB, cfg sim.Config) *sim.Provider {
	tb.Helper()
	p, err := sim.New(cfg)
	if err != nil {
		tb.Fatalf("sim.New: %v", err)
	}
	return p
}

// vpc is a huaweicloud_vpc configuration.
func vpc(name, cidr string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name), "cidr": cty.StringVal(cidr)})
}

// createReq is a create of a VPC at address with token.
func createReq(address, token string) provider.CreateRequest {
	return provider.CreateRequest{TypeName: "huaweicloud_vpc", Address: address, Config: vpc("vpc", "10.0.0.0/16"), Token: token}
}

// mustCreate creates and fails the test on error.
func mustCreate(tb testing.TB, p *sim.Provider, req provider.CreateRequest) provider.CreateResponse {
	tb.Helper()
	resp, err := p.Create(context.Background(), req)
	if err != nil {
		tb.Fatalf("Create(%s): %v", req.Address, err)
	}
	return resp
}

// str is the string attribute name of v.
func str(v cty.Value, name string) string {
	a := v.GetAttr(name)
	if a.IsNull() {
		return "<null>"
	}
	return a.AsString()
}
