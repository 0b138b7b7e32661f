package template

import (
	"context"
	"testing"

	"github.com/zclconf/go-cty/cty"
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
		got, gotDiags := cfg.Evaluate(inst, values)
		ev := &evaluator{c: cfg, values: values}
		ctx, wantDiags := ev.context(&inst.node.res.cfg, inst, inst.keys)
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
