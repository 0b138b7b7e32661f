// Command simulation runs a deployment whose resources take hours — a
// five-hour rollout of a VPC, two subnets and an ECS instance — in about
// a second of real time, with a scaled clock, and prints the simulated
// durations the simulated cloud and the events report.
//
// Run it with:
//
//	go run ./examples/simulation
//
// The tests next to it (simulation_test.go) are the point of this example:
// unit-level simulation of deployments, as you would write them for your
// own templates. They run the same rollout in exact virtual time inside
// testing/synctest, under a scaled clock, with injected faults and the
// rollback they cause, and twice with the same seeds to show that ids are
// reproducible:
//
//	go test -v ./examples/simulation
package main

import (
	"context"
	"fmt"
	"log"
	"maps"
	"slices"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
)

// rollout is the template: the instance waits for the subnets, the subnets
// for the VPC.
const rollout = `
resource "huaweicloud_vpc" "vpc" {
  name = "sim-vpc"
  cidr = "10.0.0.0/16"
}

resource "huaweicloud_vpc_subnet" "subnet" {
  count      = 2
  name       = "sim-subnet-${count.index}"
  vpc_id     = huaweicloud_vpc.vpc.id
  cidr       = cidrsubnet(huaweicloud_vpc.vpc.cidr, 8, count.index)
  gateway_ip = cidrhost(cidrsubnet(huaweicloud_vpc.vpc.cidr, 8, count.index), 1)
}

resource "huaweicloud_compute_instance" "app" {
  name = "sim-app"
  dynamic "network" {
    for_each = huaweicloud_vpc_subnet.subnet
    content {
      uuid = network.value.id
    }
  }
}
`

// Simulated durations of the rollout's creates. The subnets take an hour
// plus a seeded draw of up to 30 minutes: the same on every run with the
// same seed, different per subnet. Deletions (a rollback's) take 10 minutes.
const (
	vpcLatency      = 30 * time.Minute
	subnetLatency   = time.Hour
	subnetJitter    = 30 * time.Minute
	instanceLatency = 3 * time.Hour
	deleteLatency   = 10 * time.Minute
)

func latencies() []sim.LatencyRule {
	return []sim.LatencyRule{
		{Match: sim.Match{Op: sim.OpCreate, Type: "huaweicloud_vpc"}, Duration: vpcLatency},
		{Match: sim.Match{Op: sim.OpCreate, Type: "huaweicloud_vpc_subnet"}, Duration: subnetLatency, Jitter: subnetJitter},
		{Match: sim.Match{Op: sim.OpCreate, Type: "huaweicloud_compute_instance"}, Duration: instanceLatency},
		{Match: sim.Match{Op: sim.OpDelete}, Duration: deleteLatency},
	}
}

// setup is what every scenario starts from.
type setup struct {
	Clock  formation.Clock // nil: the real clock (virtual inside a synctest bubble)
	Seed   int64           // the simulated cloud's seed, and the engine's IDSeed
	Faults []sim.Fault
}

// newEngine returns an engine over an in-memory store whose every provider
// is one simulated cloud with the rollout's latencies. Both read the same
// clock: the cloud waits out latencies on it, the engine stamps events with
// it. The caller closes the engine.
func newEngine(s setup) (*engine.Engine, *sim.Provider, error) {
	cloud, err := sim.New(sim.Config{
		Seed:       s.Seed,
		Clock:      s.Clock,
		UseCatalog: true,
		Latency:    latencies(),
		Faults:     s.Faults,
	})
	if err != nil {
		return nil, nil, err
	}
	e, err := engine.New(engine.Config{
		Store:           store.NewMemory(),
		DefaultProvider: cloud,
		Clock:           s.Clock,
		IDSeed:          uint64(s.Seed),
		RetryPause:      time.Minute, // on the clock: a simulated minute
	})
	if err != nil {
		return nil, nil, err
	}
	return e, cloud, nil
}

// deploy creates the stack "app" (auto-rollback on) with the rollout and
// waits for the deployment to end.
func deploy(ctx context.Context, e *engine.Engine) (engine.Result, error) {
	created, err := e.CreateStack(ctx, engine.CreateStackRequest{
		Name:               "app",
		EnableAutoRollback: true,
		TemplateInput:      engine.TemplateInput{TemplateBody: rollout},
	})
	if err != nil {
		return engine.Result{}, err
	}
	return e.Wait(ctx, created.DeploymentRef)
}

func main() {
	if err := run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context) error {
	// 14400 times faster than real time: an hour passes in 250ms.
	clock := formation.NewScaledClock(14400)
	e, cloud, err := newEngine(setup{Clock: clock, Seed: 1})
	if err != nil {
		return err
	}
	defer e.Close()

	res, err := deploy(ctx, e)
	if err != nil {
		return err
	}
	fmt.Println("deployment:", res.Status)
	if !res.Succeeded() {
		return fmt.Errorf("deployment ended %s: %s", res.Status, res.Message)
	}

	// The simulated cloud records every call with its simulated latency:
	// fixed for the VPC and the instance, seeded for the subnets.
	latency := map[string]time.Duration{}
	fmt.Println("simulated latency of each create:")
	for _, c := range cloud.Calls() {
		if c.Op == sim.OpCreate {
			latency[c.Address] = c.Latency
		}
	}
	for _, addr := range slices.Sorted(maps.Keys(latency)) {
		fmt.Printf("  %-34s %v\n", addr, latency[addr].Truncate(time.Second))
	}

	// The events report simulated time too. A scaled clock also scales the
	// engine's own (real) work, so an event's elapsed_seconds is its
	// latency plus a little; the tests pin them exactly with synctest.
	page, err := e.ListStackEvents(ctx, engine.ListStackEventsRequest{
		StackRef: engine.StackRef{Name: "app"},
		Filter:   "event_type==CREATION_COMPLETE",
	})
	if err != nil {
		return err
	}
	covered := len(page.StackEvents) == len(latency)
	for _, ev := range page.StackEvents {
		addr := ev.ResourceType + "." + ev.ResourceName
		if ev.ResourceKey != "" {
			addr += "[" + ev.ResourceKey + "]"
		}
		if ev.ElapsedSeconds < int64(latency[addr]/time.Second)-1 { // -1: the clock's float rounding
			covered = false
		}
	}
	fmt.Println("every CREATION_COMPLETE event's elapsed_seconds covers its latency:", covered)

	// The stack's times are the scaled clock's too: hours apart.
	meta, err := e.GetStackMetadata(ctx, engine.StackRef{Name: "app"})
	if err != nil {
		return err
	}
	total := meta.UpdateTime.Sub(meta.CreateTime.Time)
	fmt.Println("simulated duration of the rollout: about", total.Round(time.Hour))
	if !covered {
		return fmt.Errorf("events do not report the simulated latencies")
	}
	return nil
}
