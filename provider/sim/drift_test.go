package sim_test

import (
	"context"
	"errors"
	"testing"

	formation "github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/zclconf/go-cty/cty"
)

func TestDrift_ChangesAttributes(t *testing.T) {
	ctx := context.Background()
	p := newSim(t, sim.Config{UseCatalog: true})
	schema, _ := p.Schema("huaweicloud_vpc")
	planned, _ := schema.PlannedValue(vpc("vpc", "10.0.0.0/16"))
	resp := mustCreate(t, p, provider.CreateRequest{TypeName: "huaweicloud_vpc", Address: "huaweicloud_vpc.vpc", Config: planned, Token: "t"})

	if err := p.Drift(ctx, "huaweicloud_vpc.vpc", map[string]cty.Value{"name": cty.StringVal("renamed-in-console")}); err != nil {
		t.Fatal(err)
	}
	read, err := p.Read(ctx, provider.ReadRequest{TypeName: "huaweicloud_vpc", ID: resp.ID})
	if err != nil || str(read.State, "name") != "renamed-in-console" || str(read.State, "cidr") != "10.0.0.0/16" {
		t.Fatalf("read after drift: %#v, %v", read.State, err)
	}
	// By id, with a value converted to the attribute's type.
	if err := p.Drift(ctx, resp.ID, map[string]cty.Value{"tags": cty.ObjectVal(map[string]cty.Value{"env": cty.StringVal("prod")})}); err != nil {
		t.Fatal(err)
	}
	read, _ = p.Read(ctx, provider.ReadRequest{TypeName: "huaweicloud_vpc", ID: resp.ID})
	if !read.State.GetAttr("tags").Type().IsMapType() {
		t.Fatalf("tags %#v", read.State.GetAttr("tags"))
	}
	// The next update repairs the drift.
	upd, err := p.Update(ctx, provider.UpdateRequest{TypeName: "huaweicloud_vpc", ID: resp.ID, Prior: resp.State, Planned: resp.State})
	if err != nil || !upd.State.RawEquals(resp.State) {
		t.Fatalf("repair: %v\n%#v\n%#v", err, upd.State, resp.State)
	}
	if n := len(p.Calls()); n != 4 {
		t.Fatalf("%d calls; drift must not be recorded as a call", n)
	}
}

func TestDrift_Errors(t *testing.T) {
	ctx := context.Background()
	p := newSim(t, sim.Config{UseCatalog: true})
	mustCreate(t, p, createReq("huaweicloud_vpc.vpc", "t"))
	tests := []struct {
		name    string
		ref     string
		changes map[string]cty.Value
		want    error
	}{
		{"no such resource", "huaweicloud_vpc.other", map[string]cty.Value{"name": cty.StringVal("x")}, provider.ErrNotFound},
		{"undeclared attribute", "huaweicloud_vpc.vpc", map[string]cty.Value{"colour": cty.StringVal("x")}, provider.ErrInvalidConfig},
		{"id", "huaweicloud_vpc.vpc", map[string]cty.Value{"id": cty.StringVal("x")}, provider.ErrInvalidConfig},
		{"wrong type", "huaweicloud_vpc.vpc", map[string]cty.Value{"tags": cty.StringVal("x")}, provider.ErrInvalidConfig},
		{"unknown value", "huaweicloud_vpc.vpc", map[string]cty.Value{"name": cty.UnknownVal(cty.String)}, provider.ErrInvalidConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Drift(ctx, tt.ref, tt.changes)
			if !errors.Is(err, tt.want) || !formation.HasCode(err, formation.CodeInvalidParameter) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if str(p.Resources()[0].State, "name") != "vpc" {
		t.Fatal("a failed drift changed the resource")
	}
}

func TestDrift_SchemaLessAddsAttributes(t *testing.T) {
	ctx := context.Background()
	p := newSim(t, sim.Config{})
	resp := mustCreate(t, p, provider.CreateRequest{TypeName: "acme_vm", Address: "acme_vm.a", Config: cty.EmptyObjectVal, Token: "t"})
	if err := p.Drift(ctx, "acme_vm.*", map[string]cty.Value{"flavor": cty.StringVal("large")}); err != nil {
		t.Fatal(err)
	}
	read, _ := p.Read(ctx, provider.ReadRequest{TypeName: "acme_vm", ID: resp.ID})
	if str(read.State, "flavor") != "large" {
		t.Fatalf("state %#v", read.State)
	}
}

func TestDeleteOutOfBand(t *testing.T) {
	ctx := context.Background()
	p := newSim(t, sim.Config{})
	a := mustCreate(t, p, createReq("huaweicloud_vpc.vpc[0]", "a"))
	b := mustCreate(t, p, createReq("huaweicloud_vpc.vpc[1]", "b"))
	c := mustCreate(t, p, createReq("huaweicloud_vpc.other", "c"))
	if err := p.DeleteOutOfBand(ctx, "huaweicloud_vpc.vpc[*]"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{a.ID, b.ID} {
		if _, err := p.Read(ctx, provider.ReadRequest{TypeName: "huaweicloud_vpc", ID: id}); !errors.Is(err, provider.ErrNotFound) {
			t.Fatalf("read of %s: %v, want ErrNotFound", id, err)
		}
	}
	if _, err := p.Read(ctx, provider.ReadRequest{TypeName: "huaweicloud_vpc", ID: c.ID}); err != nil {
		t.Fatalf("unselected resource: %v", err)
	}
	if err := p.DeleteOutOfBand(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := p.DeleteOutOfBand(ctx, c.ID); !errors.Is(err, provider.ErrNotFound) {
		t.Fatalf("second out-of-band delete: %v", err)
	}
	// The engine's delete of a drift-deleted resource reports ErrNotFound,
	// which it treats as success.
	if err := p.Delete(ctx, provider.DeleteRequest{TypeName: "huaweicloud_vpc", ID: a.ID}); !errors.Is(err, provider.ErrNotFound) {
		t.Fatalf("delete of a drift-deleted resource: %v", err)
	}
}
