package provider_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
)

// instanceSchema has a list block with a computed attribute inside, a set
// block, a single block and a force-new attribute inside a block.
func instanceSchema() provider.Schema {
	network := &provider.Block{Nesting: provider.NestingList, MinItems: 1, MaxItems: 2, Attributes: map[string]provider.Attribute{
		"uuid":        {Type: cty.String, Required: true, ForceNew: true},
		"fixed_ip_v4": {Type: cty.String, Optional: true, Computed: true},
	}}
	tags := &provider.Block{Nesting: provider.NestingSet, Attributes: map[string]provider.Attribute{
		"key":   {Type: cty.String, Required: true},
		"value": {Type: cty.String, Optional: true},
		"ref":   {Type: cty.String, Computed: true},
	}}
	timeouts := &provider.Block{Nesting: provider.NestingSingle, Attributes: map[string]provider.Attribute{
		"create": {Type: cty.String, Optional: true},
	}}
	return provider.Schema{Attributes: map[string]provider.Attribute{
		"id":       {Type: cty.String, Computed: true},
		"name":     {Type: cty.String, Required: true},
		"network":  {Type: network.Type(), Optional: true, Block: network},
		"tag":      {Type: tags.Type(), Optional: true, Block: tags},
		"timeouts": {Type: timeouts.Type(), Optional: true, Block: timeouts},
	}, NonUpdatable: []string{"name"}}
}

func block(attrs map[string]cty.Value) cty.Value { return cty.ObjectVal(attrs) }

func blocks(objs ...cty.Value) cty.Value { return cty.TupleVal(objs) }

func TestSchema_Blocks_Validate(t *testing.T) {
	if err := instanceSchema().Validate(); err != nil {
		t.Fatal(err)
	}
	bad := instanceSchema()
	a := bad.Attributes["network"]
	a.Type = cty.List(cty.String)
	bad.Attributes["network"] = a
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), `block "network"`) {
		t.Fatalf("a block attribute of the wrong type: %v", err)
	}
}

func TestSchema_Blocks_CoerceAndPlan(t *testing.T) {
	s := instanceSchema()
	config := obj(map[string]cty.Value{
		"name":     cty.StringVal("vm"),
		"network":  blocks(block(map[string]cty.Value{"uuid": cty.StringVal("net-1")})),
		"tag":      blocks(block(map[string]cty.Value{"key": cty.StringVal("env"), "value": cty.StringVal("dev")})),
		"timeouts": blocks(block(map[string]cty.Value{"create": cty.StringVal("10m")})),
	})
	coerced, planned, err := s.CoercePlanned(config)
	if err != nil {
		t.Fatal(err)
	}
	if !coerced.Type().Equals(s.ImpliedType()) || !planned.Type().Equals(s.ImpliedType()) {
		t.Fatalf("types %#v / %#v, want %#v", coerced.Type(), planned.Type(), s.ImpliedType())
	}
	if got := coerced.GetAttr("timeouts").GetAttr("create"); !got.RawEquals(cty.StringVal("10m")) {
		t.Fatalf("single block = %#v", coerced.GetAttr("timeouts"))
	}
	net0 := planned.GetAttr("network").Index(cty.Zero)
	if net0.GetAttr("fixed_ip_v4").IsKnown() || !net0.GetAttr("uuid").RawEquals(cty.StringVal("net-1")) {
		t.Fatalf("planned network = %#v: want the computed fixed_ip_v4 unknown, uuid kept", net0)
	}

	// After apply the computed values are known; planning the same
	// configuration again keeps them, in the list by index and in the set
	// by the configured attributes.
	prior := obj(map[string]cty.Value{
		"id":   cty.StringVal("i-1"),
		"name": cty.StringVal("vm"),
		"network": cty.ListVal([]cty.Value{block(map[string]cty.Value{
			"uuid": cty.StringVal("net-1"), "fixed_ip_v4": cty.StringVal("192.168.0.8")})}),
		"tag": cty.SetVal([]cty.Value{block(map[string]cty.Value{
			"key": cty.StringVal("env"), "value": cty.StringVal("dev"), "ref": cty.StringVal("r-1")})}),
		"timeouts": block(map[string]cty.Value{"create": cty.StringVal("10m")}),
	})
	again, err := s.PlannedUpdate(prior, coerced)
	if err != nil {
		t.Fatal(err)
	}
	if !again.RawEquals(prior) {
		t.Fatalf("re-plan = %#v, want the prior object", again)
	}
	if got := s.RequiresReplace(prior, again); len(got) != 0 {
		t.Fatalf("RequiresReplace = %v, want none", got)
	}

	// A force-new attribute inside a block replaces the resource.
	moved := obj(map[string]cty.Value{
		"name":    cty.StringVal("vm"),
		"network": blocks(block(map[string]cty.Value{"uuid": cty.StringVal("net-2")})),
	})
	mc, err := s.Coerce(moved)
	if err != nil {
		t.Fatal(err)
	}
	mp, err := s.PlannedUpdate(prior, mc)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.RequiresReplace(prior, mp); len(got) != 1 || got[0][0].(cty.GetAttrStep).Name != "network" {
		t.Fatalf("RequiresReplace = %v, want network", got)
	}
}

