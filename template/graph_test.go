package template_test

import (
	"reflect"
	"testing"

	"github.com/formation-engine/formation/template"
)

func TestGraph_Orders(t *testing.T) {
	g := template.NewGraph(map[string][]string{
		"a_b.web[10]": {"a_b.net"},
		"a_b.web[2]":  {"a_b.net"},
		"a_b.lb":      {"a_b.web[2]", "a_b.web[10]"},
		"a_b.net":     nil,
		"a_b.dns":     nil,
		"data.a_b.x":  nil,
	})
	if got, want := g.Nodes(), []string{"a_b.dns", "a_b.lb", "a_b.net", "a_b.web[2]", "a_b.web[10]", "data.a_b.x"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Nodes = %q, want %q", got, want)
	}
	if got, want := g.TopologicalOrder(), []string{"a_b.dns", "a_b.net", "a_b.web[2]", "a_b.web[10]", "a_b.lb", "data.a_b.x"}; !reflect.DeepEqual(got, want) {
		t.Errorf("TopologicalOrder = %q, want %q", got, want)
	}
	if got, want := g.ReverseOrder(), []string{"a_b.dns", "a_b.lb", "a_b.web[2]", "a_b.web[10]", "a_b.net", "data.a_b.x"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ReverseOrder = %q, want %q", got, want)
	}
	if got, want := g.Dependents("a_b.net"), []string{"a_b.web[2]", "a_b.web[10]"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Dependents = %q, want %q", got, want)
	}
	if got, want := g.DependsOn("a_b.lb"), []string{"a_b.web[2]", "a_b.web[10]"}; !reflect.DeepEqual(got, want) {
		t.Errorf("DependsOn = %q, want %q", got, want)
	}
	if g.Cycles() != nil || g.DependsOn("nope") != nil {
		t.Errorf("Cycles = %q", g.Cycles())
	}
}

func TestGraph_Cycles(t *testing.T) {
	g := template.NewGraph(map[string][]string{
		"a": {"b"}, "b": {"c"}, "c": {"a"},
		"d": {"d"},
		"e": {"a"},
		"f": nil,
	})
	if got, want := g.Cycles(), [][]string{{"a", "b", "c"}, {"d"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Cycles = %q, want %q", got, want)
	}
	// Nodes on or behind a cycle come last.
	if got, want := g.TopologicalOrder(), []string{"f", "a", "b", "c", "d", "e"}; !reflect.DeepEqual(got, want) {
		t.Errorf("TopologicalOrder = %q, want %q", got, want)
	}
}

func TestGraph_LongChain(t *testing.T) {
	deps := map[string][]string{}
	for i := 1; i < 200000; i++ {
		deps["n["+itoa(i)+"]"] = []string{"n[" + itoa(i-1) + "]"}
	}
	g := template.NewGraph(deps)
	if c := g.Cycles(); c != nil {
		t.Fatal(c)
	}
	order := g.TopologicalOrder()
	if order[0] != "n[0]" || order[len(order)-1] != "n[199999]" {
		t.Fatalf("order %q … %q", order[0], order[len(order)-1])
	}
}

func TestGraph_Renderings(t *testing.T) {
	cfg := mustExpand(t, mustParse(t, `
resource "huaweicloud_vpc" "vpc" {
  for_each = toset(["a"])
}
resource "huaweicloud_subnet" "s" {
  vpc_id = huaweicloud_vpc.vpc["a"].id
}
`), template.Input{})
	g := cfg.Graph()
	wantDOT := `digraph {
	compound = "true"
	newrank = "true"
	node [shape = "box"]
	"huaweicloud_subnet.s"
	"huaweicloud_vpc.vpc[\"a\"]"
	"huaweicloud_subnet.s" -> "huaweicloud_vpc.vpc[\"a\"]"
}
`
	if got := g.DOT(); got != wantDOT {
		t.Errorf("DOT:\n%s\nwant:\n%s", got, wantDOT)
	}
	wantMermaid := `flowchart RL
    n0["huaweicloud_subnet.s"]
    n1["huaweicloud_vpc.vpc[#quot;a#quot;]"]
    n0 --> n1
`
	if got := g.Mermaid(); got != wantMermaid {
		t.Errorf("Mermaid:\n%s\nwant:\n%s", got, wantMermaid)
	}
}

func TestCompareAddrs(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"a_b.x[2]", "a_b.x[10]", -1},
		{"a_b.x", "a_b.x[0]", -1},
		{`a_b.x["b"]`, `a_b.x["a"]`, 1},
		{"data.a_b.x", "z_z.z", 1},
		{"a_b.x[0]", `a_b.x["0"]`, -1},
		{"a_b.x", "a_b.x", 0},
		{"a_b.y", "a_b.x[5]", 1},
		{`a_b.x["a"]`, `a_b.x["a b"]`, -1},
	}
	for _, tt := range tests {
		if got := template.CompareAddrs(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareAddrs(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// The topological order is the smallest by address among the valid ones.
func TestGraph_TieBreakMany(t *testing.T) {
	deps := map[string][]string{}
	for i := 0; i < 300; i++ {
		deps["a_b.x["+itoa(i)+"]"] = nil
		if i%3 == 0 {
			deps["a_b.x["+itoa(i)+"]"] = []string{"a_b.y[" + itoa(299-i) + "]"}
		}
		deps["a_b.y["+itoa(i)+"]"] = nil
	}
	order := template.NewGraph(deps).TopologicalOrder()
	pos := map[string]int{}
	for i, a := range order {
		pos[a] = i
	}
	for a, ds := range deps {
		for _, d := range ds {
			if pos[d] > pos[a] {
				t.Fatalf("%s before its dependency %s", a, d)
			}
		}
	}
	if order[0] != "a_b.x[1]" || order[1] != "a_b.x[2]" || order[2] != "a_b.x[4]" {
		t.Fatalf("order starts %q", order[:3])
	}
}
