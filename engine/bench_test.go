package engine_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/template"
)

// The apply benchmarks of issue 5. Every one runs on a bbolt file with full
// durability (fsync on every commit) and the simulated provider.

func flatTemplate(n int) string {
	return fmt.Sprintf(`resource "sim_item" "i" {
  count = %d
  name  = "item-${count.index}"
  size  = count.index
}`, n)
}

// layeredTemplate has layers blocks of n instances; each instance refers to
// the same index of the previous layer.
func layeredTemplate(layers, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"sim_item\" \"l0\" {\n  count = %d\n  name = \"l0-${count.index}\"\n}\n", n)
	for l := 1; l < layers; l++ {
		fmt.Fprintf(&b, "resource \"sim_item\" \"l%d\" {\n  count = %d\n  name = \"l%d-${count.index}\"\n  parent = sim_item.l%d[count.index].id\n}\n", l, n, l, l-1)
	}
	return b.String()
}

type benchEnv struct {
	e   *engine.Engine
	sim *sim.Provider
}

func newBenchEnv(b *testing.B, sc sim.Config, parallelism int) benchEnv {
	b.Helper()
	p, err := sim.New(sc)
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.OpenBolt(filepath.Join(b.TempDir(), "bench.db"), store.BoltOptions{})
	if err != nil {
		b.Fatal(err)
	}
	e, err := engine.New(engine.Config{Store: st, DefaultProvider: p, TemplateLimits: &template.Limits{}, Parallelism: parallelism, GlobalParallelism: max(parallelism, 100)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = e.Close() })
	return benchEnv{e, p}
}

func (env benchEnv) deploy(b *testing.B, stack, body string) engine.Result {
	b.Helper()
	ctx := context.Background()
	res, err := env.e.CreateStack(ctx, engine.CreateStackRequest{Name: stack, TemplateInput: engine.TemplateInput{TemplateBody: body}})
	if err != nil {
		b.Fatal(err)
	}
	out, err := env.e.Wait(ctx, res.DeploymentRef)
	if err != nil {
		b.Fatal(err)
	}
	if out.Status != formation.StackDeploymentComplete {
		b.Fatalf("deployment ended %+v", out)
	}
	return out
}

// peakHeap samples the heap while fn runs and reports the highest HeapInuse.
func peakHeap(b *testing.B, fn func()) {
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var ms runtime.MemStats
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	})
	fn()
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
}

// (a) 10,000 flat instances, zero latency: target ≤ 2 s, peak heap ≤ 300 MB.
func BenchmarkApply_Flat10k(b *testing.B) {
	body := flatTemplate(10000)
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		env := newBenchEnv(b, sim.Config{Seed: 1}, 0)
		runtime.GC()
		b.StartTimer()
		peakHeap(b, func() { env.deploy(b, fmt.Sprintf("s%d", i), body) })
	}
}

// (b) 10 layers × 1,000 instances, each referring to the previous layer:
// target ≤ 3 s.
func BenchmarkApply_Layered10x1000(b *testing.B) {
	body := layeredTemplate(10, 1000)
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		env := newBenchEnv(b, sim.Config{Seed: 1}, 0)
		b.StartTimer()
		env.deploy(b, fmt.Sprintf("s%d", i), body)
	}
}

// latencySim is the simulator of (c): every operation takes 20 ms.
var latencySim = sim.Config{Seed: 1, Latency: []sim.LatencyRule{{Duration: 20 * time.Millisecond}}}

// (c) 1,000 instances in 10 dependent layers, 20 ms per operation,
// parallelism 100: the critical path is 10 × 20 ms; target: within 15 %.
//
// The (c) benchmarks measure a warm process, as an embedding service runs:
// each first deploys once untimed. A process's first deployment also pays
// one-time costs — code paged in, lazily built tables in hcl and cty, the
// heap grown from nothing — 10–15 ms here, which say nothing of the
// engine's overhead per deployment.
func BenchmarkApply_Latency20ms(b *testing.B) {
	body := layeredTemplate(10, 100)
	newBenchEnv(b, latencySim, 100).deploy(b, "warm-up", body)
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		env := newBenchEnv(b, latencySim, 100)
		b.StartTimer()
		env.deploy(b, fmt.Sprintf("s%d", i), body)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/200, "x-critical-path")
}

// The floor of (c): the same 1,000 creations as 100 chains of 10, made
// straight on the simulated provider with no engine — what the timers and
// the simulator alone cost on this machine.
func BenchmarkApply_Latency20msFloor(b *testing.B) {
	ctx := context.Background()
	floorRun := func(p *sim.Provider) {
		var wg sync.WaitGroup
		for chain := range 100 {
			wg.Go(func() {
				parent := ""
				for layer := range 10 {
					addr := fmt.Sprintf("sim_item.l%d[%d]", layer, chain)
					config := map[string]cty.Value{"name": cty.StringVal(addr)}
					if parent != "" {
						config["parent"] = cty.StringVal(parent)
					}
					resp, err := p.Create(ctx, provider.CreateRequest{TypeName: "sim_item", Address: addr, Config: cty.ObjectVal(config), Token: addr})
					if err != nil {
						b.Error(err)
						return
					}
					parent = resp.ID
				}
			})
		}
		wg.Wait()
	}
	newSim := func() *sim.Provider {
		p, err := sim.New(latencySim)
		if err != nil {
			b.Fatal(err)
		}
		return p
	}
	floorRun(newSim())
	for b.Loop() {
		b.StopTimer()
		p := newSim()
		b.StartTimer()
		floorRun(p)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/200, "x-critical-path")
}

// (c) again, applying an execution plan made beforehand: the apply carries
// out the stored plan, so the time is the executor's alone.
func BenchmarkApply_Latency20msPlanned(b *testing.B) {
	body := layeredTemplate(10, 100)
	ctx := context.Background()
	newBenchEnv(b, latencySim, 100).deploy(b, "warm-up", body)
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		env := newBenchEnv(b, latencySim, 100)
		if _, err := env.e.CreateStack(ctx, engine.CreateStackRequest{Name: "s"}); err != nil {
			b.Fatal(err)
		}
		ref := engine.PlanRef{StackRef: engine.StackRef{Name: "s"}, PlanName: "p"}
		if _, err := env.e.CreateExecutionPlan(ctx, engine.CreateExecutionPlanRequest{StackRef: ref.StackRef, PlanName: "p", TemplateInput: engine.TemplateInput{TemplateBody: body}}); err != nil {
			b.Fatal(err)
		}
		if _, err := env.e.WaitExecutionPlan(ctx, ref); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		dep, err := env.e.ApplyExecutionPlan(ctx, engine.ApplyExecutionPlanRequest{PlanRef: ref})
		if err != nil {
			b.Fatal(err)
		}
		if res, err := env.e.Wait(ctx, dep); err != nil || res.Status != formation.StackDeploymentComplete {
			b.Fatalf("apply ended %+v, %v", res, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/200, "x-critical-path")
}

// (d) deleting 10,000 instances: target ≤ 2 s.
func BenchmarkDelete_Flat10k(b *testing.B) {
	body := flatTemplate(10000)
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		env := newBenchEnv(b, sim.Config{Seed: 1}, 0)
		env.deploy(b, "s", body)
		b.StartTimer()
		dep, err := env.e.DeleteStack(ctx, engine.DeleteStackRequest{StackRef: engine.StackRef{Name: "s"}})
		if err != nil {
			b.Fatal(err)
		}
		if res, err := env.e.Wait(ctx, dep); err != nil || !res.Deleted {
			b.Fatalf("delete ended %+v, %v", res, err)
		}
	}
}
