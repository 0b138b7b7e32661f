package etcd_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store/etcd"
	"github.com/formation-engine/formation/store/etcd/etcdtest"
	"github.com/formation-engine/formation/template"
)

// The benchmarks of issue 16 on a local one-member etcd with fsync on.

// BenchmarkEtcd_Apply_Flat10k deploys 10,000 flat instances on the
// zero-latency simulator. Target ≤ 3 s.
func BenchmarkEtcd_Apply_Flat10k(b *testing.B) {
	ms := etcdtest.Start(b, etcdtest.Options{})
	body := `resource "sim_item" "i" {
  count = 10000
  name  = "item-${count.index}"
  size  = count.index
}`
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		p, err := sim.New(sim.Config{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		st, err := etcd.Open(ctx, etcd.Options{Endpoints: etcdtest.Endpoints(ms), Prefix: fmt.Sprintf("/bench/%d/", i)})
		if err != nil {
			b.Fatal(err)
		}
		e, err := engine.New(engine.Config{Store: st, DefaultProvider: p, TemplateLimits: &template.Limits{}})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: "flat", TemplateInput: engine.TemplateInput{TemplateBody: body}})
		if err != nil {
			b.Fatal(err)
		}
		out, err := e.Wait(ctx, res.DeploymentRef)
		if err != nil || out.Status != formation.StackDeploymentComplete {
			b.Fatalf("deployment ended %+v, %v", out, err)
		}
		b.StopTimer()
		_ = e.Close()
		b.StartTimer()
	}
}

// BenchmarkEtcd_Takeover kills (abandons) the engine running a deployment
// and times until another engine has finished it: the claims' lease TTL,
// the takeover interval, and the little work left. Target ≤ TTL + 2 s.
func BenchmarkEtcd_Takeover(b *testing.B) {
	ms := etcdtest.Start(b, etcdtest.Options{})
	ctx := context.Background()
	const ttl = 2 * time.Second
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		p, err := sim.New(sim.Config{Seed: 1, Latency: []sim.LatencyRule{{Match: sim.Match{Op: sim.OpCreate}, Duration: 20 * time.Millisecond}}})
		if err != nil {
			b.Fatal(err)
		}
		open := func() (*engine.Engine, *etcd.Store) {
			st, err := etcd.Open(ctx, etcd.Options{Endpoints: etcdtest.Endpoints(ms), Prefix: fmt.Sprintf("/takeover/%d/", i), LeaseTTL: ttl})
			if err != nil {
				b.Fatal(err)
			}
			e, err := engine.New(engine.Config{Store: st, DefaultProvider: p, TakeoverInterval: 250 * time.Millisecond})
			if err != nil {
				b.Fatal(err)
			}
			return e, st
		}
		a, stA := open()
		other, _ := open()
		res, err := a.CreateStack(ctx, engine.CreateStackRequest{Name: "s", TemplateInput: engine.TemplateInput{TemplateBody: `resource "sim_item" "i" {
  count = 20
  name  = "item-${count.index}"
}`}})
		if err != nil {
			b.Fatal(err)
		}
		stA.Abandon()
		b.StartTimer()
		out, err := other.Wait(ctx, res.DeploymentRef)
		b.StopTimer()
		if err != nil || out.Status != formation.StackDeploymentComplete {
			b.Fatalf("deployment ended %+v, %v", out, err)
		}
		_ = other.Close()
		_ = a.Close()
		b.StartTimer()
	}
}
