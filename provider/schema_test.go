package provider_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
)

// vpcSchema is a small schema with every attribute shape.
func vpcSchema() provider.Schema {
	return provider.Schema{Attributes: map[string]provider.Attribute{
		"id":     {Type: cty.String, Computed: true},
		"name":   {Type: cty.String, Required: true},
		"cidr":   {Type: cty.String, Required: true, ForceNew: true},
		"region": {Type: cty.String, Optional: true, Computed: true, ForceNew: true},
		"size":   {Type: cty.Number, Optional: true},
		"status": {Type: cty.String, Computed: true},
		"secret": {Type: cty.String, Optional: true, Sensitive: true},
	}}
}

func obj(attrs map[string]cty.Value) cty.Value { return cty.ObjectVal(attrs) }

func TestSchema_Validate(t *testing.T) {
	if err := vpcSchema().Validate(); err != nil {
		t.Fatalf("valid schema: %v", err)
	}
	tests := []struct {
		name   string
		schema provider.Schema
		want   string
	}{
		{"no id", provider.Schema{Attributes: map[string]provider.Attribute{"name": {Type: cty.String, Required: true}}}, `id attribute "id" is not declared`},
		{"id not string", provider.Schema{Attributes: map[string]provider.Attribute{"id": {Type: cty.Number, Computed: true}}}, `is not a string`},
		{"custom id missing", provider.Schema{IDAttribute: "bucket", Attributes: map[string]provider.Attribute{"id": {Type: cty.String, Computed: true}}}, `"bucket" is not declared`},
		{"no type", provider.Schema{Attributes: map[string]provider.Attribute{"id": {Type: cty.String, Computed: true}, "x": {Required: true}}}, `"x" has no type`},
		{"required and computed", provider.Schema{Attributes: map[string]provider.Attribute{"id": {Type: cty.String, Computed: true}, "x": {Type: cty.String, Required: true, Computed: true}}}, `required and also`},
		{"no shape", provider.Schema{Attributes: map[string]provider.Attribute{"id": {Type: cty.String, Computed: true}, "x": {Type: cty.String}}}, `neither required`},
		{"empty name", provider.Schema{Attributes: map[string]provider.Attribute{"id": {Type: cty.String, Computed: true}, "": {Type: cty.String, Optional: true}}}, `empty name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.schema.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestSchema_IDKey(t *testing.T) {
	if got := (provider.Schema{}).IDKey(); got != "id" {
		t.Errorf("default IDKey = %q", got)
	}
	if got := (provider.Schema{IDAttribute: "bucket"}).IDKey(); got != "bucket" {
		t.Errorf("IDKey = %q", got)
	}
}

func TestSchema_Coerce_ConvertsAndFillsNulls(t *testing.T) {
	got, err := vpcSchema().Coerce(obj(map[string]cty.Value{
		"name": cty.StringVal("vpc"),
		"cidr": cty.StringVal("10.0.0.0/16"),
		"size": cty.StringVal("3"), // converts to a number
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Type().Equals(vpcSchema().ImpliedType()) {
		t.Fatalf("type %#v, want the implied type", got.Type())
	}
	if !got.GetAttr("size").RawEquals(cty.NumberIntVal(3)) || !got.GetAttr("region").IsNull() {
		t.Fatalf("got %#v", got)
	}
}

func TestSchema_Coerce_ReportsEveryProblem(t *testing.T) {
	_, err := vpcSchema().Coerce(obj(map[string]cty.Value{
		"cidr":   cty.ListValEmpty(cty.String), // wrong type
		"status": cty.StringVal("ACTIVE"),      // computed only
		"colour": cty.StringVal("red"),         // not declared
	}))
	if !errors.Is(err, provider.ErrInvalidConfig) {
		t.Fatalf("err = %v, want ErrInvalidConfig", err)
	}
	for _, want := range []string{`"colour" is not supported`, `"name" is required`, `"status" is computed`, `"cidr": string required`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	var pe cty.PathError
	if !errors.As(err, &pe) {
		t.Errorf("error does not carry a cty.PathError")
	}
}

func TestSchema_Coerce_UnknownsAndNonObjects(t *testing.T) {
	s := vpcSchema()
	got, err := s.Coerce(cty.UnknownVal(cty.DynamicPseudoType))
	if err != nil || got.IsKnown() {
		t.Fatalf("wholly unknown config: %#v, %v", got, err)
	}
	// An unknown required attribute is fine: it will be known at apply.
	if _, err := s.Coerce(obj(map[string]cty.Value{"name": cty.UnknownVal(cty.String), "cidr": cty.StringVal("x")})); err != nil {
		t.Fatalf("unknown required attribute: %v", err)
	}
	for _, v := range []cty.Value{cty.NullVal(cty.EmptyObject), cty.StringVal("x"), cty.NilVal} {
		if _, err := s.Coerce(v); !errors.Is(err, provider.ErrInvalidConfig) {
			t.Errorf("Coerce(%#v) = %v, want ErrInvalidConfig", v, err)
		}
	}
}

// Coercing a coerced configuration, as a Validator and PlannedValue do with
// the engine's, changes nothing: the same value comes back, and planning it
// gives what planning the original gives.
func TestSchema_Coerce_Idempotent(t *testing.T) {
	s := vpcSchema()
	s.Attributes["tags"] = provider.Attribute{Type: cty.Map(cty.String), Optional: true}
	config := obj(map[string]cty.Value{
		"name": cty.StringVal("vpc"),
		"cidr": cty.UnknownVal(cty.String),
		"size": cty.StringVal("3"),
		"tags": obj(map[string]cty.Value{"env": cty.StringVal("test")}),
	})
	once, err := s.Coerce(config)
	if err != nil {
		t.Fatal(err)
	}
	twice, err := s.Coerce(once)
	if err != nil || !twice.RawEquals(once) {
		t.Fatalf("Coerce(Coerce(c)) = %#v, %v; want %#v", twice, err, once)
	}
	fromConfig, err := s.PlannedValue(config)
	if err != nil {
		t.Fatal(err)
	}
	fromCoerced, err := s.PlannedValue(once)
	if err != nil || !fromCoerced.RawEquals(fromConfig) {
		t.Fatalf("PlannedValue(Coerce(c)) = %#v, %v; want %#v", fromCoerced, err, fromConfig)
	}
	// The checks still apply to a configuration of the implied type.
	bad := obj(map[string]cty.Value{
		"id": cty.StringVal("set"), "name": cty.NullVal(cty.String), "cidr": cty.StringVal("x"),
		"region": cty.NullVal(cty.String), "size": cty.NullVal(cty.Number), "status": cty.NullVal(cty.String),
		"secret": cty.NullVal(cty.String), "tags": cty.NullVal(cty.Map(cty.String)),
	})
	if _, err := s.Coerce(bad); err == nil || !strings.Contains(err.Error(), `"id" is computed`) || !strings.Contains(err.Error(), `"name" is required`) {
		t.Fatalf("Coerce of an invalid configuration of the implied type: %v", err)
	}
}

func TestSchema_PlannedValue_MarksComputedUnknown(t *testing.T) {
	got, err := vpcSchema().PlannedValue(obj(map[string]cty.Value{
		"name":   cty.StringVal("vpc"),
		"cidr":   cty.StringVal("10.0.0.0/16"),
		"region": cty.StringVal("cn-north-4"),
	}))
	if err != nil {
		t.Fatal(err)
	}
	for name, known := range map[string]bool{"id": false, "status": false, "region": true, "name": true, "size": true} {
		if got.GetAttr(name).IsKnown() != known {
			t.Errorf("%s known = %v, want %v", name, !known, known)
		}
	}
	if !got.GetAttr("size").IsNull() {
		t.Errorf("unset optional attribute is %#v, want null", got.GetAttr("size"))
	}
}

func TestSchema_PlannedUpdate_KeepsPriorComputed(t *testing.T) {
	s := vpcSchema()
	prior := obj(map[string]cty.Value{
		"id": cty.StringVal("v-1"), "name": cty.StringVal("old"), "cidr": cty.StringVal("10.0.0.0/16"),
		"region": cty.StringVal("cn-north-4"), "size": cty.NumberIntVal(1), "status": cty.StringVal("ACTIVE"),
		"secret": cty.NullVal(cty.String),
	})
	got, err := s.PlannedUpdate(prior, obj(map[string]cty.Value{"name": cty.StringVal("new"), "cidr": cty.StringVal("10.0.0.0/16")}))
	if err != nil {
		t.Fatal(err)
	}
	want := obj(map[string]cty.Value{
		"id": cty.StringVal("v-1"), "name": cty.StringVal("new"), "cidr": cty.StringVal("10.0.0.0/16"),
		"region": cty.StringVal("cn-north-4"), "size": cty.NullVal(cty.Number), "status": cty.StringVal("ACTIVE"),
		"secret": cty.NullVal(cty.String),
	})
	if !got.RawEquals(want) {
		t.Fatalf("PlannedUpdate =\n%#v\nwant\n%#v", got, want)
	}
	if paths := s.RequiresReplace(prior, got); len(paths) != 0 {
		t.Fatalf("RequiresReplace = %#v, want none", paths)
	}
}

func TestSchema_RequiresReplace(t *testing.T) {
	s := vpcSchema()
	prior, _ := s.PlannedUpdate(obj(map[string]cty.Value{"id": cty.StringVal("v-1"), "region": cty.StringVal("r1"), "status": cty.StringVal("ACTIVE")}),
		obj(map[string]cty.Value{"name": cty.StringVal("a"), "cidr": cty.StringVal("10.0.0.0/16")}))
	tests := []struct {
		name   string
		config map[string]cty.Value
		want   []string
	}{
		{"name only", map[string]cty.Value{"name": cty.StringVal("b"), "cidr": cty.StringVal("10.0.0.0/16")}, nil},
		{"cidr", map[string]cty.Value{"name": cty.StringVal("a"), "cidr": cty.StringVal("10.1.0.0/16")}, []string{"cidr"}},
		{"cidr and region", map[string]cty.Value{"name": cty.StringVal("a"), "cidr": cty.StringVal("10.1.0.0/16"), "region": cty.StringVal("r2")}, []string{"cidr", "region"}},
		{"unknown cidr", map[string]cty.Value{"name": cty.StringVal("a"), "cidr": cty.UnknownVal(cty.String)}, []string{"cidr"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			planned, err := s.PlannedUpdate(prior, obj(tt.config))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range s.RequiresReplace(prior, planned) {
				got = append(got, p[0].(cty.GetAttrStep).Name)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("RequiresReplace = %v, want %v", got, tt.want)
			}
		})
	}
	if got := s.RequiresReplace(cty.NullVal(s.ImpliedType()), prior); got != nil {
		t.Errorf("create: RequiresReplace = %v, want nil", got)
	}
}

func TestInferSchema(t *testing.T) {
	config := obj(map[string]cty.Value{"name": cty.StringVal("x"), "count": cty.NumberIntVal(2)})
	s := provider.InferSchema(config)
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	planned, err := s.PlannedValue(config)
	if err != nil {
		t.Fatal(err)
	}
	if planned.GetAttr("id").IsKnown() || !planned.GetAttr("count").RawEquals(cty.NumberIntVal(2)) {
		t.Fatalf("planned = %#v", planned)
	}
	withID := provider.InferSchema(obj(map[string]cty.Value{"id": cty.StringVal("given")}))
	if a := withID.Attributes["id"]; !a.Optional || !a.Computed {
		t.Fatalf("configured id attribute = %+v, want optional and computed", a)
	}
	if got := provider.InferSchema(cty.NullVal(cty.DynamicPseudoType)); len(got.Attributes) != 1 {
		t.Fatalf("null config: %v", got.Attributes)
	}
}

func TestSchema_OptionalNestedAttributes(t *testing.T) {
	s := provider.Schema{Attributes: map[string]provider.Attribute{
		"id": {Type: cty.String, Computed: true},
		"network": {Type: cty.List(cty.ObjectWithOptionalAttrs(map[string]cty.Type{
			"uuid": cty.String, "fixed_ip_v4": cty.String,
		}, []string{"fixed_ip_v4"})), Required: true},
	}}
	got, err := s.PlannedValue(obj(map[string]cty.Value{
		"network": cty.TupleVal([]cty.Value{obj(map[string]cty.Value{"uuid": cty.StringVal("n-1")})}),
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Type().Equals(s.ImpliedType()) {
		t.Fatalf("type %#v, want %#v", got.Type(), s.ImpliedType())
	}
}

// CoercePlanned gives what Coerce gives and what PlannedValue gives for
// Coerce's result: the same values and the same errors.
func TestSchema_CoercePlanned_AsCoerceThenPlannedValue(t *testing.T) {
	nested := provider.Schema{Attributes: map[string]provider.Attribute{
		"id": {Type: cty.String, Computed: true},
		"network": {Type: cty.List(cty.ObjectWithOptionalAttrs(map[string]cty.Type{
			"uuid": cty.String, "fixed_ip_v4": cty.String,
		}, []string{"fixed_ip_v4"})), Required: true},
	}}
	noComputed := provider.Schema{Attributes: map[string]provider.Attribute{"id": {Type: cty.String, Required: true}}}
	configs := []cty.Value{
		obj(map[string]cty.Value{"name": cty.StringVal("vpc"), "cidr": cty.StringVal("10.0.0.0/16"), "size": cty.StringVal("3")}),
		obj(map[string]cty.Value{"name": cty.StringVal("vpc"), "cidr": cty.UnknownVal(cty.String), "region": cty.StringVal("r")}),
		obj(map[string]cty.Value{"name": cty.StringVal("vpc"), "cidr": cty.StringVal("x"), "region": cty.NullVal(cty.String),
			"id": cty.NullVal(cty.String), "status": cty.NullVal(cty.String), "size": cty.NullVal(cty.Number), "secret": cty.NullVal(cty.String)}),
		obj(map[string]cty.Value{"cidr": cty.ListValEmpty(cty.String), "status": cty.StringVal("ACTIVE"), "colour": cty.StringVal("red")}),
		obj(map[string]cty.Value{"id": cty.StringVal("set"), "name": cty.StringVal("a"), "parent": cty.StringVal("p")}),
		obj(map[string]cty.Value{"name": cty.StringVal("a"), "parent": cty.UnknownVal(cty.String)}),
		obj(map[string]cty.Value{"network": cty.TupleVal([]cty.Value{obj(map[string]cty.Value{"uuid": cty.StringVal("n-1")})})}),
		obj(map[string]cty.Value{"id": cty.StringVal("i")}),
		obj(map[string]cty.Value{"id": cty.NumberIntVal(1)}),
		cty.EmptyObjectVal, cty.UnknownVal(cty.DynamicPseudoType), cty.UnknownVal(cty.EmptyObject),
		cty.NullVal(cty.EmptyObject), cty.StringVal("x"), cty.NilVal,
	}
	schemas := []provider.Schema{vpcSchema(), nested, noComputed}
	for _, c := range configs {
		schemas = append(schemas, provider.InferSchema(c))
	}
	for _, s := range schemas {
		for _, c := range configs {
			coerced, planned, err := s.CoercePlanned(c)
			wantCoerced, wantErr := s.Coerce(c)
			wantPlanned := cty.NilVal
			if wantErr == nil {
				var perr error
				if wantPlanned, perr = s.PlannedValue(wantCoerced); perr != nil {
					t.Fatalf("PlannedValue(%#v): %v", wantCoerced, perr)
				}
			}
			if fmt.Sprint(err) != fmt.Sprint(wantErr) || !errors.Is(err, provider.ErrInvalidConfig) && wantErr != nil {
				t.Errorf("CoercePlanned(%#v) error %v, Coerce gives %v", c, err, wantErr)
			}
			if !sameValue(coerced, wantCoerced) || !sameValue(planned, wantPlanned) {
				t.Errorf("CoercePlanned(%#v) = %#v, %#v; want %#v, %#v", c, coerced, planned, wantCoerced, wantPlanned)
			}
		}
	}
}

// sameValue is RawEquals, where both may be cty.NilVal.
func sameValue(a, b cty.Value) bool {
	if a == cty.NilVal || b == cty.NilVal {
		return a == cty.NilVal && b == cty.NilVal
	}
	return a.RawEquals(b)
}
