package template

import (
	"fmt"
	"slices"
	"strings"
)

// Graph is a dependency graph between instance addresses: an edge a → b
// means a depends on b, so b is created before a and destroyed after it.
// Config.Graph returns the graph of a template's instances; NewGraph builds
// one from any dependency lists (the planner's graph of stored resources,
// say). A Graph is immutable and safe for concurrent use. Orders and
// renderings are deterministic: ties are broken by CompareAddrs.
type Graph struct {
	nodes []string // sorted by CompareAddrs
	index map[string]int
	deps  [][]int // sorted, deduplicated
	rdeps [][]int
}

// NewGraph builds a graph from dependency lists: deps[a] lists what a
// depends on. Addresses that only appear as dependencies become nodes too.
func NewGraph(deps map[string][]string) *Graph {
	seen := map[string]bool{}
	var nodes []string
	for a, ds := range deps {
		for _, n := range append([]string{a}, ds...) {
			if !seen[n] {
				seen[n] = true
				nodes = append(nodes, n)
			}
		}
	}
	slices.SortFunc(nodes, CompareAddrs)
	lists := make([][]string, len(nodes))
	for i, n := range nodes {
		lists[i] = deps[n]
	}
	return newSortedGraph(nodes, lists)
}

// newSortedGraph builds a graph from nodes already sorted by CompareAddrs;
// deps[i] lists the dependencies of nodes[i], which must all be nodes.
func newSortedGraph(nodes []string, deps [][]string) *Graph {
	g := &Graph{nodes: nodes, index: make(map[string]int, len(nodes)), deps: make([][]int, len(nodes)), rdeps: make([][]int, len(nodes))}
	for i, n := range nodes {
		g.index[n] = i
	}
	for i, ds := range deps {
		if len(ds) == 0 {
			continue
		}
		out := make([]int, 0, len(ds))
		for _, d := range ds {
			if j, ok := g.index[d]; ok {
				out = append(out, j)
			}
		}
		slices.Sort(out)
		out = slices.Compact(out)
		g.deps[i] = out
		for _, j := range out {
			g.rdeps[j] = append(g.rdeps[j], i)
		}
	}
	return g
}

// Nodes lists every address in CompareAddrs order.
func (g *Graph) Nodes() []string { return slices.Clone(g.nodes) }

// DependsOn lists what addr depends on directly, in CompareAddrs order.
func (g *Graph) DependsOn(addr string) []string {
	i, ok := g.index[addr]
	if !ok {
		return nil
	}
	return g.names(g.deps[i])
}

// Dependents lists what depends on addr directly, in CompareAddrs order.
func (g *Graph) Dependents(addr string) []string {
	i, ok := g.index[addr]
	if !ok {
		return nil
	}
	return g.names(g.rdeps[i])
}

func (g *Graph) names(ids []int) []string {
	out := make([]string, len(ids))
	for k, i := range ids {
		out[k] = g.nodes[i]
	}
	return out
}

// TopologicalOrder lists every address after everything it depends on: the
// order to create in. Among addresses that are ready at the same time the
// smallest by CompareAddrs comes first. Addresses on a cycle (see Cycles)
// cannot be ordered; they and everything depending on them come last, in
// CompareAddrs order. A Config's graph never has cycles.
func (g *Graph) TopologicalOrder() []string { return g.names(kahn(len(g.nodes), g.deps, g.rdeps)) }

// ReverseOrder lists every address before everything it depends on: the
// order to destroy in, with the same tie-breaking as TopologicalOrder.
func (g *Graph) ReverseOrder() []string { return g.names(kahn(len(g.nodes), g.rdeps, g.deps)) }

// Cycles returns every cycle: each is the set of addresses that depend on
// each other (a strongly connected component of two or more nodes, or one
// node depending on itself), sorted; the cycles are sorted by their first
// address. It returns nil for an acyclic graph.
func (g *Graph) Cycles() [][]string {
	var out [][]string
	for _, c := range cycles(len(g.nodes), g.deps) {
		out = append(out, g.names(c))
	}
	return out
}

