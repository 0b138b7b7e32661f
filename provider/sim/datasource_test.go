package sim_test

import (
	"context"
	"errors"
	"testing"

	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/provider/tfschema"
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

// zonesDoc is a provider schema document with an availability-zones and an
// image data source.
func zonesDoc(t *testing.T) *tfschema.Document {
	t.Helper()
	d, err := tfschema.Parse([]byte(`{"format_version":"1.0","provider_schemas":{"registry.terraform.io/huaweicloud/huaweicloud":{
	  "data_source_schemas":{
	    "huaweicloud_availability_zones":{"block":{"attributes":{
	      "id":{"type":"string","optional":true,"computed":true},
	      "region":{"type":"string","optional":true,"computed":true},
	      "state":{"type":"string","optional":true},
	      "names":{"type":["list","string"],"computed":true}}}},
	    "huaweicloud_images_image":{"block":{"attributes":{
	      "id":{"type":"string","optional":true,"computed":true},
	      "name":{"type":"string","optional":true},
	      "most_recent":{"type":"bool","optional":true},
	      "min_disk_gb":{"type":"number","computed":true},
	      "tags":{"type":["list",["object",{"key":"string","value":"string"}]],"computed":true}}}}}}}}`), tfschema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestReadDataSource_Schema(t *testing.T) {
	ctx := context.Background()
	read := func(p *sim.Provider, typ string, config cty.Value) (cty.Value, error) {
		resp, err := p.ReadDataSource(ctx, provider.ReadDataSourceRequest{TypeName: typ, Address: "data." + typ + ".x", Config: config})
		return resp.State, err
	}
	cfg := sim.Config{Seed: 3, UseCatalog: true, ProviderSchemas: []*tfschema.Document{zonesDoc(t)}}
	p := newSim(t, cfg)

	// Without a fixture or a resource, the read is generated in the
	// schema's shape: four zones of the region, so names[3] exists.
	zones, err := read(p, "huaweicloud_availability_zones", cty.EmptyObjectVal)
	if err != nil {
		t.Fatal(err)
	}
	want := cty.ListVal([]cty.Value{cty.StringVal("cn-north-4a"), cty.StringVal("cn-north-4b"), cty.StringVal("cn-north-4c"), cty.StringVal("cn-north-4d")})
	if !zones.GetAttr("names").RawEquals(want) || !zones.GetAttr("state").IsNull() || str(zones, "region") != sim.DefaultRegion {
		t.Fatalf("zones = %#v", zones)
	}

	// Arguments are echoed; ids are stable per seed and arguments.
	ubuntu := cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("Ubuntu 22.04")})
	img, err := read(p, "huaweicloud_images_image", ubuntu)
	if err != nil {
		t.Fatal(err)
	}
	if str(img, "name") != "Ubuntu 22.04" || !uuidRE.MatchString(str(img, "id")) || img.GetAttr("tags").LengthInt() != 4 || !img.Type().Equals(cty.Object(map[string]cty.Type{
		"id": cty.String, "name": cty.String, "most_recent": cty.Bool, "min_disk_gb": cty.Number,
		"tags": cty.List(cty.Object(map[string]cty.Type{"key": cty.String, "value": cty.String})),
	})) {
		t.Fatalf("image = %#v", img)
	}
	again, _ := read(newSim(t, cfg), "huaweicloud_images_image", ubuntu)
	other, _ := read(p, "huaweicloud_images_image", cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("CentOS")}))
	if !again.RawEquals(img) || str(other, "id") == str(img, "id") {
		t.Fatalf("same arguments: %s and %s; other arguments: %s", str(img, "id"), str(again, "id"), str(other, "id"))
	}

	// An argument the schema does not have is refused.
	if _, err := read(p, "huaweicloud_images_image", cty.ObjectVal(map[string]cty.Value{"colour": cty.StringVal("red")})); !errors.Is(err, provider.ErrInvalidConfig) {
		t.Fatalf("unknown argument: %v", err)
	}

	// A pinned answer wins and is completed to the schema's shape.
	cfg.Fixtures = []sim.Fixture{{Type: "huaweicloud_images_image", Attributes: map[string]cty.Value{"name": cty.StringVal("Ubuntu 22.04"), "id": cty.StringVal("img-1")}}}
	pinned, err := read(newSim(t, cfg), "huaweicloud_images_image", ubuntu)
	if err != nil || str(pinned, "id") != "img-1" || !pinned.Type().Equals(img.Type()) {
		t.Fatalf("pinned = %#v, %v", pinned, err)
	}
}

// The provider block's enable_force_new reaches the schemas of the
// configured provider.
func TestConfigure_EnableForceNew(t *testing.T) {
	doc, err := tfschema.Parse([]byte(`{"format_version":"1.0","provider_schemas":{"x":{"resource_schemas":{"huaweicloud_vpc":{"block":{"attributes":{
	  "id":{"type":"string","optional":true,"computed":true},"name":{"type":"string","required":true}}}}}}}}`),
		tfschema.Options{NonUpdatable: []byte(`{"huaweicloud_vpc":["name"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	p := newSim(t, sim.Config{ProviderSchemas: []*tfschema.Document{doc}})
	for _, on := range []bool{false, true} {
		cp, err := p.Configure(context.Background(), provider.ConfigureRequest{Name: "huaweicloud",
			Config: cty.ObjectVal(map[string]cty.Value{"enable_force_new": cty.BoolVal(on)})})
		if err != nil {
			t.Fatal(err)
		}
		s, ok := provider.SchemaOf(cp, "huaweicloud_vpc")
		if !ok || s.ForceNewEnabled != on || len(s.NonUpdatable) != 1 {
			t.Fatalf("enable_force_new %v: schema %+v", on, s)
		}
	}
	// Config.EnableForceNew (HW_ENABLE_FORCE_NEW) is the default a
	// provider block without enable_force_new gets, and a block that sets
	// it overrides.
	byDefault := newSim(t, sim.Config{ProviderSchemas: []*tfschema.Document{doc}, EnableForceNew: true})
	for _, tt := range []struct {
		block cty.Value
		want  bool
	}{
		{cty.NullVal(cty.EmptyObject), true},
		{cty.ObjectVal(map[string]cty.Value{"region": cty.StringVal("cn-east-3")}), true},
		{cty.ObjectVal(map[string]cty.Value{"enable_force_new": cty.NullVal(cty.Bool)}), true},
		{cty.ObjectVal(map[string]cty.Value{"enable_force_new": cty.False}), false},
	} {
		cp, err := byDefault.Configure(context.Background(), provider.ConfigureRequest{Name: "huaweicloud", Config: tt.block})
		if err != nil {
			t.Fatal(err)
		}
		if s, _ := provider.SchemaOf(cp, "huaweicloud_vpc"); s.ForceNewEnabled != tt.want {
			t.Errorf("block %#v: ForceNewEnabled %v, want %v", tt.block, s.ForceNewEnabled, tt.want)
		}
	}
	if s, _ := byDefault.Schema("huaweicloud_vpc"); !s.ForceNewEnabled {
		t.Error("the unconfigured provider does not have Config.EnableForceNew")
	}
}
