package plan_test

import (
	"math/big"
	"testing"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"

	"github.com/formation-engine/formation/plan"
)

// recordValues are values as a stack's records hold them: every kind of
// type, nested, null and empty.
func recordValues() []cty.Value {
	obj := cty.ObjectVal(map[string]cty.Value{
		"name":  cty.StringVal("vpc-1 <é>"),
		"size":  cty.NumberIntVal(3),
		"ratio": cty.NumberFloatVal(0.25),
		"big":   cty.NumberVal(new(big.Float).SetPrec(512).SetInt64(1 << 62)),
		"on":    cty.True,
		"tags":  cty.MapVal(map[string]cty.Value{"b": cty.StringVal("2"), "a": cty.StringVal("1")}),
		"cidrs": cty.ListVal([]cty.Value{cty.StringVal("10.0.0.0/16")}),
		"zones": cty.SetVal([]cty.Value{cty.StringVal("z2"), cty.StringVal("z1")}),
		"pair":  cty.TupleVal([]cty.Value{cty.StringVal("x"), cty.NumberFloatVal(1.5)}),
		"none":  cty.NullVal(cty.String),
		"empty": cty.ListValEmpty(cty.Number),
		"nomap": cty.MapValEmpty(cty.Bool),
		"noset": cty.SetValEmpty(cty.String),
		"nested": cty.ObjectVal(map[string]cty.Value{
			"id":  cty.StringVal("i"),
			"any": cty.NullVal(cty.DynamicPseudoType),
		}),
		"rules": cty.ListVal([]cty.Value{
			cty.ObjectVal(map[string]cty.Value{"port": cty.NumberIntVal(22), "cidr": cty.NullVal(cty.String)}),
		}),
	})
	return []cty.Value{
		obj,
		cty.NullVal(cty.DynamicPseudoType),
		cty.NullVal(obj.Type()),
		cty.EmptyObjectVal,
		cty.StringVal(""),
		cty.NumberIntVal(-7),
		cty.ListVal([]cty.Value{obj, obj}),
		cty.EmptyTupleVal,
	}
}

// A ValueDecoder reads what cty's encoder wrote as cty's decoder does, and
// reuses the types it has read without confusing them.
func TestValueDecoder_AsGoCty(t *testing.T) {
	vd := plan.NewValueDecoder()
	for round := range 2 { // the second round reads every type from the decoder's cache
		for _, v := range recordValues() {
			data, err := ctyjson.Marshal(v, cty.DynamicPseudoType)
			if err != nil {
				t.Fatal(err)
			}
			want, err := ctyjson.Unmarshal(data, cty.DynamicPseudoType)
			if err != nil {
				t.Fatal(err)
			}
			got, err := vd.Decode(data)
			if err != nil {
				t.Fatalf("round %d: %s: %v", round, data, err)
			}
			if !got.RawEquals(want) {
				t.Errorf("round %d: %s\n got %#v\nwant %#v", round, data, got, want)
			}
		}
	}
}

// Whatever the bytes, a ValueDecoder never panics, refuses what cty's
// decoder refuses, and reads what it reads. It may refuse more: cty reads
// a null and ignores what follows it, which in a stored record is damage.
func FuzzValueDecoder(f *testing.F) {
	for _, v := range recordValues() {
		data, err := ctyjson.Marshal(v, cty.DynamicPseudoType)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"value":{"a":1},"type":["object",{"a":"number"},["b"]]}`))
	f.Add([]byte(`{"type":"string","value":"x"}`))
	f.Add([]byte(`{"value":[1,"2"],"type":["list","number"]}`))
	f.Add([]byte(`{"value":01,"type":"number"}`)) // leading zeros: JSON refuses them
	f.Add([]byte(`{"value":-00.5,"type":"number"}`))
	f.Add([]byte(`{"value":[0,-0,0.0,0e1],"type":["list","number"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		want, wantErr := unmarshalSafely(data)
		got, err := plan.NewValueDecoder().Decode(data)
		if err == nil && wantErr != nil {
			t.Fatalf("%q: read %#v, cty refuses it: %v", data, got, wantErr)
		}
		if err == nil && !got.RawEquals(want) {
			t.Fatalf("%q\n got %#v\nwant %#v", data, got, want)
		}
	})
}

// unmarshalSafely is ctyjson.Unmarshal, with its panics as errors.
func unmarshalSafely(data []byte) (v cty.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errPanic
		}
	}()
	return ctyjson.Unmarshal(data, cty.DynamicPseudoType)
}

var errPanic = errorString("cty panicked")

type errorString string

func (e errorString) Error() string { return string(e) }
