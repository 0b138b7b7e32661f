package valuejson

import (
	"bytes"
	"maps"
	"math"
	"math/big"
	"reflect"
	"testing"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// values covers every kind of value and type go-cty's encoder handles,
// and the cases this package hands back to it.
func values() []cty.Value {
	obj := cty.ObjectVal(map[string]cty.Value{
		"name":   cty.StringVal("vpc-1"),
		"size":   cty.NumberIntVal(3),
		"on":     cty.True,
		"tags":   cty.MapVal(map[string]cty.Value{"b": cty.StringVal("2"), "a": cty.StringVal("1")}),
		"cidrs":  cty.ListVal([]cty.Value{cty.StringVal("10.0.0.0/16")}),
		"zones":  cty.SetVal([]cty.Value{cty.StringVal("z2"), cty.StringVal("z1")}),
		"pair":   cty.TupleVal([]cty.Value{cty.StringVal("x"), cty.NumberFloatVal(1.5)}),
		"none":   cty.NullVal(cty.String),
		"empty":  cty.ListValEmpty(cty.Number),
		"nested": cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("i")}),
	})
	return []cty.Value{
		cty.StringVal(""),
		cty.StringVal("plain text 123"),
		cty.StringVal(`quote " backslash \ tab	newline
html <a href="x">&amp;</a>`),
		cty.StringVal("ünïcødé ✓ \u2028 \u2029"),
		cty.StringVal(string([]byte{0xff, 'a'})), // invalid UTF-8, as go-cty keeps it
		cty.NumberIntVal(0),
		cty.NumberIntVal(-42),
		cty.NumberIntVal(math.MaxInt64),
		cty.NumberIntVal(math.MinInt64),
		cty.NumberFloatVal(3.25),
		cty.NumberFloatVal(1e300),
		cty.NumberFloatVal(-1e-300),
		cty.NumberVal(new(big.Float).SetInf(false)),       // refused by both
		cty.NumberVal(new(big.Float).Neg(new(big.Float))), // negative zero
		cty.NumberVal(new(big.Float).Mul(big.NewFloat(math.MaxInt64), big.NewFloat(1000))),
		cty.True,
		cty.False,
		cty.NullVal(cty.DynamicPseudoType),
		cty.NullVal(cty.List(cty.String)),
		cty.DynamicVal,
		cty.UnknownVal(cty.String),
		obj,
		cty.ListVal([]cty.Value{obj, obj}),
		cty.MapVal(map[string]cty.Value{"k<>": cty.NumberIntVal(1)}),
		cty.ObjectVal(map[string]cty.Value{
			"id":   cty.UnknownVal(cty.String),
			"list": cty.ListVal([]cty.Value{cty.UnknownVal(cty.Number), cty.NumberIntVal(1)}),
			"any":  cty.DynamicVal,
		}),
		cty.StringVal("secret").Mark("sensitive"),
		cty.ObjectVal(map[string]cty.Value{"p": cty.StringVal("x").Mark("sensitive")}),
		cty.CapsuleVal(cty.Capsule("thing", reflect.TypeFor[int]()), new(int)),
	}
}

// types are the types each value is written as: its own, and dynamic.
func types(v cty.Value) []cty.Type {
	out := []cty.Type{cty.DynamicPseudoType}
	if v.Type() != cty.DynamicPseudoType {
		out = append(out, v.Type())
	}
	if v.Type().IsObjectType() {
		// Declared with an optional attribute and a dynamic one.
		atys := maps.Clone(v.Type().AttributeTypes())
		for name := range atys {
			atys[name] = cty.DynamicPseudoType
			out = append(out, cty.ObjectWithOptionalAttrs(atys, []string{name}))
			break
		}
	}
	return out
}

// asGoCty checks that marshal writes, for every value and type, the bytes
// and the failure go-cty writes for the value as prepare gives it.
func asGoCty(t *testing.T, marshal func(cty.Value, cty.Type) ([]byte, error), prepare func(cty.Value) cty.Value) {
	t.Helper()
	for _, v := range values() {
		for _, ty := range types(v) {
			want, wantErr := ctyjson.Marshal(prepare(v), ty)
			got, err := marshal(v, ty)
			if (err != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
				t.Errorf("%#v as %#v\n got %s, %v\nwant %s, %v", v, ty, got, err, want, wantErr)
			}
		}
	}
}

func TestMarshal_AsGoCty(t *testing.T) {
	asGoCty(t, Marshal, func(v cty.Value) cty.Value { return v })
}

func TestMarshalKnown_AsGoCtyAfterTransform(t *testing.T) {
	asGoCty(t, MarshalKnown, func(v cty.Value) cty.Value {
		known, err := cty.Transform(v, func(_ cty.Path, v cty.Value) (cty.Value, error) {
			if !v.IsKnown() {
				return cty.NullVal(v.Type()), nil
			}
			return v, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return known
	})
}

// The fast path must take every value a record holds — known, unmarked,
// finite, without capsules: a value that falls back to go-cty gains
// nothing.
func TestMarshal_FastPathTakesRecords(t *testing.T) {
	taken := 0
	for _, v := range values() {
		if !v.IsWhollyKnown() || v.ContainsMarked() || v.Type().IsCapsuleType() || (v.Type() == cty.Number && v.AsBigFloat().IsInf()) {
			continue
		}
		taken++
		if _, err := appendValue(nil, v, cty.DynamicPseudoType, false); err != nil {
			t.Errorf("%#v left the fast path: %v", v, err)
		}
	}
	if taken < 20 {
		t.Fatalf("only %d values checked", taken)
	}
}

// FuzzMarshal_String compares strings of any bytes, the one input whose
// escaping the fast path decides.
func FuzzMarshal_String(f *testing.F) {
	f.Add("plain")
	f.Add("<&>\"\\\x00\x7f")
	f.Add("\u2028é")
	f.Fuzz(func(t *testing.T, s string) {
		v := cty.ObjectVal(map[string]cty.Value{s: cty.StringVal(s)})
		want, wantErr := ctyjson.Marshal(v, cty.DynamicPseudoType)
		got, err := Marshal(v, cty.DynamicPseudoType)
		if (err != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
			t.Fatalf("got %s, %v\nwant %s, %v", got, err, want, wantErr)
		}
	})
}

func BenchmarkMarshal_Record(b *testing.B) {
	v := values()[21] // the object
	b.Run("valuejson", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Marshal(v, cty.DynamicPseudoType); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("go-cty", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ctyjson.Marshal(v, cty.DynamicPseudoType); err != nil {
				b.Fatal(err)
			}
		}
	})
}
