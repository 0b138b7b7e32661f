package sim_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	formation "github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
)

func TestLatency_RealClockInSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newSim(t, sim.Config{Latency: []sim.LatencyRule{
			{Match: sim.Match{Address: "*.slow"}, Duration: 10 * time.Minute},
			{Match: sim.Match{Type: "huaweicloud_vpc"}, Duration: 8 * time.Second},
		}})
		start := time.Now()
		mustCreate(t, p, createReq("huaweicloud_vpc.vpc", "a"))
		if got := time.Since(start); got != 8*time.Second {
			t.Fatalf("create took %v, want 8s", got)
		}
		start = time.Now()
		mustCreate(t, p, createReq("huaweicloud_vpc.slow", "b"))
		if got := time.Since(start); got != 10*time.Minute {
			t.Fatalf("slow create took %v, want 10m", got)
		}
		if c := p.Calls()[1]; c.Latency != 10*time.Minute {
			t.Fatalf("recorded latency %v", c.Latency)
		}
	})
}

func TestLatency_ConcurrentCallsOverlap(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newSim(t, sim.Config{Latency: []sim.LatencyRule{{Duration: time.Minute}}})
		start := time.Now()
		done := make(chan struct{})
		for i := range 10 {
			go func() {
				defer func() { done <- struct{}{} }()
				mustCreate(t, p, createReq("huaweicloud_vpc.v["+itoa(i)+"]", itoa(i)))
			}()
		}
		for range 10 {
			<-done
		}
		if got := time.Since(start); got != time.Minute {
			t.Fatalf("10 concurrent creates took %v, want 1m (latency must not hold the lock)", got)
		}
	})
}

func TestLatency_ScaledClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := formation.NewScaledClock(3600) // an hour per real second
		p := newSim(t, sim.Config{Clock: clock, Latency: []sim.LatencyRule{{Duration: 6 * time.Hour}}})
		realStart, simStart := time.Now(), clock.Now()
		mustCreate(t, p, createReq("huaweicloud_vpc.vpc", "a"))
		if got := time.Since(realStart); got != 6*time.Second {
			t.Fatalf("real time %v, want 6s", got)
		}
		if got := clock.Now().Sub(simStart); got != 6*time.Hour {
			t.Fatalf("simulated time %v, want 6h", got)
		}
	})
}

func TestLatency_JitterIsSeededAndBounded(t *testing.T) {
	latencies := func(seed int64) []time.Duration {
		var out []time.Duration
		synctest.Test(t, func(t *testing.T) {
			p := newSim(t, sim.Config{Seed: seed, Latency: []sim.LatencyRule{{Duration: time.Second, Jitter: 4 * time.Second}}})
			for i := range 30 {
				mustCreate(t, p, createReq("huaweicloud_vpc.v["+itoa(i)+"]", itoa(i)))
			}
			for _, c := range p.Calls() {
				out = append(out, c.Latency)
			}
		})
		return out
	}
	a, b := latencies(5), latencies(5)
	distinct := map[time.Duration]bool{}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("latency %d differs for the same seed: %v vs %v", i, a[i], b[i])
		}
		if a[i] < time.Second || a[i] >= 5*time.Second {
			t.Fatalf("latency %v outside [1s, 5s)", a[i])
		}
		distinct[a[i]] = true
	}
	if len(distinct) < 10 {
		t.Fatalf("only %d distinct latencies of 30", len(distinct))
	}
}

func TestLatency_CancelledWhileWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := newSim(t, sim.Config{Latency: []sim.LatencyRule{{Duration: time.Hour}}})
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, err := p.Create(ctx, createReq("huaweicloud_vpc.vpc", "a"))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v", err)
		}
		if len(p.Resources()) != 0 {
			t.Fatal("a create cancelled during its latency had an effect")
		}
		if _, err := p.Read(ctx, provider.ReadRequest{TypeName: "x", ID: "y"}); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("read on a done ctx: %v", err)
		}
	})
}
