package etcd_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/rfsapi"
	"github.com/formation-engine/formation/store/etcd"
	"github.com/formation-engine/formation/template"
)

// TestChaos re-executes this test binary as its engine replicas: with
// replicaEnv set, the process is one replica (runReplica) instead of a test
// run.
const (
	replicaEnv        = "FORMATION_CHAOS_REPLICA" // the etcd endpoints, comma-separated
	replicaPrefixEnv  = "FORMATION_CHAOS_PREFIX"
	replicaJournalEnv = "FORMATION_CHAOS_JOURNAL"
)

func TestMain(m *testing.M) {
	if endpoints := os.Getenv(replicaEnv); endpoints != "" {
		if err := runReplica(strings.Split(endpoints, ","), os.Getenv(replicaPrefixEnv), os.Getenv(replicaJournalEnv)); err != nil {
			fmt.Fprintln(os.Stderr, "replica:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// chaosProject is the RFS project id the replicas serve.
const chaosProject = "chaos"

// runReplica is one engine replica as `formation serve -store etcd://…`
// runs it: the etcd store, the simulated provider with its world in the
// store, the engine and RFS's HTTP API on a local port, which it prints as
// "listening HOST:PORT". It serves until it is killed.
func runReplica(endpoints []string, prefix, journalPath string) error {
	ctx := context.Background()
	st, err := etcd.Open(ctx, etcd.Options{Endpoints: endpoints, Prefix: prefix, LeaseTTL: replicaTTL})
	if err != nil {
		return err
	}
	journal, err := os.OpenFile(journalPath, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	p, err := sim.Open(ctx, sim.Config{UseCatalog: true, Seed: 1, World: sim.StoreWorld{Store: st},
		Latency: []sim.LatencyRule{{Duration: 20 * time.Millisecond}}})
	if err != nil {
		return err
	}
	e, err := engine.New(engine.Config{Store: st, DefaultProvider: &journaled{Provider: p, journal: journal, pid: os.Getpid(), calls: new(atomic.Int64)},
		TemplateLimits: &template.Limits{}, TakeoverInterval: 200 * time.Millisecond, RetryPause: 10 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	if err != nil {
		return err
	}
	h, err := rfsapi.New(rfsapi.Config{Projects: rfsapi.Single(chaosProject, e)})
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("listening %s\n", l.Addr())
	return http.Serve(l, h)
}

// journaled records every provider mutation in the journal shared by all
// replicas, one line when it starts and one when it returns: "B|E PID CALL
// STACK UNIXNANO". The stack is the resource's name up to its last "-" (the
// chaos templates name resources STACK-INDEX). A line is one write to a
// file opened for appending, so lines of several processes never mix and a
// SIGKILL loses none that was written.
type journaled struct {
	*sim.Provider
	journal *os.File
	pid     int
	calls   *atomic.Int64
}

func (j *journaled) record(kind byte, call int64, obj cty.Value) {
	stack := "?"
	if obj.Type().IsObjectType() && obj.Type().HasAttribute("name") && !obj.IsNull() {
		if name := obj.GetAttr("name"); name.IsKnown() && !name.IsNull() && name.Type() == cty.String {
			s := name.AsString()
			if i := strings.LastIndexByte(s, '-'); i > 0 {
				stack = s[:i]
			}
		}
	}
	_, _ = fmt.Fprintf(j.journal, "%c %d %d %s %d\n", kind, j.pid, call, stack, time.Now().UnixNano())
}

// around journals one mutation of obj's resource.
func (j *journaled) around(obj cty.Value, fn func() error) error {
	call := j.calls.Add(1)
	j.record('B', call, obj)
	err := fn()
	j.record('E', call, obj)
	return err
}

func (j *journaled) Create(ctx context.Context, req provider.CreateRequest) (resp provider.CreateResponse, err error) {
	err = j.around(req.Config, func() error {
		resp, err = j.Provider.Create(ctx, req)
		return err
	})
	return resp, err
}

func (j *journaled) Update(ctx context.Context, req provider.UpdateRequest) (resp provider.UpdateResponse, err error) {
	err = j.around(req.Planned, func() error {
		resp, err = j.Provider.Update(ctx, req)
		return err
	})
	return resp, err
}

func (j *journaled) Delete(ctx context.Context, req provider.DeleteRequest) error {
	return j.around(req.State, func() error { return j.Provider.Delete(ctx, req) })
}

// Configure keeps the configured provider journaled.
func (j *journaled) Configure(ctx context.Context, req provider.ConfigureRequest) (provider.Provider, error) {
	p, err := j.Provider.Configure(ctx, req)
	if err != nil {
		return nil, err
	}
	if sp, ok := p.(*sim.Provider); ok {
		return &journaled{Provider: sp, journal: j.journal, pid: j.pid, calls: j.calls}, nil
	}
	return p, nil
}
