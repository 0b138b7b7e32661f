package sim_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
)

// benchmarkCreates measures 10,000 creates with zero latency on a fresh
// provider per iteration: the provider's share of an engine applying 10,000
// resources, which must stay far below the engine's 2 s budget.
func benchmarkCreates(b *testing.B, cfg func() sim.Config) {
	const n = 10_000
	ctx := context.Background()
	reqs := make([]provider.CreateRequest, n)
	for i := range reqs {
		address := "huaweicloud_vpc.vpc[" + strconv.Itoa(i) + "]"
		reqs[i] = provider.CreateRequest{TypeName: "huaweicloud_vpc", Address: address, Config: vpc("vpc", "10.0.0.0/16"), Token: "dep/" + address, Attempt: 1}
	}
	b.ReportAllocs()
	for b.Loop() {
		p := newSim(b, cfg())
		for _, req := range reqs {
			if _, err := p.Create(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/create")
}

func BenchmarkCreate10k(b *testing.B) {
	b.Run("schemaless", func(b *testing.B) {
		benchmarkCreates(b, func() sim.Config { return sim.Config{Seed: 1} })
	})
	b.Run("catalog", func(b *testing.B) {
		benchmarkCreates(b, func() sim.Config { return sim.Config{Seed: 1, UseCatalog: true} })
	})
	b.Run("catalog_persisted", func(b *testing.B) {
		benchmarkCreates(b, func() sim.Config { return sim.Config{Seed: 1, UseCatalog: true, World: sim.NewMemoryWorld()} })
	})
}
