package template_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/formation-engine/formation/template"
	"github.com/zclconf/go-cty/cty"
)

// benchValues is what a planner passes: each evaluated instance's
// configuration plus an unknown id, with a version per block.
type benchValues struct {
	m        map[string]cty.Value
	versions map[string]uint64
}

func (v *benchValues) Value(addr string) cty.Value { return v.m[addr] }
func (v *benchValues) Version(block string) uint64 { return v.versions[block] }
func (v *benchValues) set(i *template.Instance, o cty.Value) {
	m := o.AsValueMap()
	if m == nil {
		m = map[string]cty.Value{}
	}
	m["id"] = cty.UnknownVal(cty.String)
	v.m[i.Addr] = cty.ObjectVal(m)
	v.versions[i.Resource]++
}

// runBench parses and expands src with count lifted to n, then evaluates
// every instance in topological order.
func runBench(b *testing.B, src string, n int) {
	b.Helper()
	b.ReportAllocs()
	opts := template.Options{Limits: &template.Limits{MaxCount: n, MaxTemplateBody: 0}}
	for b.Loop() {
		tpl, err := template.Parse(src, opts)
		if err != nil {
			b.Fatal(err)
		}
		cfg, err := tpl.Expand(b.Context(), template.Input{})
		if err != nil {
			b.Fatal(err)
		}
		vals := &benchValues{m: make(map[string]cty.Value, n), versions: map[string]uint64{}}
		for _, addr := range cfg.Graph().TopologicalOrder() {
			inst := cfg.Instance(addr)
			v, diags := cfg.Evaluate(context.Background(), inst, vals)
			if diags.HasErrors() {
				b.Fatal(diags)
			}
			vals.set(inst, v)
		}
	}
}

func flatTemplate(n int) string {
	return fmt.Sprintf(`
resource "huaweicloud_vpc" "vpc" {
  count = %d
  name  = "vpc-${count.index}"
  cidr  = "10.0.0.0/16"
  tags  = { index = count.index }
}
`, n)
}

func layeredTemplate(layers, per int) string {
	return layeredTemplateOf("huaweicloud_vpc", "prev", layers, per)
}

// layeredTemplateOf is layers blocks of per instances of typ, each reading,
// as ref, the id of the same index in the previous layer.
func layeredTemplateOf(typ, ref string, layers, per int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource %q \"l0\" {\n  count = %d\n  name  = \"l0-${count.index}\"\n}\n", typ, per)
	for l := 1; l < layers; l++ {
		fmt.Fprintf(&b, "resource %q \"l%d\" {\n  count = %d\n  name  = \"l%d-${count.index}\"\n  %s = %s.l%d[count.index].id\n}\n", typ, l, per, l, ref, typ, l-1)
	}
	return b.String()
}

// BenchmarkFlat is benchmark (a): one block of n instances.
func BenchmarkFlat(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("instances=%d", n), func(b *testing.B) { runBench(b, flatTemplate(n), n) })
	}
}

// BenchmarkLayered is benchmark (b): 10 blocks, each instance referencing
// the same index of the previous layer.
func BenchmarkLayered(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("instances=%d", n), func(b *testing.B) { runBench(b, layeredTemplate(10, n/10), n/10) })
	}
}

// BenchmarkWholeReference evaluates 300 instances that each read the whole
// of a 300-instance block: the collection is built once (VersionedValues),
// but every use of it is linear in its size (go-cty walks a function's
// arguments looking for marks), so the total is quadratic.
func BenchmarkWholeReference(b *testing.B) {
	src := `
resource "huaweicloud_vpc" "a" {
  count = 300
}
resource "huaweicloud_vpc" "b" {
  count = 300
  n     = length(huaweicloud_vpc.a)
}
`
	runBench(b, src, 300)
}

// BenchmarkEvaluate measures Evaluate alone, over every instance of the
// engine's latency template (10 layers of 100 sim_item, each reading the
// previous layer's id as parent), once per iteration.
// Parsing and expansion happen before the timer. Values returns, for every
// instance, the object a planner (planned: id unknown) or an executor
// (applied: a known id) would pass, so each reference is resolved the way
// it is in the engine.
func BenchmarkEvaluate(b *testing.B) {
	tpl, err := template.Parse(layeredTemplateOf("sim_item", "parent", 10, 100), template.Options{})
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := tpl.Expand(b.Context(), template.Input{})
	if err != nil {
		b.Fatal(err)
	}
	order := cfg.Graph().TopologicalOrder()
	for _, mode := range []struct {
		name string
		id   func(addr string) cty.Value
	}{
		{"planned", func(string) cty.Value { return cty.UnknownVal(cty.String) }},
		{"applied", func(addr string) cty.Value { return cty.StringVal("id-" + addr) }},
	} {
		b.Run(mode.name, func(b *testing.B) {
			vals := &benchValues{m: make(map[string]cty.Value, len(order)), versions: map[string]uint64{}}
			insts := make([]*template.Instance, len(order))
			for i, addr := range order {
				inst := cfg.Instance(addr)
				insts[i] = inst
				v, diags := cfg.Evaluate(context.Background(), inst, vals)
				if diags.HasErrors() {
					b.Fatal(diags)
				}
				m := v.AsValueMap()
				m["id"] = mode.id(addr)
				vals.m[addr] = cty.ObjectVal(m)
				vals.versions[inst.Resource]++
			}
			b.ReportAllocs()
			for b.Loop() {
				for _, inst := range insts {
					if _, diags := cfg.Evaluate(context.Background(), inst, vals); diags.HasErrors() {
						b.Fatal(diags)
					}
				}
			}
		})
	}
}

// Benchmarks must evaluate correctly.
func TestBenchTemplates(t *testing.T) {
	tpl, err := template.Parse(layeredTemplate(3, 4), template.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := mustExpand(t, tpl, template.Input{})
	if deps := cfg.Instance("huaweicloud_vpc.l2[3]").DependsOn; len(deps) != 1 || deps[0] != "huaweicloud_vpc.l1[3]" {
		t.Fatalf("deps = %q", deps)
	}
	out, _ := evalAll(t, cfg)
	if v := out["huaweicloud_vpc.l2[3]"]; v.GetAttr("prev").IsKnown() || v.GetAttr("name").AsString() != "l2-3" {
		t.Fatalf("l2[3] = %#v", v)
	}
}
