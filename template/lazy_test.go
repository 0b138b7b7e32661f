package template

import (
	"context"
	"slices"
	"testing"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Evaluate, which defers the records of resource types (lazyGroups),
// gives exactly what evaluating with every record built gives: the same
// value, marks included, and the same diagnostics.
func TestEvaluate_LazyGroupsAsBuilt(t *testing.T) {
	tpl, err := Parse(`
resource "a_b" "x" {
  count = 4
}
resource "a_b" "m" {
  for_each = toset(["k", "é", "1"])
}
resource "a_b" "one" {}
resource "a_b" "y" {
  count = 4
  a = a_b.x[count.index].id
  b = a_b.x[count.index]
  c = "${a_b.x[count.index].name}-${count.index}"
  d = a_b.one.id
  e = a_b.m["k"].id
  f = a_b.m["é"].id
  g = a_b.x[0].id
  h = a_b.x["1"].id
  i = a_b.m[1].id
  j = [a_b.x[count.index].id, a_b.one]
  nested {
    v = a_b.x[count.index].name
  }
  dynamic "dyn" {
    for_each = [1]
    content {
      v = a_b.x[count.index].id
    }
  }
}
resource "a_b" "w" {
  count = 2
  a = length(a_b.x)
  b = a_b.x[*].id
  c = a_b.x[count.index].id
}
resource "a_b" "bad" {
  count = 2
  a = a_b.x[count.index].nope
  b = a_b.x[count.index + 1].id
}
`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := tpl.Expand(context.Background(), Input{})
	if err != nil {
		t.Fatal(err)
	}
	values := ValuesFunc(func(addr string) cty.Value {
		switch addr {
		case "a_b.x[3]":
			return cty.NilVal // not planned yet
		case "a_b.x[1]":
			return cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("x1"), "name": cty.StringVal("s").Mark("sensitive")})
		case "a_b.one":
			return cty.ObjectVal(map[string]cty.Value{"id": cty.UnknownVal(cty.String)})
		}
		return cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal("id of " + addr), "name": cty.StringVal(addr)})
	})
	for _, inst := range cfg.Instances() {
		got, gotDiags := cfg.Evaluate(context.Background(), inst, values)
		ev := cfg.evaluator(context.Background(), values, inst.mi)
		it := inst.iter()
		ctx, wantDiags := ev.context(&inst.node.res.cfg, &it, inst.keys)
		want, d := inst.node.res.body.eval(ctx, nil)
		wantDiags = append(wantDiags, d...)
		if !got.RawEquals(want) {
			t.Errorf("%s: got %#v, built records give %#v", inst.Addr, got, want)
		}
		if len(gotDiags) != len(wantDiags) {
			t.Errorf("%s: got diagnostics %s, built records give %s", inst.Addr, gotDiags, wantDiags)
			continue
		}
		for i := range gotDiags {
			if g, w := gotDiags[i], wantDiags[i]; g.Summary != w.Summary || g.Detail != w.Detail || g.Subject.String() != w.Subject.String() {
				t.Errorf("%s: got diagnostic %s, built records give %s", inst.Addr, g, w)
			}
		}
		if inst.Resource == "a_b.bad" && len(gotDiags) == 0 {
			t.Errorf("%s: no diagnostics", inst.Addr)
		}
	}
}

// lazyGroups.intString, which reads an instance's own count.index from the
// Config, gives what cty's conversion gives, for that value and for any
// other (other indexes, equal numbers not read from the count object,
// values that are not numbers: comparing with them must not panic).
func TestLazyGroupsIntString_AsConvert(t *testing.T) {
	tpl, err := Parse(`
resource "a_b" "x" {
  count = 12
}
`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := tpl.Expand(context.Background(), Input{})
	if err != nil {
		t.Fatal(err)
	}
	others := []cty.Value{
		cty.NumberIntVal(3), cty.MustParseNumberVal("1.5"), cty.NumberIntVal(3).Mark("sensitive"),
		cty.UnknownVal(cty.Number), cty.NullVal(cty.Number), cty.StringVal("3"), cty.DynamicVal,
		cty.ObjectVal(map[string]cty.Value{"index": cty.NumberIntVal(3)}), cty.MapVal(map[string]cty.Value{"a": cty.True}),
		cty.TupleVal([]cty.Value{cty.NumberIntVal(3)}), cty.ListVal([]cty.Value{cty.NumberIntVal(3)}),
	}
	for _, own := range []int{-1, 0, 3, 11} {
		lz := &lazyGroups{ev: &evaluator{c: cfg}, count: own}
		vals := slices.Clone(others)
		for _, count := range cfg.counts {
			vals = append(vals, count.GetAttr("index"))
		}
		for _, v := range vals {
			got, gotOK := lz.intString(v)
			want, wantOK := intString(v)
			if got != want || gotOK != wantOK {
				t.Errorf("count %d: intString(%#v) = %q, %v; want %q, %v", own, v, got, gotOK, want, wantOK)
			}
			if conv, err := convert.Convert(v, cty.String); gotOK && (err != nil || conv.AsString() != got) {
				t.Errorf("count %d: intString(%#v) = %q, cty converts to %#v (%v)", own, v, got, conv, err)
			}
		}
	}
}
