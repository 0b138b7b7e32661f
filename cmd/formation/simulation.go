package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/store/etcd"
	"github.com/formation-engine/formation/template"
)

// The simulation: what the global flags -sim-*, -time-scale, -limits and
// -parallelism make of the simulated provider and the engine. The simulated
// provider serves every provider name a template uses (it is the engine's
// DefaultProvider), with the catalog's schemas for the types it knows.

// clock is the clock of the engine and of the simulated provider: nil (the
// wall clock) unless -time-scale asks for a scaled one, which runs
// simulated latency faster while events report simulated time. Both must
// share one clock, so elapsed times in events match the latency waited.
func (g *globals) clock() formation.Clock {
	if g.timeScale == 1 {
		return nil
	}
	return formation.NewScaledClock(float64(g.timeScale))
}

// templateLimits is -limits: nil keeps RFS's limits; none lifts them and
// raises the evaluation budget (template.RaisedLimits), for a template the
// user trusts.
func (g *globals) templateLimits() *template.Limits {
	if g.limits.value == "none" {
		l := template.RaisedLimits()
		return &l
	}
	return nil
}

// effectiveLimits is templateLimits as values.
func (g *globals) effectiveLimits() template.Limits {
	if l := g.templateLimits(); l != nil {
		return *l
	}
	return template.DefaultLimits()
}

// simConfig is the simulated provider's configuration: the seed, one
// latency rule for every operation (-sim-latency), one fault per
// -sim-fail, the provider schemas (-provider-schema), the data-source
// answers (-sim-data) and the catalog. world persists the simulated cloud;
// nil keeps it in memory (preview without a stack writes nothing).
func (g *globals) simConfig(clock formation.Clock, world sim.WorldStore) (sim.Config, error) {
	docs, err := g.providerSchemas()
	if err != nil {
		return sim.Config{}, err
	}
	fixtures, err := readSimData(g.simData)
	if err != nil {
		return sim.Config{}, err
	}
	forceNew, err := g.enableForceNew()
	if err != nil {
		return sim.Config{}, err
	}
	cfg := sim.Config{
		// The flag is unsigned so that any 64-bit seed can be written; the
		// simulator draws from the same 64 bits.
		Seed:            int64(g.simSeed),
		Clock:           clock,
		UseCatalog:      true,
		ProviderSchemas: docs,
		Fixtures:        fixtures,
		EnableForceNew:  forceNew,
		World:           world,
	}
	if d := time.Duration(g.simLatency); d > 0 {
		cfg.Latency = []sim.LatencyRule{{Duration: d}}
	}
	for _, f := range g.simFaults {
		cfg.Faults = append(cfg.Faults, sim.Fault{Match: sim.Match{Op: sim.Op(f.op), Address: f.address}, Times: f.times})
	}
	return cfg, nil
}

// forceNewEnv is the huaweicloud provider's own switch: when its provider
// block does not set enable_force_new, the provider takes it from here.
const forceNewEnv = "HW_ENABLE_FORCE_NEW"

// enableForceNew reads $HW_ENABLE_FORCE_NEW as the provider does (a bool,
// as strconv.ParseBool reads it; unset or empty is false).
func (g *globals) enableForceNew() (bool, error) {
	v := lookupEnv(g.environ, forceNewEnv)
	if v == "" {
		return false, nil
	}
	on, err := strconv.ParseBool(v)
	if err != nil {
		return false, &formation.Error{Code: formation.CodeInvalidParameter, Op: "formation",
			Message: fmt.Sprintf("%s=%q is not a bool (true or false)", forceNewEnv, v)}
	}
	return on, nil
}

// simulation is the database and the simulated world stored in it, open
// for one invocation.
type simulation struct {
	st    store.Store
	sim   *sim.Provider
	clock formation.Clock
}

// openSimulation opens the database file and the simulated world it holds.
// A file another process holds is refused within a second (see openError).
func (g *globals) openSimulation() (*simulation, error) {
	clock := g.clock()
	if _, err := g.simConfig(clock, nil); err != nil {
		return nil, err // bad -provider-schema or -sim-data: refused before the database is opened
	}
	st, err := openStore(g.db)
	if err != nil {
		return nil, err
	}
	cfg, err := g.simConfig(clock, sim.StoreWorld{Store: st})
	// The engine flushes the world before it records what the simulator
	// did (provider.Flusher): one commit per group of results, not one
	// per resource.
	cfg.DeferWrites = true
	var p *sim.Provider
	if err == nil {
		p, err = sim.New(cfg)
	}
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	return &simulation{st: st, sim: p, clock: clock}, nil
}

// sharedStore reports whether the store URL names a store many processes
// open at once (etcd), rather than a file one process holds.
func sharedStore(url string) bool { return strings.HasPrefix(url, "etcd://") }

// openStore opens the store -store (or -db) names: an etcd:// URL, or the
// path of a bbolt file.
func openStore(url string) (store.Store, error) {
	if sharedStore(url) {
		opts, err := etcd.ParseURL(url)
		if err != nil {
			return nil, err
		}
		return etcd.Open(context.Background(), opts)
	}
	st, err := store.OpenBolt(url, store.BoltOptions{})
	if err != nil {
		return nil, openError(url, err)
	}
	return st, nil
}

// engineConfig is the engine's configuration over an open simulation.
func (g *globals) engineConfig(s *simulation) engine.Config {
	return engine.Config{
		Store:           s.st,
		DefaultProvider: s.sim,
		Parallelism:     int(g.parallelism),
		Clock:           s.clock,
		TemplateLimits:  g.templateLimits(),
	}
}
