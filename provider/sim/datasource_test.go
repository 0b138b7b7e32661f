package sim_test

import (
	"context"
	"errors"
	"testing"

	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/zclconf/go-cty/cty"
)

func TestReadDataSource_Fixtures(t *testing.T) {
	p := newSim(t, sim.Config{UseCatalog: true, Fixtures: []sim.Fixture{
		{Type: "huaweicloud_images_image", Attributes: map[string]cty.Value{"name": cty.StringVal("Ubuntu 22.04"), "id": cty.StringVal("img-ubuntu")}},
		{Type: "huaweicloud_images_image", Attributes: map[string]cty.Value{"name": cty.StringVal("CentOS 7"), "id": cty.StringVal("img-centos")}},
	}})
	ctx := context.Background()
	resp, err := p.ReadDataSource(ctx, provider.ReadDataSourceRequest{TypeName: "huaweicloud_images_image", Address: "data.huaweicloud_images_image.os",
		Config: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("CentOS 7"), "most_recent": cty.True})})
	if err != nil || str(resp.State, "id") != "img-centos" || !resp.State.GetAttr("most_recent").True() {
		t.Fatalf("image: %#v, %v", resp.State, err)
	}
	// The catalog's fixtures.
	resp, err = p.ReadDataSource(ctx, provider.ReadDataSourceRequest{TypeName: "huaweicloud_availability_zones", Address: "data.huaweicloud_availability_zones.z", Config: cty.EmptyObjectVal})
	if err != nil || resp.State.GetAttr("names").LengthInt() != 3 {
		t.Fatalf("zones: %#v, %v", resp.State, err)
	}
	_, err = p.ReadDataSource(ctx, provider.ReadDataSourceRequest{TypeName: "huaweicloud_images_image", Address: "d",
		Config: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("Windows")})})
	if !errors.Is(err, provider.ErrNotFound) {
		t.Fatalf("no match: %v", err)
	}
	if c := p.Calls()[0]; c.Op != sim.OpReadData || c.ID != "img-centos" {
		t.Fatalf("call %+v", c)
	}
}

func TestReadDataSource_World(t *testing.T) {
	p := newSim(t, sim.Config{})
	ctx := context.Background()
	a := mustCreate(t, p, provider.CreateRequest{TypeName: "huaweicloud_vpc", Address: "huaweicloud_vpc.a", Config: vpc("a", "10.0.0.0/16"), Token: "a"})
	mustCreate(t, p, provider.CreateRequest{TypeName: "huaweicloud_vpc", Address: "huaweicloud_vpc.b", Config: vpc("b", "10.1.0.0/16"), Token: "b"})
	resp, err := p.ReadDataSource(ctx, provider.ReadDataSourceRequest{TypeName: "huaweicloud_vpc", Address: "data.huaweicloud_vpc.a",
		Config: cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("a")})})
	if err != nil || str(resp.State, "id") != a.ID || str(resp.State, "cidr") != "10.0.0.0/16" {
		t.Fatalf("lookup: %#v, %v", resp.State, err)
	}
	_, err = p.ReadDataSource(ctx, provider.ReadDataSourceRequest{TypeName: "huaweicloud_vpc", Address: "data.huaweicloud_vpc.any", Config: cty.EmptyObjectVal})
	if !errors.Is(err, provider.ErrInvalidConfig) {
		t.Fatalf("ambiguous lookup: %v", err)
	}
	_, err = p.ReadDataSource(ctx, provider.ReadDataSourceRequest{TypeName: "huaweicloud_vpc", Address: "d",
		Config: cty.ObjectVal(map[string]cty.Value{"name": cty.UnknownVal(cty.String)})})
	if !errors.Is(err, provider.ErrInvalidConfig) {
		t.Fatalf("unknown arguments: %v", err)
	}
}

func TestReadDataSource_FixtureWithoutIDGetsSeededID(t *testing.T) {
	read := func() string {
		p := newSim(t, sim.Config{Seed: 4, Fixtures: []sim.Fixture{{Type: "acme_zone", Attributes: map[string]cty.Value{"name": cty.StringVal("z")}}}})
		resp, err := p.ReadDataSource(context.Background(), provider.ReadDataSourceRequest{TypeName: "acme_zone", Address: "data.acme_zone.z", Config: cty.NullVal(cty.EmptyObject)})
		if err != nil {
			t.Fatal(err)
		}
		return str(resp.State, "id")
	}
	if a, b := read(), read(); a != b || !uuidRE.MatchString(a) {
		t.Fatalf("ids %q %q", a, b)
	}
}
