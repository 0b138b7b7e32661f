package plan_test

import (
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
)

// TestPlan_EncodeDecode round-trips the plan of every golden case: the
// decoded plan renders the same, its values, paths and schemas are equal,
// and Refine works on it.
func TestPlan_EncodeDecode(t *testing.T) {
	for _, gc := range goldenCases {
		t.Run(gc.name, func(t *testing.T) {
			p := gc.plan(t)
			data, err := p.Encode()
			if err != nil {
				t.Fatal(err)
			}
			q, err := plan.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			if text(t, q) != text(t, p) {
				t.Errorf("text differs after a round trip:\n%s", text(t, q))
			}
			pj, _ := json.Marshal(p)
			qj, _ := json.Marshal(q)
			if string(pj) != string(qj) || q.Summary != p.Summary {
				t.Errorf("JSON differs after a round trip")
			}
			for i, c := range p.Changes {
				d := q.Changes[i]
				if !sameOrNil(c.Before, d.Before) || !sameOrNil(c.After, d.After) {
					t.Errorf("%s: values differ: %#v → %#v", c.Addr, c.After, d.After)
				}
				if len(c.RequiresReplace) != len(d.RequiresReplace) || len(c.IgnoreChanges) != len(d.IgnoreChanges) ||
					len(c.Sensitive) != len(d.Sensitive) || c.Schema.IDKey() != d.Schema.IDKey() || len(c.Schema.Attributes) != len(d.Schema.Attributes) {
					t.Errorf("%s: paths or schema differ", c.Addr)
				}
				for name, a := range c.Schema.Attributes {
					if b := d.Schema.Attributes[name]; !a.Type.Equals(b.Type) || a.ForceNew != b.ForceNew || a.Computed != b.Computed || a.Sensitive != b.Sensitive {
						t.Errorf("%s: schema attribute %s differs", c.Addr, name)
					}
				}
			}
		})
	}
}

func sameOrNil(a, b cty.Value) bool {
	if a == cty.NilVal || b == cty.NilVal {
		return a == cty.NilVal && b == cty.NilVal
	}
	return a.RawEquals(b)
}

// TestPlan_EncodeDecode_Refine applies a decoded plan.
func TestPlan_EncodeDecode_Refine(t *testing.T) {
	w := testWorld(t)
	p := w.plan(vpcAB, plan.Options{})
	data, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	q, err := plan.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	w.apply(expand(t, vpcAB), q)
	noOps(t, w.plan(vpcAB, plan.Options{Refresh: true}))
}

