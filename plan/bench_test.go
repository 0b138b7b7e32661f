package plan_test

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/provider/tfschema"
	"github.com/formation-engine/formation/template"
)

// Run with: go test ./plan -run '^$' -bench . -benchmem
//
// Each benchmark reports heap-MB, the largest HeapInuse seen right after a
// Make with the plan alive (the template, the state and the simulated
// world included), and cpu-ms/op, the process's CPU time per Make (every
// thread, the garbage collector's included): on a busy machine it moves
// less than ns/op.

// flatTemplate is benchmark (a): one block of n VPCs (the test type of
// testConfig, 8 attributes, which the benchmarks have always planned).
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

// layeredTemplate is benchmark (b): layers blocks of per test VPCs,
// each instance referencing the same index of the previous layer.
func layeredTemplate(layers, per int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"huaweicloud_vpc\" \"l0\" {\n  count = %d\n  name  = \"l0-${count.index}\"\n  cidr  = \"10.0.0.0/16\"\n}\n", per)
	for l := 1; l < layers; l++ {
		fmt.Fprintf(&b, "resource \"huaweicloud_vpc\" \"l%d\" {\n  count       = %d\n  name        = \"l%d-${count.index}\"\n  cidr        = \"10.0.0.0/16\"\n  description = huaweicloud_vpc.l%d[count.index].id\n}\n", l, per, l, l-1)
	}
	return b.String()
}

// subnetChainTemplate is a heavier variant of (b): a layer of VPCs, then
// layers of subnets (17 attributes each), each in the VPC or subnet of
// the same index of the previous layer.
func subnetChainTemplate(layers, per int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"huaweicloud_vpc\" \"l0\" {\n  count = %d\n  name  = \"l0-${count.index}\"\n  cidr  = \"10.0.0.0/16\"\n}\n", per)
	prev := "huaweicloud_vpc"
	for l := 1; l < layers; l++ {
		fmt.Fprintf(&b, "resource \"huaweicloud_vpc_subnet\" \"l%d\" {\n  count      = %d\n  name       = \"l%d-${count.index}\"\n  cidr       = \"10.0.0.0/24\"\n  gateway_ip = \"10.0.0.1\"\n  vpc_id     = %s.l%d[count.index].id\n}\n",
			l, per, l, prev, l-1)
		prev = "huaweicloud_vpc_subnet"
	}
	return b.String()
}

// benchMake runs Make on cfg against state b.N times, with the providers
// providers returns (called before each run, untimed).
func benchMake(b *testing.B, cfg *template.Config, state plan.State, providers func() plan.Providers, opts plan.Options, want int) {
	b.Helper()
	b.ReportAllocs()
	var peak uint64
	var ms runtime.MemStats
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		reg := providers()
		runtime.GC()
		cpu0 := cpuTime()
		b.StartTimer()
		p, err := plan.Make(context.Background(), cfg, state, reg, opts)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cpuTime() - cpu0
		if len(p.Changes) != want {
			b.Fatalf("%d changes, want %d", len(p.Changes), want)
		}
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
		runtime.KeepAlive(p)
		b.StartTimer()
	}
	b.ReportMetric(float64(peak)/(1<<20), "heap-MB")
	b.ReportMetric(float64(cpu)/float64(b.N)/1e6, "cpu-ms/op")
}

// registry returns the world's registry every time.
func (w *world) registry() plan.Providers { return w.reg }

// cpuTime is the CPU time the process has used (user and system, every
// thread: the garbage collector's included), which other processes on a
// busy machine disturb less than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkMake_Flat is (a): 10,000 instances of one block, empty state
// (template parsed and expanded once, outside the loop).
func BenchmarkMake_Flat(b *testing.B) {
	w := testWorld(b)
	cfg := expand(b, flatTemplate(10000))
	benchMake(b, cfg, plan.State{}, w.registry, plan.Options{}, 10000)
}

// BenchmarkMake_Layered is (b): 10 blocks × 1,000 instances, each
// referencing the same index of the previous block, empty state.
func BenchmarkMake_Layered(b *testing.B) {
	w := testWorld(b)
	cfg := expand(b, layeredTemplate(10, 1000))
	benchMake(b, cfg, plan.State{}, w.registry, plan.Options{}, 10000)
}

