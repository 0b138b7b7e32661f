package sim_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	formation "github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/provider/tfschema"
	"github.com/zclconf/go-cty/cty"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestProvider_Lifecycle_SchemaLess(t *testing.T) {
	ctx := context.Background()
	p := newSim(t, sim.Config{Seed: 1})
	config := cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("web"), "size": cty.NumberIntVal(3)})
	created := mustCreate(t, p, provider.CreateRequest{TypeName: "acme_thing", Address: "acme_thing.web", Config: config, Token: "t1"})
	if !uuidRE.MatchString(created.ID) || str(created.State, "id") != created.ID {
		t.Fatalf("id %q, state %#v", created.ID, created.State)
	}
	if !created.State.GetAttr("size").RawEquals(cty.NumberIntVal(3)) {
		t.Fatalf("configured attribute not kept: %#v", created.State)
	}

	read, err := p.Read(ctx, provider.ReadRequest{TypeName: "acme_thing", Address: "acme_thing.web", ID: created.ID})
	if err != nil || !read.State.RawEquals(created.State) {
		t.Fatalf("Read = %#v, %v", read.State, err)
	}

	planned := cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("web2"), "colour": cty.StringVal("red"), "id": cty.UnknownVal(cty.String)})
	updated, err := p.Update(ctx, provider.UpdateRequest{TypeName: "acme_thing", Address: "acme_thing.web", ID: created.ID, Prior: created.State, Planned: planned, Token: "u1"})
	if err != nil {
		t.Fatal(err)
	}
	if str(updated.State, "name") != "web2" || str(updated.State, "id") != created.ID || updated.State.Type().HasAttribute("size") {
		t.Fatalf("updated state %#v", updated.State)
	}

	if err := p.Delete(ctx, provider.DeleteRequest{TypeName: "acme_thing", Address: "acme_thing.web", ID: created.ID, Token: "d1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Read(ctx, provider.ReadRequest{TypeName: "acme_thing", ID: created.ID}); !errors.Is(err, provider.ErrNotFound) {
		t.Fatalf("Read after delete: %v, want ErrNotFound", err)
	}
	if err := p.Delete(ctx, provider.DeleteRequest{TypeName: "acme_thing", ID: created.ID}); !errors.Is(err, provider.ErrNotFound) {
		t.Fatalf("second Delete: %v, want ErrNotFound", err)
	}
	if _, err := p.Update(ctx, provider.UpdateRequest{TypeName: "acme_thing", ID: created.ID, Planned: planned}); !errors.Is(err, provider.ErrNotFound) {
		t.Fatalf("Update after delete: %v, want ErrNotFound", err)
	}
	if n := len(p.Resources()); n != 0 {
		t.Fatalf("%d resources left", n)
	}
	var ops []sim.Op
	for _, c := range p.Calls() {
		ops = append(ops, c.Op)
	}
	want := []sim.Op{sim.OpCreate, sim.OpRead, sim.OpUpdate, sim.OpDelete, sim.OpRead, sim.OpDelete, sim.OpUpdate}
	if !equalOps(ops, want) {
		t.Fatalf("calls %v, want %v", ops, want)
	}
}

func equalOps(a, b []sim.Op) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestProvider_Create_TokenIsIdempotent(t *testing.T) {
	p := newSim(t, sim.Config{Seed: 7})
	first := mustCreate(t, p, createReq("huaweicloud_vpc.vpc", "dep-1/vpc"))
	again := mustCreate(t, p, createReq("huaweicloud_vpc.vpc", "dep-1/vpc"))
	if again.ID != first.ID || !again.State.RawEquals(first.State) {
		t.Fatalf("replay made %s, first %s", again.ID, first.ID)
	}
	if n := len(p.Resources()); n != 1 {
		t.Fatalf("%d resources, want 1", n)
	}
	calls := p.Calls()
	if len(calls) != 2 || calls[0].Replayed || !calls[1].Replayed || calls[1].ID != first.ID || calls[1].Token != "dep-1/vpc" {
		t.Fatalf("calls %+v", calls)
	}
	other := mustCreate(t, p, createReq("huaweicloud_vpc.vpc", "dep-2/vpc"))
	if other.ID == first.ID {
		t.Fatal("a new token made the same id")
	}

	// A token whose resource was deleted makes a new resource, with a new id.
	if err := p.Delete(context.Background(), provider.DeleteRequest{TypeName: "huaweicloud_vpc", ID: first.ID}); err != nil {
		t.Fatal(err)
	}
	reborn := mustCreate(t, p, createReq("huaweicloud_vpc.vpc", "dep-1/vpc"))
	if reborn.ID == first.ID || p.Calls()[len(p.Calls())-1].Replayed {
		t.Fatalf("recreate after delete: id %s (first %s)", reborn.ID, first.ID)
	}

	// Reusing a token for another type is a conflict.
	_, err := p.Create(context.Background(), provider.CreateRequest{TypeName: "huaweicloud_vpc_subnet", Address: "x", Config: vpc("a", "b"), Token: "dep-2/vpc"})
	if !errors.Is(err, provider.ErrConflict) {
		t.Fatalf("token reuse: %v, want ErrConflict", err)
	}
}