// DOT renders the graph in Graphviz syntax, one edge per dependency from the
// dependent to what it depends on.
func (g *Graph) DOT() string {
	var b strings.Builder
	b.WriteString("digraph {\n\tcompound = \"true\"\n\tnewrank = \"true\"\n\tnode [shape = \"box\"]\n")
	for _, n := range g.nodes {
		fmt.Fprintf(&b, "\t%s\n", dotQuote(n))
	}
	for i, ds := range g.deps {
		for _, j := range ds {
			fmt.Fprintf(&b, "\t%s -> %s\n", dotQuote(g.nodes[i]), dotQuote(g.nodes[j]))
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// Mermaid renders the graph as a Mermaid flowchart, one arrow per
// dependency from the dependent to what it depends on.
func (g *Graph) Mermaid() string {
	var b strings.Builder
	b.WriteString("flowchart RL\n")
	for i, n := range g.nodes {
		fmt.Fprintf(&b, "    n%d[\"%s\"]\n", i, strings.ReplaceAll(n, `"`, "#quot;"))
	}
	for i, ds := range g.deps {
		for _, j := range ds {
			fmt.Fprintf(&b, "    n%d --> n%d\n", i, j)
		}
	}
	return b.String()
}

func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// kahn orders n vertices so that each comes after its deps; rdeps is the
// reverse of deps. Ready vertices are taken smallest first. Vertices that
// can never become ready (on or behind a cycle) are appended in order.
func kahn(n int, deps, rdeps [][]int) []int {
	waiting := make([]int, n)
	var ready intHeap
	for v := 0; v < n; v++ {
		waiting[v] = len(deps[v])
		if waiting[v] == 0 {
			ready = append(ready, v) // ascending already: a valid heap
		}
	}
	order := make([]int, 0, n)
	for len(ready) > 0 {
		v := ready.pop()
		order = append(order, v)
		for _, u := range rdeps[v] {
			if waiting[u]--; waiting[u] == 0 {
				ready.push(u)
			}
		}
	}
	if len(order) < n {
		for v := 0; v < n; v++ {
			if waiting[v] > 0 {
				order = append(order, v)
			}
		}
	}
	return order
}

// intHeap is a min-heap of ints (container/heap would box every int).
type intHeap []int

func (h *intHeap) push(x int) {
	*h = append(*h, x)
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if a[p] <= a[i] {
			break
		}
		a[p], a[i] = a[i], a[p]
		i = p
	}
}

func (h *intHeap) pop() int {
	a := *h
	top := a[0]
	last := len(a) - 1
	a[0] = a[last]
	a = a[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(a) && a[l] < a[m] {
			m = l
		}
		if r < len(a) && a[r] < a[m] {
			m = r
		}
		if m == i {
			break
		}
		a[i], a[m] = a[m], a[i]
		i = m
	}
	*h = a
	return top
}

// cycles returns the strongly connected components of the graph that are
// cycles, each sorted, found with an iterative Tarjan walk (no recursion, so
// long chains cannot exhaust the stack).
func cycles(n int, deps [][]int) [][]int {
	index := make([]int, n) // 0: not visited; else visit number
	low := make([]int, n)
	onStack := make([]bool, n)
	var stack []int
	var out [][]int
	type frame struct{ v, next int }
	counter := 0
	visit := func(v int) {
		counter++
		index[v], low[v] = counter, counter
		stack = append(stack, v)
		onStack[v] = true
	}
	for s := 0; s < n; s++ {
		if index[s] != 0 {
			continue
		}
		visit(s)
		call := []frame{{v: s}}
		for len(call) > 0 {
			f := &call[len(call)-1]
			if f.next < len(deps[f.v]) {
				w := deps[f.v][f.next]
				f.next++
				if index[w] == 0 {
					visit(w)
					call = append(call, frame{v: w})
				} else if onStack[w] {
					low[f.v] = min(low[f.v], index[w])
				}
				continue
			}
			v := f.v
			call = call[:len(call)-1]
			if len(call) > 0 {
				p := call[len(call)-1].v
				low[p] = min(low[p], low[v])
			}
			if low[v] != index[v] {
				continue
			}
			var comp []int
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				comp = append(comp, w)
				if w == v {
					break
				}
			}
			if len(comp) > 1 || slices.Contains(deps[v], v) {
				slices.Sort(comp)
				out = append(out, comp)
			}
		}
	}
	slices.SortFunc(out, func(a, b []int) int { return a[0] - b[0] })
	return out
}