func TestSchema_Blocks_Problems(t *testing.T) {
	s := instanceSchema()
	net := func(attrs map[string]cty.Value) cty.Value { return block(attrs) }
	tests := []struct {
		name   string
		config map[string]cty.Value
		want   string
	}{
		{"no network", map[string]cty.Value{"name": cty.StringVal("vm")}, `insufficient "network" blocks: at least 1 required, 0 given`},
		{"three networks", map[string]cty.Value{"name": cty.StringVal("vm"), "network": blocks(
			net(map[string]cty.Value{"uuid": cty.StringVal("a")}), net(map[string]cty.Value{"uuid": cty.StringVal("b")}), net(map[string]cty.Value{"uuid": cty.StringVal("c")}))},
			`too many "network" blocks: no more than 2 allowed, 3 given`},
		{"missing uuid", map[string]cty.Value{"name": cty.StringVal("vm"), "network": blocks(net(map[string]cty.Value{}))}, `attribute "uuid" is required`},
		{"unknown argument", map[string]cty.Value{"name": cty.StringVal("vm"), "network": blocks(net(map[string]cty.Value{"uuid": cty.StringVal("a"), "mac": cty.StringVal("x")}))}, `attribute "mac" is not supported`},
		{"two timeouts", map[string]cty.Value{"name": cty.StringVal("vm"), "network": blocks(net(map[string]cty.Value{"uuid": cty.StringVal("a")})),
			"timeouts": blocks(block(map[string]cty.Value{}), block(map[string]cty.Value{}))}, `too many "timeouts" blocks: no more than 1 allowed`},
		{"wrong type", map[string]cty.Value{"name": cty.StringVal("vm"), "network": cty.StringVal("a")}, `"network" takes blocks, not string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Coerce(obj(tt.config))
			if !errors.Is(err, provider.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Coerce: %v, want %q", err, tt.want)
			}
			var pe cty.PathError
			if !errors.As(err, &pe) || len(pe.Path) == 0 {
				t.Fatalf("no path in %v", err)
			}
		})
	}
}

func TestSchema_NonUpdatable(t *testing.T) {
	s := instanceSchema()
	net := blocks(block(map[string]cty.Value{"uuid": cty.StringVal("a")}))
	plan := func(prior cty.Value, name, force string) cty.Value {
		t.Helper()
		attrs := map[string]cty.Value{"name": cty.StringVal(name), "network": net}
		if force != "" {
			s.Attributes["enable_force_new"] = provider.Attribute{Type: cty.String, Optional: true}
			attrs["enable_force_new"] = cty.StringVal(force)
		}
		c, err := s.Coerce(obj(attrs))
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.PlannedUpdate(prior, c)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	created := plan(cty.NilVal, "a", "")
	created, _ = cty.Transform(created, func(_ cty.Path, v cty.Value) (cty.Value, error) {
		if !v.IsKnown() {
			return cty.StringVal("x"), nil
		}
		return v, nil
	})
	renamed := plan(created, "b", "")
	err := s.UpdateError(created, renamed)
	if !errors.Is(err, provider.ErrInvalidConfig) || !strings.Contains(err.Error(), `name can't be updated, "a" -> "b"`) {
		t.Fatalf("UpdateError = %v", err)
	}
	if got := s.RequiresReplace(created, renamed); len(got) != 0 {
		t.Fatalf("RequiresReplace without enable_force_new = %v", got)
	}
	if err := s.UpdateError(created, plan(created, "a", "")); err != nil {
		t.Fatalf("unchanged: %v", err)
	}
	forced := plan(created, "b", "true")
	if err := s.UpdateError(created, forced); err != nil {
		t.Fatalf("with enable_force_new: %v", err)
	}
	if got := s.RequiresReplace(created, forced); len(got) != 1 || got[0][0].(cty.GetAttrStep).Name != "name" {
		t.Fatalf("RequiresReplace with enable_force_new = %v, want name", got)
	}
	// The provider's own enable_force_new does the same for every resource.
	s.ForceNewEnabled = true
	if err := s.UpdateError(created, renamed); err != nil {
		t.Fatalf("with the provider's enable_force_new: %v", err)
	}
	if got := s.RequiresReplace(created, renamed); len(got) != 1 {
		t.Fatalf("RequiresReplace with the provider's enable_force_new = %v, want name", got)
	}
	// The resource's own enable_force_new comes first, as the provider's
	// GetForceNew reads it: "false" refuses the change again.
	kept := plan(created, "b", "false")
	if err := s.UpdateError(created, kept); !errors.Is(err, provider.ErrInvalidConfig) {
		t.Fatalf("resource enable_force_new false, provider's true: UpdateError = %v", err)
	}
	if got := s.RequiresReplace(created, kept); len(got) != 0 {
		t.Fatalf("resource enable_force_new false, provider's true: RequiresReplace = %v", got)
	}
}

// A default is what the plan gives an attribute the configuration leaves
// null, at the top level and inside blocks; planning again keeps it.
func TestSchema_Defaults(t *testing.T) {
	disk := &provider.Block{Nesting: provider.NestingSet, Attributes: map[string]provider.Attribute{
		"size": {Type: cty.Number, Required: true},
		"type": {Type: cty.String, Optional: true, Default: cty.StringVal("SSD")},
	}}
	s := provider.Schema{Attributes: map[string]provider.Attribute{
		"id":    {Type: cty.String, Computed: true},
		"level": {Type: cty.Number, Optional: true, Default: cty.NumberIntVal(2)},
		"disk":  {Type: disk.Type(), Optional: true, Block: disk},
	}}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	config := obj(map[string]cty.Value{"disk": blocks(block(map[string]cty.Value{"size": cty.NumberIntVal(40)}))})
	_, planned, err := s.CoercePlanned(config)
	if err != nil {
		t.Fatal(err)
	}
	d := planned.GetAttr("disk").AsValueSlice()[0]
	if !planned.GetAttr("level").RawEquals(cty.NumberIntVal(2)) || !d.GetAttr("type").RawEquals(cty.StringVal("SSD")) {
		t.Fatalf("planned %#v", planned)
	}
	prior := cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("x"), "level": planned.GetAttr("level"), "disk": planned.GetAttr("disk")})
	coerced, _ := s.Coerce(config)
	if again, err := s.PlannedUpdate(prior, coerced); err != nil || !again.RawEquals(prior) {
		t.Fatalf("re-plan %#v, %v", again, err)
	}
	bad := s
	bad.Attributes = map[string]provider.Attribute{"id": {Type: cty.String, Computed: true}, "level": {Type: cty.Number, Optional: true, Default: cty.StringVal("two")}}
	if err := bad.Validate(); err == nil {
		t.Fatal("a default of the wrong type is accepted")
	}
}