// BenchmarkMake_SubnetChain is the heavier variant of (b).
func BenchmarkMake_SubnetChain(b *testing.B) {
	w := testWorld(b)
	cfg := expand(b, subnetChainTemplate(10, 1000))
	benchMake(b, cfg, plan.State{}, w.registry, plan.Options{}, 10000)
}

// BenchmarkMake_RefreshNoOp is (c): a re-plan with refresh of 10,000
// deployed resources (sim, no latency): all NO_OPERATION. Each run gets a
// fresh simulated provider on the deployed world, so that the call log the
// sim keeps does not grow from run to run.
func BenchmarkMake_RefreshNoOp(b *testing.B) {
	mw := sim.NewMemoryWorld()
	w := newWorld(b, testConfig(sim.Config{World: mw}))
	src := flatTemplate(10000)
	w.deploy(src)
	cfg := expand(b, src)
	fresh := func() plan.Providers {
		p, err := sim.New(testConfig(sim.Config{World: mw}))
		if err != nil {
			b.Fatal(err)
		}
		// The world's states decode on first use since f5c0c91; decode
		// them here, untimed, as opening the world did before, so that
		// the benchmark still measures planning with refresh against a
		// loaded world (what a long-lived engine's provider holds), not
		// the first decoding.
		p.Resources()
		reg := &provider.Registry{}
		reg.Register("huaweicloud", p)
		return reg
	}
	if p, err := plan.Make(context.Background(), cfg, w.state, fresh(), plan.Options{Refresh: true}); err != nil || p.HasChanges() || len(p.Drifted()) > 0 {
		b.Fatalf("re-plan has changes (%v)", err)
	}
	benchMake(b, cfg, w.state, fresh, plan.Options{Refresh: true}, 10000)
}

// simLayeredTemplate is the planning part of the engine's benchmark (c):
// layers blocks of n schema-less sim items, each instance referring to the
// same index of the previous layer.
func simLayeredTemplate(layers, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"sim_item\" \"l0\" {\n  count = %d\n  name = \"l0-${count.index}\"\n}\n", n)
	for l := 1; l < layers; l++ {
		fmt.Fprintf(&b, "resource \"sim_item\" \"l%d\" {\n  count = %d\n  name = \"l%d-${count.index}\"\n  parent = sim_item.l%d[count.index].id\n}\n", l, n, l, l-1)
	}
	return b.String()
}

// BenchmarkMake_SimLayered1000 plans what the engine's benchmark (c)
// deploys: 10 blocks × 100 schema-less sim items, refresh on, empty state.
// A deployment plans the whole template before its first provider call,
// so this time adds straight to (c)'s latency.
func BenchmarkMake_SimLayered1000(b *testing.B) {
	p, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	reg := &provider.Registry{}
	reg.Register("sim", p)
	cfg := expand(b, simLayeredTemplate(10, 100))
	benchMake(b, cfg, plan.State{}, func() plan.Providers { return reg }, plan.Options{Parallelism: 100, Refresh: true}, 1000)
}

// BenchmarkMake_FlatSchema is BenchmarkMake_Flat with the real huaweicloud
// schema loaded (huaweicloud_vpc as the provider declares it: 14
// attributes and a timeouts block), when ../shared is there.
func BenchmarkMake_FlatSchema(b *testing.B) {
	w := schemaWorld(b)
	cfg := expand(b, flatTemplate(10000))
	benchMake(b, cfg, plan.State{}, w.registry, plan.Options{}, 10000)
}

// schemaWorld declares the catalog types and loads the real huaweicloud
// schema, which takes precedence; it skips b when ../shared is absent.
func schemaWorld(b *testing.B) *world {
	path := filepath.Join("..", "..", "shared", "catalog", "huaweicloud.schema.json.gz")
	doc, err := tfschema.Open(path)
	if err != nil {
		b.Skipf("the huaweicloud schema is not here (../shared is absent): %v", err)
	}
	return newWorld(b, sim.Config{UseCatalog: true, ProviderSchemas: []*tfschema.Document{doc}})
}

// BenchmarkWriteText_FlatSchema renders the plan of BenchmarkMake_FlatSchema
// as text, what a preview of it prints.
func BenchmarkWriteText_FlatSchema(b *testing.B) {
	w := schemaWorld(b)
	p, err := plan.Make(context.Background(), expand(b, flatTemplate(10000)), plan.State{}, w.reg, plan.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if err := p.WriteText(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}
