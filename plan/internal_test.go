package plan

import (
	"maps"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
)

// TestUnordered finds the instances on or behind a cycle, which the walk
// refuses rather than waiting for ever.
func TestUnordered(t *testing.T) {
	// 0 ← 1 ← 2 ← 3 ← 2 (2 and 3 form a cycle), 4 alone.
	deps := map[int32][]int32{1: {0}, 2: {1, 3}, 3: {2}}
	pending := make([]atomic.Int32, 5)
	dependents := make([][]int32, 5)
	for i, ds := range deps {
		for _, d := range ds {
			pending[i].Add(1)
			dependents[d] = append(dependents[d], i)
		}
	}
	if got := unordered(pending, dependents); !slices.Equal(got, []int32{2, 3}) {
		t.Errorf("unordered = %v, want [2 3]", got)
	}
	delete(deps, 3)
	pending[2].Add(-1)
	dependents[3] = nil
	pending[3].Store(0)
	if got := unordered(pending, dependents); got != nil {
		t.Errorf("unordered of an acyclic graph = %v", got)
	}
}

func TestSetPath(t *testing.T) {
	obj := cty.ObjectVal(map[string]cty.Value{
		"tags": cty.MapVal(map[string]cty.Value{"a": cty.StringVal("1"), "b": cty.StringVal("2")}),
		"list": cty.ListVal([]cty.Value{cty.StringVal("x"), cty.StringVal("y")}),
		"name": cty.StringVal("n"),
	})
	tests := []struct {
		path  cty.Path
		nv    cty.Value
		found bool
		want  cty.Value
	}{
		{cty.GetAttrPath("name"), cty.StringVal("m"), true, cty.StringVal("m")},
		{cty.GetAttrPath("name"), cty.NilVal, false, cty.NullVal(cty.String)},
		{cty.GetAttrPath("tags").Index(cty.StringVal("a")), cty.StringVal("9"), true, cty.StringVal("9")},
		{cty.GetAttrPath("tags").GetAttr("c"), cty.StringVal("3"), true, cty.StringVal("3")},
		{cty.GetAttrPath("list").Index(cty.NumberIntVal(1)), cty.StringVal("z"), true, cty.StringVal("z")},
		{cty.GetAttrPath("new"), cty.True, true, cty.True},
	}
	for _, tt := range tests {
		got := setPath(obj, tt.path, tt.nv, tt.found)
		if v, ok := getPath(got, tt.path); !ok || !v.RawEquals(tt.want) {
			t.Errorf("setPath(%s) then getPath = %#v, %v; want %#v", formatPath(tt.path), v, ok, tt.want)
		}
	}
	// A missing map key is removed; a path through nothing changes nothing.
	got := setPath(obj, cty.GetAttrPath("tags").Index(cty.StringVal("a")), cty.NilVal, false)
	if _, ok := getPath(got, cty.GetAttrPath("tags").Index(cty.StringVal("a"))); ok {
		t.Error("map key not removed")
	}
	if got := setPath(obj, cty.GetAttrPath("missing").GetAttr("x"), cty.True, true); !got.RawEquals(obj) {
		t.Error("a path through a missing attribute changed the object")
	}
}

func TestLCS(t *testing.T) {
	s := func(xs ...string) []cty.Value {
		out := make([]cty.Value, len(xs))
		for i, x := range xs {
			out[i] = cty.StringVal(x)
		}
		return out
	}
	ops := lcs(s("a", "b", "c", "d"), s("a", "x", "c", "d", "e"))
	var kept, removed, added int
	for _, op := range ops {
		switch {
		case op.bi >= 0 && op.ai >= 0:
			kept++
		case op.bi >= 0:
			removed++
		default:
			added++
		}
	}
	if kept != 3 || removed != 1 || added != 2 {
		t.Errorf("kept %d removed %d added %d, want 3 1 2: %v", kept, removed, added, ops)
	}
}

func TestAttrKey(t *testing.T) {
	for in, want := range map[string]string{"name": "name", "a-b_1": "a-b_1", "1a": `"1a"`, "a b": `"a b"`, "": `""`} {
		if got := attrKey(in); got != want {
			t.Errorf("attrKey(%q) = %s, want %s", in, got, want)
		}
	}
}