func TestProvider_Create_WithoutTokenAlwaysCreates(t *testing.T) {
	p := newSim(t, sim.Config{})
	a := mustCreate(t, p, createReq("huaweicloud_vpc.vpc", ""))
	b := mustCreate(t, p, createReq("huaweicloud_vpc.vpc", ""))
	if a.ID == b.ID || len(p.Resources()) != 2 {
		t.Fatalf("ids %s %s, %d resources", a.ID, b.ID, len(p.Resources()))
	}
}

// run performs a fixed sequence of calls and returns what it observed.
func run(t *testing.T, seed int64) ([]string, []sim.Call) {
	t.Helper()
	ctx := context.Background()
	p := newSim(t, sim.Config{Seed: seed, UseCatalog: true, Faults: []sim.Fault{
		{Match: sim.Match{Op: sim.OpCreate}, Probability: 0.3, Transient: true},
	}})
	var ids []string
	for i := range 20 {
		req := createReq("huaweicloud_vpc.vpc["+itoa(i)+"]", "dep/"+itoa(i))
		for attempt := 1; attempt <= 5; attempt++ {
			req.Attempt = attempt
			resp, err := p.Create(ctx, req)
			if err == nil {
				ids = append(ids, resp.ID, str(resp.State, "status"))
				if _, err := p.Read(ctx, provider.ReadRequest{TypeName: req.TypeName, Address: req.Address, ID: resp.ID}); err != nil {
					t.Fatal(err)
				}
				break
			}
		}
	}
	return ids, p.Calls()
}

func itoa(i int) string { return string(rune('0'+i/10)) + string(rune('0'+i%10)) }

func TestProvider_Deterministic(t *testing.T) {
	ids1, calls1 := run(t, 42)
	ids2, calls2 := run(t, 42)
	ids3, _ := run(t, 43)
	if len(ids1) == 0 || len(ids1) != len(ids2) {
		t.Fatalf("%d vs %d ids", len(ids1), len(ids2))
	}
	for i := range ids1 {
		if ids1[i] != ids2[i] {
			t.Fatalf("id %d differs: %s vs %s", i, ids1[i], ids2[i])
		}
	}
	if ids1[0] == ids3[0] {
		t.Fatal("another seed made the same id")
	}
	if len(calls1) != len(calls2) {
		t.Fatalf("%d vs %d calls", len(calls1), len(calls2))
	}
	failed := 0
	for i := range calls1 {
		a, b := calls1[i], calls2[i]
		if a.Op != b.Op || a.Address != b.Address || a.ID != b.ID || a.Attempt != b.Attempt || errText(a.Err) != errText(b.Err) {
			t.Fatalf("call %d differs:\n%+v\n%+v", i, a, b)
		}
		if a.Err != nil {
			failed++
		}
	}
	if failed == 0 {
		t.Fatal("the probabilistic fault never fired; the test proves nothing")
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestProvider_Create_ConfiguredIDConflicts(t *testing.T) {
	p := newSim(t, sim.Config{Schemas: map[string]provider.Schema{
		"acme_bucket": {IDAttribute: "bucket", Attributes: map[string]provider.Attribute{
			"bucket": {Type: cty.String, Required: true, ForceNew: true},
		}},
	}})
	cfg := cty.ObjectVal(map[string]cty.Value{"bucket": cty.StringVal("logs")})
	resp := mustCreate(t, p, provider.CreateRequest{TypeName: "acme_bucket", Address: "acme_bucket.a", Config: cfg, Token: "a"})
	if resp.ID != "logs" {
		t.Fatalf("id %q, want the bucket name", resp.ID)
	}
	_, err := p.Create(context.Background(), provider.CreateRequest{TypeName: "acme_bucket", Address: "acme_bucket.b", Config: cfg, Token: "b"})
	if !errors.Is(err, provider.ErrConflict) {
		t.Fatalf("second bucket: %v, want ErrConflict", err)
	}
}

func TestProvider_Create_RejectsBadConfig(t *testing.T) {
	p := newSim(t, sim.Config{UseCatalog: true})
	for name, cfg := range map[string]cty.Value{
		"missing required": cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("x")}),
		"unknown object":   cty.UnknownVal(cty.DynamicPseudoType),
		"not an object":    cty.StringVal("x"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := p.Create(context.Background(), provider.CreateRequest{TypeName: "huaweicloud_vpc", Address: "a", Config: cfg})
			if !errors.Is(err, provider.ErrInvalidConfig) {
				t.Fatalf("err = %v, want ErrInvalidConfig", err)
			}
		})
	}
	if _, err := p.Create(context.Background(), provider.CreateRequest{TypeName: "acme_x", Address: "a", Config: cty.NilVal}); !errors.Is(err, provider.ErrInvalidConfig) {
		t.Fatalf("schema-less nil config: %v", err)
	}
}