func TestPlan_EncodeDecode_Empty(t *testing.T) {
	data, err := (&plan.Plan{}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	q, err := plan.Decode(data)
	if err != nil || len(q.Changes) != 0 || q.Changes == nil {
		t.Fatalf("Decode(%s) = %#v, %v", data, q, err)
	}
}

func TestDecode_Corrupt(t *testing.T) {
	for _, data := range []string{
		`{`, `{"format":"other"}`, `{"format":"formation.plan/1","changes":[{"addr":"a","before":{"value":"x"}}]}`,
		`{"format":"formation.plan/3","types":[],"schemas":[],"changes":[{"addr":"a","after":{"type":0,"value":"x"}}]}`,
		`{"format":"formation.plan/3","types":["string"],"schemas":[],"changes":[{"addr":"a","schema":0}]}`,
		`{"format":"formation.plan/3","types":["string"],"schemas":[{}],"changes":[{"addr":"a","after":{"type":0,"value":"x","unknown":{"k":true}}}]}`,
		`{"format":"formation.plan/3","types":[["list","string"]],"schemas":[{}],"changes":[{"addr":"a","after":{"type":0,"value":["x"],"unknown":[true,false]}}]}`,
		`{"format":"formation.plan/3","types":[["object",{"a":"bool"}]],"schemas":[{}],"changes":[{"addr":"a","after":{"type":0,"value":{"a":true,"b":1}}}]}`,
		`{"format":"formation.plan/3","types":["number"],"schemas":[{}],"changes":[{"addr":"a","after":{"type":0,"value":1.}}]}`,
		`{"format":"formation.plan/3","types":["string"],"schemas":[{}],"changes":[{"addr":"a","after":{"type":0,"value":"x"} "schema":0}]}`,
		`{"format":"formation.plan/3","types":[],"schemas":[],"changes":[]} trailing`,
		// cty panics building this type (an optional attribute it lacks).
		`{"format":"formation.plan/3","types":[["object",{"a":"string"},["b"]]],"schemas":[{}],"changes":[{"addr":"a","after":{"type":0,"value":null}}]}`,
		`{"format":"formation.plan/2","changes":[{"addr":"a","before":{"type":["object",{"a":"string"},["b"]],"value":null}}]}`,
	} {
		if _, err := plan.Decode([]byte(data)); !formation.HasCode(err, formation.CodeInternal) {
			t.Errorf("Decode(%s) = %v, want CodeInternal", data, err)
		}
	}
	// Sets that hold unknowns come back wholly unknown.
	c := &plan.Change{Addr: "x", Action: formation.ActionAdd,
		Before: cty.NullVal(cty.DynamicPseudoType),
		After:  cty.ObjectVal(map[string]cty.Value{"s": cty.SetVal([]cty.Value{cty.StringVal("a"), cty.UnknownVal(cty.String)})})}
	data, err := (&plan.Plan{Changes: []*plan.Change{c}}).Encode()
	if err != nil {
		t.Fatal(err)
	}
	q, err := plan.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if s := q.Changes[0].After.GetAttr("s"); s.IsKnown() || !s.Type().Equals(cty.Set(cty.String)) {
		t.Errorf("set decoded as %#v", s)
	}
	if !strings.Contains(string(data), encodedFormatName) {
		t.Error("format missing")
	}
}

const encodedFormatName = "formation.plan/3"

// v2Dir holds plans written in "formation.plan/2" by Encode as of commit
// b21b5ea, the last to write that form: one per golden case, and edge.json
// of edgePlan. They are not to be rewritten: plans stored in that form must
// go on decoding. edge.decoded.golden is what that commit's Decode made of
// edge.json.
var v2Dir = filepath.Join("testdata", "formation.plan-2")

// TestDecode_FormatV2 decodes plans stored in the previous form to the
// plans they were made from.
func TestDecode_FormatV2(t *testing.T) {
	decode := func(t *testing.T, name string) *plan.Plan {
		data, err := os.ReadFile(filepath.Join(v2Dir, name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), `"formation.plan/2"`) {
			t.Fatalf("%s is not in formation.plan/2", name)
		}
		q, err := plan.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	for _, gc := range goldenCases {
		t.Run(gc.name, func(t *testing.T) {
			if got, want := dumpPlan(decode(t, gc.name)), dumpPlan(gc.plan(t)); got != want {
				t.Errorf("decoded:\n%s\nwant:\n%s", got, want)
			}
		})
	}
	t.Run("edge", func(t *testing.T) {
		want, err := os.ReadFile(filepath.Join(v2Dir, "edge.decoded.golden"))
		if err != nil {
			t.Fatal(err)
		}
		if got := dumpPlan(decode(t, "edge")); got != string(want) {
			t.Errorf("decoded:\n%s\nwant:\n%s", got, want)
		}
	})
}

// TestPlan_EncodeDecode_Edge round-trips edgePlan, with the losses the
// previous form had: sets holding unknowns come back wholly unknown, and
// unknowns lose their refinements.
func TestPlan_EncodeDecode_Edge(t *testing.T) {
	data, err := edgePlan().Encode()
	if err != nil {
		t.Fatal(err)
	}
	q, err := plan.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(v2Dir, "edge.decoded.golden"))
	if err != nil {
		t.Fatal(err)
	}
	if got := dumpPlan(q); got != string(want) {
		t.Errorf("decoded:\n%s\nwant:\n%s", got, want)
	}
}

// dumpPlan writes everything a plan holds, in Go syntax.
func dumpPlan(p *plan.Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%#v\n", p.Summary)
	for _, c := range p.Changes {
		fmt.Fprintf(&b, "%#v\n", *c)
	}
	// Whether a schema is compiled (provider.Schema.Compile), and where,
	// is no part of the plan.
	return compiledSchema.ReplaceAllString(b.String(), "")
}

var compiledSchema = regexp.MustCompile(`, compiled:\(\*provider\.shape\)\((nil|0x[0-9a-f]+)\)`)

// edgePlan holds the values a stored plan must carry that the golden cases
// do not: every kind of collection with unknowns at each depth, escaped and
// non-ASCII strings, numbers beyond int64 and float64, a missing value, a
// null of no type, and paths with keys and indexes.
func edgePlan() *plan.Plan {
	big1, _, _ := big.ParseFloat("123456789012345678901234567890.000000000000000000001", 10, 512, big.ToNearestEven)
	obj := cty.ObjectVal(map[string]cty.Value{
		"s":       cty.StringVal("quote \" backslash \\ tab \t newline \n nul \x00 <&> é 😀 \u2028"),
		"n":       cty.NumberVal(big1),
		"neg":     cty.NumberFloatVal(-1.5e-7),
		"int":     cty.NumberIntVal(-42),
		"b":       cty.True,
		"unknown": cty.UnknownVal(cty.String),
		"refined": cty.UnknownVal(cty.String).RefineNotNull(),
		"null":    cty.NullVal(cty.Number),
		"list":    cty.ListVal([]cty.Value{cty.StringVal("a"), cty.UnknownVal(cty.String), cty.NullVal(cty.String)}),
		"empty":   cty.ListValEmpty(cty.Bool),
		"set":     cty.SetVal([]cty.Value{cty.NumberIntVal(1), cty.NumberIntVal(2)}),
		"uset":    cty.SetVal([]cty.Value{cty.NumberIntVal(1), cty.UnknownVal(cty.Number)}),
		"map": cty.MapVal(map[string]cty.Value{
			"k \"1\"": cty.ObjectVal(map[string]cty.Value{"x": cty.UnknownVal(cty.Bool), "y": cty.False}),
			"k2":      cty.ObjectVal(map[string]cty.Value{"x": cty.True, "y": cty.NullVal(cty.Bool)}),
		}),
		"tuple":   cty.TupleVal([]cty.Value{cty.StringVal("t"), cty.UnknownVal(cty.List(cty.String)), cty.EmptyObjectVal}),
		"emap":    cty.MapValEmpty(cty.String),
		"dynamic": cty.NullVal(cty.DynamicPseudoType),
		"whole":   cty.UnknownVal(cty.Map(cty.Number)),
	})
	schema := provider.Schema{IDAttribute: "s", Attributes: map[string]provider.Attribute{
		"s":   {Type: cty.String, Required: true, ForceNew: true},
		"n":   {Type: cty.Number, Optional: true, Computed: true, Sensitive: true},
		"obj": {Type: cty.List(cty.ObjectWithOptionalAttrs(map[string]cty.Type{"a": cty.String, "b": cty.Number}, []string{"b"})), Computed: true},
	}}
	return &plan.Plan{
		Summary: formation.PlanSummary{ResourceAdd: 1, ResourceUpdate: 1},
		Changes: []*plan.Change{
			{
				Addr: `sim_edge.e["k\"é"]`, Mode: formation.ModeResource, Type: "sim_edge", Name: "e", Key: `k"é`,
				ProviderName: "sim", ProviderAlias: "west", Action: formation.ActionUpdate, Reason: "attributes changed",
				Before: obj, After: obj, ResourceID: "r-1",
				RequiresReplace: []cty.Path{cty.GetAttrPath("map").Index(cty.StringVal("k2")).GetAttr("x"), cty.GetAttrPath("list").Index(cty.NumberIntVal(1))},
				Dependencies:    []string{"sim_edge.a", "sim_edge.b"}, CreateBeforeDestroy: true, PreventDestroy: true,
				IgnoreChanges: []cty.Path{cty.GetAttrPath("tuple").Index(cty.NumberIntVal(0))},
				Imported:      true, ImportID: "imp-1", Drifted: true,
				Sensitive: []cty.Path{cty.GetAttrPath("n")},
				Schema:    schema,
			},
			{Addr: "sim_edge.missing", Mode: formation.ModeData, Type: "sim_edge", Name: "missing", ProviderName: "sim",
				Action: formation.ActionNoOperation, Deposed: "d-1", Inferred: true,
				After: cty.UnknownVal(cty.DynamicPseudoType)},
			{Addr: "sim_edge.null", Mode: formation.ModeResource, Type: "sim_edge", Name: "null", ProviderName: "sim",
				Action: formation.ActionAdd, Before: cty.NullVal(cty.DynamicPseudoType), After: cty.UnknownVal(obj.Type()), Schema: schema},
		},
	}
}
