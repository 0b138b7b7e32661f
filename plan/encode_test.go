package plan_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
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
	w := catalogWorld(t)
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

func TestDecode_Corrupt(t *testing.T) {
	for _, data := range []string{`{`, `{"format":"other"}`, `{"format":"formation.plan/1","changes":[{"addr":"a","before":{"value":"x"}}]}`} {
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

const encodedFormatName = "formation.plan/2"