// Coercing a coerced configuration with blocks, as the simulator's
// Validator does with the one the engine hands it, gives it back as it is.
// A compiled schema builds nothing for it: it allocates less than building
// the object once does.
func TestSchema_Blocks_CoerceIdempotent(t *testing.T) {
	timeouts := &provider.Block{Nesting: provider.NestingSingle, Attributes: map[string]provider.Attribute{
		"create": {Type: cty.String, Optional: true},
	}}
	vpc := provider.Schema{Attributes: map[string]provider.Attribute{
		"id":       {Type: cty.String, Computed: true},
		"name":     {Type: cty.String, Required: true},
		"cidr":     {Type: cty.String, Optional: true},
		"timeouts": {Type: timeouts.Type(), Optional: true, Block: timeouts},
	}}
	for _, c := range []struct {
		s      provider.Schema
		config cty.Value
	}{
		{vpc, obj(map[string]cty.Value{"name": cty.StringVal("vpc")})},
		{vpc, obj(map[string]cty.Value{"name": cty.StringVal("vpc"), "timeouts": blocks(block(map[string]cty.Value{"create": cty.StringVal("10m")}))})},
		{instanceSchema(), obj(map[string]cty.Value{
			"name":     cty.StringVal("vm"),
			"network":  blocks(block(map[string]cty.Value{"uuid": cty.StringVal("net-1")})),
			"tag":      blocks(block(map[string]cty.Value{"key": cty.StringVal("env"), "value": cty.StringVal("dev")})),
			"timeouts": blocks(block(map[string]cty.Value{"create": cty.StringVal("10m")})),
		})},
	} {
		for _, s := range []provider.Schema{c.s, c.s.Compile()} {
			once, err := s.Coerce(c.config)
			if err != nil {
				t.Fatal(err)
			}
			twice, err := s.Coerce(once)
			if err != nil || !twice.RawEquals(once) {
				t.Fatalf("Coerce(Coerce(c)) = %#v, %v; want %#v", twice, err, once)
			}
		}
	}
	if raceEnabled {
		return
	}
	s := vpc.Compile()
	for _, config := range []cty.Value{
		obj(map[string]cty.Value{"name": cty.StringVal("vpc")}),
		obj(map[string]cty.Value{"name": cty.StringVal("vpc"), "timeouts": blocks(block(map[string]cty.Value{"create": cty.StringVal("10m")}))}),
	} {
		once, _ := s.Coerce(config)
		attrs := once.AsValueMap()
		build := testing.AllocsPerRun(10, func() { _ = cty.ObjectVal(attrs) })
		if again := testing.AllocsPerRun(10, func() { _, _ = s.Coerce(once) }); again >= build {
			t.Errorf("coercing %#v again allocates %v times, building it %v", once, again, build)
		}
	}
}