func TestProvider_Configure_Region(t *testing.T) {
	ctx := context.Background()
	base := newSim(t, sim.Config{UseCatalog: true})
	configured, err := base.Configure(ctx, provider.ConfigureRequest{Name: "huaweicloud",
		Config: cty.ObjectVal(map[string]cty.Value{"region": cty.StringVal("ap-southeast-1"), "access_key": cty.StringVal("x")})})
	if err != nil {
		t.Fatal(err)
	}
	schema, _ := base.Schema("huaweicloud_vpc")
	planned, _ := schema.PlannedValue(vpc("v", "10.0.0.0/16"))
	resp, err := configured.Create(ctx, provider.CreateRequest{TypeName: "huaweicloud_vpc", Address: "huaweicloud_vpc.v", Config: planned, Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if got := str(resp.State, "region"); got != "ap-southeast-1" {
		t.Fatalf("region %q", got)
	}
	// The configured provider shares the world with the one it came from.
	if len(base.Resources()) != 1 {
		t.Fatal("configured provider does not share the world")
	}
	for name, cfg := range map[string]cty.Value{
		"not object":    cty.StringVal("x"),
		"region number": cty.ObjectVal(map[string]cty.Value{"region": cty.NumberIntVal(1)}),
	} {
		if _, err := base.Configure(ctx, provider.ConfigureRequest{Name: "huaweicloud", Config: cfg}); !errors.Is(err, provider.ErrInvalidConfig) {
			t.Errorf("%s: %v, want ErrInvalidConfig", name, err)
		}
	}
	if p, err := base.Configure(ctx, provider.ConfigureRequest{Config: cty.NullVal(cty.EmptyObject)}); err != nil || p == nil {
		t.Errorf("null block: %v", err)
	}
}

// LoadSchema gives a document's type's schema, and the error of one that
// does not decode, which Schema reports as schema-less.
func TestProvider_LoadSchema(t *testing.T) {
	doc, err := tfschema.Parse([]byte(`{"format_version":"1.0","provider_schemas":{"x":{"resource_schemas":{
		"huaweicloud_vpc":{"block":{"attributes":{"name":{"type":"string","required":true}}}},
		"huaweicloud_bad":{"block":{"attributes":{"name":{"type":["mapp","string"],"required":true}}}}}}}}`), tfschema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := newSim(t, sim.Config{ProviderSchemas: []*tfschema.Document{doc}})
	if s, ok, err := p.LoadSchema("huaweicloud_vpc"); !ok || err != nil || !s.Attributes["name"].Required {
		t.Errorf("LoadSchema(huaweicloud_vpc) = %#v, %v, %v", s, ok, err)
	}
	if _, ok, err := p.LoadSchema("acme_x"); ok || err != nil {
		t.Errorf("LoadSchema of a schema-less type = %v, %v", ok, err)
	}
	if _, _, err := p.LoadSchema("huaweicloud_bad"); !errors.Is(err, provider.ErrInvalidConfig) || !strings.Contains(err.Error(), "huaweicloud_bad") {
		t.Errorf("LoadSchema of a type that does not decode: %v", err)
	}
	if _, ok := p.Schema("huaweicloud_bad"); ok {
		t.Error("Schema declares a type that does not decode")
	}
}

func TestNew_RejectsInvalidConfig(t *testing.T) {
	_, err := sim.New(sim.Config{
		Faults:        []sim.Fault{{Probability: 2}, {Times: -1}, {Match: sim.Match{Op: "explode"}}},
		Latency:       []sim.LatencyRule{{Duration: -1}},
		Schemas:       map[string]provider.Schema{"x": {}},
		ReplaceOrders: map[string]provider.ReplaceOrder{"x": "sideways"},
		Fixtures:      []sim.Fixture{{}},
	})
	if !formation.HasCode(err, formation.CodeInvalidParameter) {
		t.Fatalf("err = %v, want CodeInvalidParameter", err)
	}
	for _, want := range []string{"faults[0]", "faults[1]", "faults[2]", "latency[0]", "schemas[x]", "replace_orders[x]", "fixtures[0]"} {
		if !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(err.Error()) {
			t.Errorf("error does not mention %s: %v", want, err)
		}
	}
}

func TestProvider_ReplaceOrder(t *testing.T) {
	p := newSim(t, sim.Config{ReplaceOrders: map[string]provider.ReplaceOrder{"huaweicloud_vpc_eip": provider.CreateThenDelete}})
	if got := provider.ReplaceOrderOf(p, "huaweicloud_vpc_eip"); got != provider.CreateThenDelete {
		t.Errorf("eip order %v", got)
	}
	if got := provider.ReplaceOrderOf(p, "huaweicloud_vpc"); got != provider.DeleteThenCreate {
		t.Errorf("vpc order %v", got)
	}
}

func TestProvider_ContextCancelled(t *testing.T) {
	p := newSim(t, sim.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Create(ctx, createReq("a", "t")); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if len(p.Resources()) != 0 || len(p.Calls()) != 1 {
		t.Fatal("a cancelled create had an effect or was not recorded")
	}
}