// inferredFrom, with which Refine reuses a change's inferred schema, holds
// for an object configuration exactly when provider.InferSchema(config)
// gives that schema, and never for anything else (Refine infers those).
func TestInferredFrom_AsInferSchema(t *testing.T) {
	obj := func(attrs ...string) cty.Value {
		m := map[string]cty.Value{}
		for _, a := range attrs {
			m[a] = cty.StringVal(a)
		}
		return cty.ObjectVal(m)
	}
	configs := []cty.Value{
		cty.EmptyObjectVal, obj("name"), obj("name", "parent"), obj("id"), obj("id", "name"), obj("name", "other"),
		obj("parent", "other"), obj("name", "parent", "other"),
		cty.ObjectVal(map[string]cty.Value{"name": cty.NumberIntVal(1)}),
		cty.ObjectVal(map[string]cty.Value{"id": cty.NumberIntVal(1), "name": cty.StringVal("a")}),
		cty.ObjectVal(map[string]cty.Value{"name": cty.UnknownVal(cty.String), "tags": cty.MapValEmpty(cty.String)}),
		cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("a"), "tags": cty.MapValEmpty(cty.String)}),
		cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("a"), "tags": cty.EmptyObjectVal}),
		cty.NullVal(cty.Object(map[string]cty.Type{"name": cty.String})), cty.UnknownVal(cty.Object(map[string]cty.Type{"name": cty.String})),
		cty.DynamicVal, cty.StringVal("name"), cty.MapVal(map[string]cty.Value{"name": cty.StringVal("a")}),
	}
	var schemas []provider.Schema
	for _, c := range configs {
		s := provider.InferSchema(c)
		schemas = append(schemas, s)
		// The same with one thing changed.
		for name, a := range s.Attributes {
			for _, change := range []func(*provider.Attribute){
				func(a *provider.Attribute) { a.Optional = !a.Optional },
				func(a *provider.Attribute) { a.Computed = !a.Computed },
				func(a *provider.Attribute) { a.Required = !a.Required },
				func(a *provider.Attribute) { a.ForceNew = !a.ForceNew },
				func(a *provider.Attribute) { a.Sensitive = !a.Sensitive },
				func(a *provider.Attribute) { a.Type = cty.Bool },
			} {
				changed := provider.Schema{Attributes: maps.Clone(s.Attributes)}
				ca := a
				change(&ca)
				changed.Attributes[name] = ca
				schemas = append(schemas, changed)
			}
			without := provider.Schema{Attributes: maps.Clone(s.Attributes)}
			delete(without.Attributes, name)
			schemas = append(schemas, without)
		}
		withID := s
		withID.IDAttribute = provider.DefaultIDAttribute
		schemas = append(schemas, withID)
	}
	matched := 0
	for _, c := range configs {
		want := provider.InferSchema(c)
		for _, s := range schemas {
			same := reflect.DeepEqual(s, want)
			if got := inferredFrom(s, c); got != (same && isObject(c)) {
				t.Errorf("inferredFrom(%#v, %#v) = %v, InferSchema gives %#v", s, c, got, want)
			}
			if same && isObject(c) {
				matched++
			}
		}
	}
	if matched < 12 {
		t.Errorf("inferredFrom held %d times only", matched)
	}
}

// containsMarked answers as cty's ContainsMarked, at every depth and for
// every kind of value.
func TestContainsMarked_AsCty(t *testing.T) {
	m := func(v cty.Value) cty.Value { return v.Mark("sensitive") }
	s := cty.StringVal("s")
	var values []cty.Value
	for _, inner := range []cty.Value{s, m(s), cty.UnknownVal(cty.String), m(cty.UnknownVal(cty.String)), cty.NullVal(cty.String), m(cty.NullVal(cty.String))} {
		obj := cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x"), "b": inner})
		values = append(values, inner, obj,
			cty.TupleVal([]cty.Value{cty.True, inner}),
			cty.ListVal([]cty.Value{inner}),
			cty.MapVal(map[string]cty.Value{"k": inner}),
			cty.ObjectVal(map[string]cty.Value{"nested": cty.ListVal([]cty.Value{obj}), "n": cty.NumberIntVal(1)}),
			cty.MapVal(map[string]cty.Value{"k": cty.ObjectVal(map[string]cty.Value{"t": cty.TupleVal([]cty.Value{inner})})}),
		)
	}
	values = append(values, cty.SetVal([]cty.Value{s, cty.StringVal("t")}), m(cty.SetVal([]cty.Value{s})),
		cty.EmptyObjectVal, cty.EmptyTupleVal, cty.ListValEmpty(cty.String), cty.DynamicVal, m(cty.DynamicVal),
		cty.NullVal(cty.DynamicPseudoType), cty.UnknownVal(cty.EmptyObject))
	marked := 0
	for _, v := range values {
		if got, want := containsMarked(v), v.ContainsMarked(); got != want {
			t.Errorf("containsMarked(%#v) = %v, want %v", v, got, want)
		}
		if v.ContainsMarked() {
			marked++
		}
	}
	if marked < 20 || marked == len(values) {
		t.Errorf("%d of %d values marked: the cases do not cover both answers", marked, len(values))
	}
}

// A type a ValueDecoder read is kept for every decoder of the process, by
// its text; a text that is not a type is not kept.
func TestTypeOf_KeptForEveryDecoder(t *testing.T) {
	const text = `["object",{"kept_for_every_decoder":"string"}]`
	data := []byte(`{"value":{"kept_for_every_decoder":"x"},"type":` + text + `}`)
	v, err := NewValueDecoder().Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	kept, ok := readTypes.Get(text)
	if !ok || !kept.Equals(v.Type()) {
		t.Fatalf("readTypes holds %#v, %v for the value's type %#v", kept, ok, v.Type())
	}
	if _, err := NewValueDecoder().Decode([]byte(`{"value":1,"type":["nothing"]}`)); err == nil {
		t.Fatal("a value of an unknown type decoded")
	}
	if _, ok := readTypes.Get(`["nothing"]`); ok {
		t.Error("a text that is not a type was kept")
	}
}