// A compiled schema plans exactly as the schema does, however many
// configurations it plans one after the other (it reuses what it builds
// objects in).
func TestSchema_Compile_PlansAsDeclared(t *testing.T) {
	prior := obj(map[string]cty.Value{
		"id":   cty.StringVal("i-1"),
		"name": cty.StringVal("vm"),
		"network": cty.ListVal([]cty.Value{block(map[string]cty.Value{
			"uuid": cty.StringVal("net-1"), "fixed_ip_v4": cty.StringVal("192.168.0.8")})}),
		"tag": cty.SetVal([]cty.Value{block(map[string]cty.Value{
			"key": cty.StringVal("env"), "value": cty.StringVal("dev"), "ref": cty.StringVal("r-1")})}),
		"timeouts": block(map[string]cty.Value{"create": cty.StringVal("10m")}),
	})
	net := func(uuid string) cty.Value { return blocks(block(map[string]cty.Value{"uuid": cty.StringVal(uuid)})) }
	configs := []cty.Value{
		obj(map[string]cty.Value{"name": cty.StringVal("vm"), "network": net("net-1")}),
		obj(map[string]cty.Value{"name": cty.StringVal("vm"), "network": net("net-2"),
			"tag":      blocks(block(map[string]cty.Value{"key": cty.StringVal("env"), "value": cty.StringVal("dev")})),
			"timeouts": blocks(block(map[string]cty.Value{"create": cty.StringVal("10m")}))}),
		obj(map[string]cty.Value{"name": cty.UnknownVal(cty.String), "network": cty.UnknownVal(cty.DynamicPseudoType)}),
		obj(map[string]cty.Value{"name": cty.StringVal("vm")}),
		obj(map[string]cty.Value{"id": cty.StringVal("set"), "colour": cty.StringVal("red"), "network": cty.StringVal("x")}),
		obj(map[string]cty.Value{"name": cty.NumberIntVal(1), "network": net("net-3"), "timeouts": cty.NullVal(cty.DynamicPseudoType)}),
		prior,
		cty.UnknownVal(cty.DynamicPseudoType), cty.NullVal(cty.EmptyObject), cty.StringVal("x"),
	}
	for _, s := range []provider.Schema{instanceSchema(), vpcSchema(), provider.InferSchema(configs[1])} {
		c := s.Compile()
		if !c.ImpliedType().Equals(s.ImpliedType()) {
			t.Errorf("implied type %#v, want %#v", c.ImpliedType(), s.ImpliedType())
		}
		for range 3 {
			for _, config := range configs {
				same := func(what string, got, want cty.Value, gotErr, wantErr error) {
					t.Helper()
					if !sameValue(got, want) || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
						t.Errorf("%s(%#v) compiled = %#v, %v; want %#v, %v", what, config, got, gotErr, want, wantErr)
					}
				}
				got, gotErr := c.Coerce(config)
				want, wantErr := s.Coerce(config)
				same("Coerce", got, want, gotErr, wantErr)
				gotC, gotP, gotErr := c.CoercePlanned(config)
				wantC, wantP, wantErr := s.CoercePlanned(config)
				same("CoercePlanned", gotC, wantC, gotErr, wantErr)
				same("CoercePlanned", gotP, wantP, gotErr, wantErr)
				got, gotErr = c.PlannedUpdate(prior, config)
				want, wantErr = s.PlannedUpdate(prior, config)
				same("PlannedUpdate", got, want, gotErr, wantErr)
				if wantErr == nil {
					if g, w := fmt.Sprint(c.RequiresReplace(prior, got)), fmt.Sprint(s.RequiresReplace(prior, want)); g != w {
						t.Errorf("RequiresReplace(%#v) compiled = %s, want %s", config, g, w)
					}
				}
			}
		}
	}
}
