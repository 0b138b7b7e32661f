package sim_test

import (
	"context"
	"errors"
	"testing"

	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
)

func TestFault_FirstNAttempts(t *testing.T) {
	p := newSim(t, sim.Config{Faults: []sim.Fault{
		{Match: sim.Match{Op: sim.OpCreate, Address: "huaweicloud_vpc.*"}, Times: 2, Transient: true, Message: "Throttled: too many requests"},
	}})
	ctx := context.Background()
	req := createReq("huaweicloud_vpc.vpc", "t")
	for attempt := 1; attempt <= 2; attempt++ {
		_, err := p.Create(ctx, req) // the provider counts attempts itself
		var fe *sim.FaultError
		if !errors.As(err, &fe) || !errors.Is(err, provider.ErrTransient) || fe.Attempt != attempt || err.Error() != "Throttled: too many requests" {
			t.Fatalf("attempt %d: %v (%+v)", attempt, err, fe)
		}
		if len(p.Resources()) != 0 {
			t.Fatalf("attempt %d created a resource", attempt)
		}
	}
	if _, err := p.Create(ctx, req); err != nil {
		t.Fatalf("attempt 3: %v", err)
	}
	// Another address is not selected.
	if _, err := p.Create(ctx, provider.CreateRequest{TypeName: "huaweicloud_vpc_subnet", Address: "huaweicloud_vpc_subnet.s", Config: vpc("s", "x"), Token: "s"}); err != nil {
		t.Fatal(err)
	}
}

func TestFault_CallerNumberedAttempts(t *testing.T) {
	p := newSim(t, sim.Config{Faults: []sim.Fault{{Times: 1}}})
	req := createReq("a", "t")
	req.Attempt = 2 // the caller says this is its second try: past the fault
	if _, err := p.Create(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if c := p.Calls()[0]; c.Attempt != 2 {
		t.Fatalf("recorded attempt %d", c.Attempt)
	}
}

func TestFault_AlwaysAndPermanent(t *testing.T) {
	p := newSim(t, sim.Config{Faults: []sim.Fault{
		{Match: sim.Match{Op: sim.OpDelete, Type: "huaweicloud_vpc"}, Message: "VPC has dependent subnets", Err: provider.ErrConflict},
	}})
	ctx := context.Background()
	resp := mustCreate(t, p, createReq("huaweicloud_vpc.vpc", "t"))
	for range 5 {
		err := p.Delete(ctx, provider.DeleteRequest{TypeName: "huaweicloud_vpc", Address: "huaweicloud_vpc.vpc", ID: resp.ID})
		if err == nil || errors.Is(err, provider.ErrTransient) || !errors.Is(err, provider.ErrConflict) {
			t.Fatalf("err = %v, want a permanent conflict", err)
		}
	}
	if len(p.Resources()) != 1 {
		t.Fatal("the failed delete deleted")
	}
	if _, err := p.Read(ctx, provider.ReadRequest{TypeName: "huaweicloud_vpc", ID: resp.ID}); err != nil {
		t.Fatalf("a delete fault failed a read: %v", err)
	}
}

func TestFault_DefaultMessage(t *testing.T) {
	p := newSim(t, sim.Config{Faults: []sim.Fault{{Match: sim.Match{Op: sim.OpRead}}}})
	_, err := p.Read(context.Background(), provider.ReadRequest{TypeName: "x_y", Address: "x_y.z", ID: "i"})
	if err == nil || err.Error() != "simulated read failure of x_y.z (attempt 1)" {
		t.Fatalf("err = %v", err)
	}
}

func TestFault_AfterEffect_CreateResponseLost(t *testing.T) {
	p := newSim(t, sim.Config{Seed: 3, Faults: []sim.Fault{
		{Match: sim.Match{Op: sim.OpCreate}, Times: 1, AfterEffect: true, Message: "connection reset by peer"},
	}})
	ctx := context.Background()
	req := createReq("huaweicloud_vpc.vpc", "dep-1/huaweicloud_vpc.vpc")
	_, err := p.Create(ctx, req)
	var fe *sim.FaultError
	if !errors.As(err, &fe) || !fe.AfterEffect {
		t.Fatalf("err = %v", err)
	}
	res := p.Resources()
	if len(res) != 1 {
		t.Fatalf("%d resources after a lost response, want 1", len(res))
	}
	// The engine retries with the same token and finds the resource.
	resp, err := p.Create(ctx, req)
	if err != nil || resp.ID != res[0].ID {
		t.Fatalf("retry: %v, id %s want %s", err, resp.ID, res[0].ID)
	}
	calls := p.Calls()
	if len(p.Resources()) != 1 || !calls[1].Replayed || calls[0].ID != res[0].ID {
		t.Fatalf("retry duplicated: %+v", calls)
	}
}

func TestFault_AfterEffect_UpdateAndDelete(t *testing.T) {
	p := newSim(t, sim.Config{Faults: []sim.Fault{
		{Match: sim.Match{Op: sim.OpUpdate}, AfterEffect: true},
		{Match: sim.Match{Op: sim.OpDelete}, AfterEffect: true},
	}})
	ctx := context.Background()
	resp := mustCreate(t, p, createReq("v", "t"))
	_, err := p.Update(ctx, provider.UpdateRequest{TypeName: "huaweicloud_vpc", ID: resp.ID, Planned: vpc("renamed", "10.0.0.0/16")})
	if err == nil || str(p.Resources()[0].State, "name") != "renamed" {
		t.Fatalf("update: %v; the change must be made before the error", err)
	}
	if err := p.Delete(ctx, provider.DeleteRequest{TypeName: "huaweicloud_vpc", ID: resp.ID}); err == nil || len(p.Resources()) != 0 {
		t.Fatalf("delete: %v; the resource must be gone before the error", err)
	}
}

func TestFault_Probability_Seeded(t *testing.T) {
	outcomes := func(seed int64) []bool {
		p := newSim(t, sim.Config{Seed: seed, Faults: []sim.Fault{{Probability: 0.25, Transient: true}}})
		var out []bool
		for i := range 400 {
			_, err := p.Create(context.Background(), createReq("huaweicloud_vpc.v["+itoa(i%100)+"]", "t"+itoa(i%100)+itoa(i/100)))
			out = append(out, err != nil)
		}
		return out
	}
	a, b, c := outcomes(9), outcomes(9), outcomes(10)
	failures, sameAsOtherSeed := 0, 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("outcome %d differs for the same seed", i)
		}
		if a[i] {
			failures++
		}
		if a[i] == c[i] {
			sameAsOtherSeed++
		}
	}
	if failures < 60 || failures > 140 {
		t.Fatalf("%d of 400 failed with probability 0.25", failures)
	}
	if sameAsOtherSeed == len(a) {
		t.Fatal("another seed gave the same outcomes")
	}
}

func TestFault_FirstMatchingFaultWins(t *testing.T) {
	p := newSim(t, sim.Config{Faults: []sim.Fault{
		{Match: sim.Match{Address: "*.web"}, Message: "first"},
		{Message: "second"},
	}})
	_, err := p.Create(context.Background(), createReq("huaweicloud_vpc.web", "t"))
	if err == nil || err.Error() != "first" {
		t.Fatalf("err = %v", err)
	}
	_, err = p.Create(context.Background(), createReq("huaweicloud_vpc.db", "u"))
	if err == nil || err.Error() != "second" {
		t.Fatalf("err = %v", err)
	}
}
