package rfsapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/rfsapi"
	"github.com/formation-engine/formation/store"
)

var (
	loadDuration = flag.Duration("load.duration", 30*time.Second, "how long BenchmarkLoad's clients run")
	loadClients  = flag.Int("load.clients", 200, "BenchmarkLoad's concurrent clients")
	loadRate     = flag.Float64("load.rate", 10, "requests per second each client of BenchmarkLoad/paced sends, at random (Poisson) times")
)

// loadTemplate is each client's stack: two resources named after the
// client, so the cloud shows whether any was made twice.
const loadTemplate = `
variable "who" { type = string }
variable "size" { type = string }
resource "huaweicloud_vpc" "vpc" {
  name = "${var.who}-vpc"
  cidr = "10.0.0.0/16"
  description = var.size
}
resource "huaweicloud_vpc_subnet" "subnet" {
  name       = "${var.who}-subnet"
  vpc_id     = huaweicloud_vpc.vpc.id
  cidr       = "10.0.1.0/24"
  gateway_ip = "10.0.1.1"
}
`

// BenchmarkLoad is the load test, on loopback: -load.clients
// clients (200) for -load.duration (30 s), each owning a stack, mixing
// reads (metadata, the stack list, events, resources) with deployments of
// its stack (every tenth request), over a bbolt file. It fails on any 5xx,
// on a deployment accepted but not run, run twice, or whose resources the
// cloud holds twice; it reports the reads' p50 and p99.
//
// It runs two loads. In "paced", the load, each client sends
// -load.rate requests a second (10: 2,000 requests and 200 deployments a
// second offered by 200 clients) at the random times of a Poisson process,
// whatever the server answers, as independent users would (RFS paces each
// client too: 429 beyond its rate), and a request's latency is counted
// from the time it was due, so that a server which falls behind cannot
// hide it by delaying the clients (coordinated omission). In "closed" each
// client sends its next request the moment it has the answer: that
// measures the server's throughput, and its latency is clients ÷
// throughput by Little's law, whatever the server does.
//
// The clients run in a process of their own (TestLoadClients), as RFS's
// clients do: sharing the server's process, their requests and garbage
// were a third of its CPU and paced its collector. The two processes share
// the machine's cores.
//
//	go test ./rfsapi -run '^$' -bench Load -benchtime 1x
func BenchmarkLoad(b *testing.B) {
	b.Run(fmt.Sprintf("paced-%grps", *loadRate), func(b *testing.B) {
		for range b.N {
			runLoad(b, *loadClients, *loadDuration, *loadRate)
		}
	})
	b.Run("closed", func(b *testing.B) {
		for range b.N {
			runLoad(b, *loadClients, *loadDuration, 0)
		}
	})
}

// loadClientsEnv, when set, makes TestLoadClients the clients of a
// BenchmarkLoad run: it holds the run's loadPlan as JSON.
const loadClientsEnv = "FORMATION_LOAD_CLIENTS"

// loadPlan is what the client process is to do.
type loadPlan struct {
	URL      string
	Clients  int
	Duration time.Duration
	Rate     float64 // requests a second per client; 0: each its next on an answer
	Out      string  // the file the client process writes its loadStats to
}

// loadStats is what the clients sent and found.
type loadStats struct {
	mu          sync.Mutex
	Reads       []time.Duration
	ByKind      map[string][]time.Duration // the reads by operation, to tell which is slow
	Deploys     []time.Duration
	Deployments []string // accepted deployment ids
	Busy        int      // deployments refused because the stack was busy (expected)
	Status      map[int]int
	Failures    []string
	CPU         time.Duration // the client process's, during the run
}

func (s *loadStats) fail(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.Failures) < 10 {
		s.Failures = append(s.Failures, fmt.Sprintf(format, args...))
	}
}

// TestLoadClients is the client process of a BenchmarkLoad run; it does
// nothing in a plain go test.
func TestLoadClients(t *testing.T) {
	raw := os.Getenv(loadClientsEnv)
	if raw == "" {
		t.Skip("the clients of BenchmarkLoad, which runs them in a process of their own")
	}
	var p loadPlan
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		t.Fatal(err)
	}
	cpu0 := processCPU()
	stats := runClients(p)
	stats.CPU = processCPU() - cpu0
	data, err := json.Marshal(stats)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p.Out, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// runClients runs p's clients against the stacks c0, c1, … for p.Duration.
func runClients(p loadPlan) *loadStats {
	transport := &http.Transport{MaxIdleConnsPerHost: p.Clients, MaxConnsPerHost: p.Clients}
	defer transport.CloseIdleConnections()
	hc := &http.Client{Transport: transport, Timeout: time.Minute}
	stats := &loadStats{Status: map[int]int{}, ByKind: map[string][]time.Duration{}}
	// send sends a request due at due and returns its status, its body
	// and how long after due the answer came.
	send := func(due time.Time, method, path, body string) (int, []byte, time.Duration) {
		req, _ := http.NewRequest(method, p.URL+"/v1/"+rfsapi.DefaultProject+path, strings.NewReader(body))
		req.Header.Set("Client-Request-Id", "00000000-0000-4000-8000-000000000000")
		req.Header.Set("Content-Type", "application/json")
		resp, err := hc.Do(req)
		if err != nil {
			stats.fail("%s %s: %v", method, path, err)
			return 0, nil, 0
		}
		// A read's answer is drained, not kept.
		var out []byte
		if method == "GET" && resp.StatusCode == 200 {
			_, _ = io.Copy(io.Discard, resp.Body)
		} else {
			out, _ = io.ReadAll(resp.Body)
		}
		resp.Body.Close()
		took := time.Since(due)
		stats.mu.Lock()
		stats.Status[resp.StatusCode]++
		stats.mu.Unlock()
		if resp.StatusCode >= 500 {
			stats.fail("%s %s: %d %s", method, path, resp.StatusCode, out)
		}
		return resp.StatusCode, out, took
	}
	deployBody := func(who string, n int) string {
		b, _ := json.Marshal(map[string]any{"template_body": loadTemplate, "vars_structure": []map[string]string{
			{"var_key": "who", "var_value": who}, {"var_key": "size", "var_value": fmt.Sprint(n)}}})
		return string(b)
	}
	start := time.Now()
	deadline := start.Add(p.Duration)
	var wg sync.WaitGroup
	for i := range p.Clients {
		wg.Go(func() {
			who := fmt.Sprintf("c%d", i)
			arrivals := rand.New(rand.NewPCG(1, uint64(i)))
			due := start
			for n := 0; ; n++ {
				if p.Rate > 0 {
					// The next request is due an exponential time after
					// the last was due, not after its answer came.
					due = due.Add(time.Duration(arrivals.ExpFloat64() / p.Rate * float64(time.Second)))
				} else {
					due = time.Now()
				}
				if !due.Before(deadline) {
					break
				}
				time.Sleep(time.Until(due))
				var path, kind string
				switch n % 10 {
				case 0:
					code, out, took := send(due, "POST", "/stacks/"+who+"/deployments", deployBody(who, n))
					switch code {
					case 202:
						var dep engine.DeploymentRef
						if err := json.Unmarshal(out, &dep); err != nil {
							stats.fail("deploy answer %s: %v", out, err)
						}
						stats.mu.Lock()
						stats.Deployments = append(stats.Deployments, dep.DeploymentID)
						stats.Deploys = append(stats.Deploys, took)
						stats.mu.Unlock()
					case 403:
						stats.mu.Lock()
						stats.Busy++ // its previous deployment still runs
						stats.mu.Unlock()
					default:
						stats.fail("deploy %s: %d %s", who, code, out)
					}
					continue
				case 1, 4, 7:
					path, kind = "/stacks/"+who+"/metadata", "metadata"
				case 2, 5:
					path, kind = "/stacks/"+who+"/events?limit=10", "events"
				case 3, 8:
					path, kind = "/stacks/"+who+"/resources", "resources"
				default:
					path, kind = "/stacks?limit=10", "stacks"
				}
				code, out, took := send(due, "GET", path, "")
				if code != 200 {
					stats.fail("GET %s: %d %s", path, code, out)
				}
				stats.mu.Lock()
				stats.Reads = append(stats.Reads, took)
				stats.ByKind[kind] = append(stats.ByKind[kind], took)
				stats.mu.Unlock()
			}
		})
	}
	wg.Wait()
	return stats
}

// runLoad serves clients for duration, each sending rate requests a second
// (0: each its next as soon as it has an answer), from a client process.
func runLoad(b *testing.B, clients int, duration time.Duration, rate float64) {
	b.StopTimer()
	cloud, err := sim.New(sim.Config{Seed: 1, UseCatalog: true})
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.OpenBolt(filepath.Join(b.TempDir(), "load.db"), store.BoltOptions{})
	if err != nil {
		b.Fatal(err)
	}
	e, err := engine.New(engine.Config{Store: st, DefaultProvider: cloud, StackQuota: clients + 10})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	h, err := rfsapi.New(rfsapi.Config{Projects: rfsapi.Single(rfsapi.DefaultProject, e)})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for i := range clients {
		body, _ := json.Marshal(map[string]any{"stack_name": fmt.Sprintf("c%d", i)})
		req, _ := http.NewRequest("POST", srv.URL+"/v1/"+rfsapi.DefaultProject+"/stacks", bytes.NewReader(body))
		req.Header.Set("Client-Request-Id", "00000000-0000-4000-8000-000000000000")
		resp, err := srv.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("creating stack c%d: %d %s", i, resp.StatusCode, out)
		}
	}
	plan := loadPlan{URL: srv.URL, Clients: clients, Duration: duration, Rate: rate, Out: filepath.Join(b.TempDir(), "clients.json")}
	raw, _ := json.Marshal(plan)
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadClients$", "-test.count=1")
	cmd.Env = append(os.Environ(), loadClientsEnv+"="+string(raw))
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output

	b.StartTimer()
	cpu0 := processCPU()
	err = cmd.Run()
	cpu := processCPU() - cpu0 // the server's
	b.StopTimer()
	if err != nil {
		b.Fatalf("the client process: %v\n%s", err, output.Bytes())
	}
	stats := &loadStats{}
	if data, err := os.ReadFile(plan.Out); err != nil || json.Unmarshal(data, stats) != nil {
		b.Fatalf("the client process wrote no figures (%v):\n%s", err, output.Bytes())
	}

	// Every accepted deployment ran, once. One still running a minute
	// after the clients stopped is lost: the goroutines show where.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	context.AfterFunc(ctx, func() {
		if ctx.Err() == context.DeadlineExceeded {
			_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 2)
		}
	})
	seen := map[string]bool{}
	for _, id := range stats.Deployments {
		if seen[id] {
			stats.fail("deployment %s accepted twice", id)
		}
		seen[id] = true
		if res, err := e.Wait(ctx, engine.DeploymentRef{DeploymentID: id}); err != nil || res.Status != formation.StackDeploymentComplete {
			stats.fail("deployment %s ended %+v, %v", id, res, err)
		}
	}
	// The cloud holds each client's resources once.
	names := map[string]int{}
	for _, r := range cloud.Resources() {
		names[r.State.GetAttr("name").AsString()]++
	}
	for i := range clients {
		for _, suffix := range []string{"-vpc", "-subnet"} {
			name := fmt.Sprintf("c%d%s", i, suffix)
			if n := names[name]; n > 1 {
				stats.fail("the cloud holds %s %d times", name, n)
			}
		}
	}
	if len(stats.Failures) > 0 {
		b.Fatalf("%d+ failures, first: %s", len(stats.Failures), strings.Join(stats.Failures, "\n"))
	}
	slices.Sort(stats.Reads)
	slices.Sort(stats.Deploys)
	pct := func(d []time.Duration, p float64) float64 {
		if len(d) == 0 {
			return 0
		}
		return float64(d[int(float64(len(d)-1)*p)]) / float64(time.Millisecond)
	}
	// The requests of the run: the reads and the deployments asked for.
	requests := len(stats.Reads) + len(stats.Deployments) + stats.Busy
	b.ReportMetric(float64(requests)/duration.Seconds(), "req/s")
	b.ReportMetric(float64(len(stats.Deployments))/duration.Seconds(), "deployments/s")
	b.ReportMetric(pct(stats.Reads, 0.50), "read-p50-ms")
	b.ReportMetric(pct(stats.Reads, 0.99), "read-p99-ms")
	b.ReportMetric(pct(stats.Reads, 0.999), "read-p99.9-ms")
	b.ReportMetric(pct(stats.Deploys, 0.99), "deploy-accept-p99-ms")
	// The CPU the server and the clients spent per request: what the load
	// on a shared machine changes least.
	b.ReportMetric(float64((cpu+stats.CPU).Microseconds())/float64(max(requests, 1)), "cpu-us/request")
	b.ReportMetric(float64(cpu.Microseconds())/float64(max(requests, 1)), "server-cpu-us/request")
	for _, kind := range slices.Sorted(maps.Keys(stats.ByKind)) {
		d := stats.ByKind[kind]
		slices.Sort(d)
		b.Logf("%s: %d reads, p50 %.2f ms, p99 %.2f ms", kind, len(d), pct(d, 0.5), pct(d, 0.99))
	}
	offered := "each sending its next request on an answer"
	if rate > 0 {
		offered = fmt.Sprintf("offered %g requests/s (%g deployments/s)", rate*float64(clients), rate*float64(clients)/10)
	}
	b.Logf("%d clients, %s, %v: %d reads (p50 %.2f ms, p99 %.2f ms), %d deployments accepted and run once each (accept p99 %.2f ms), %d refused busy; statuses %v",
		clients, offered, duration, len(stats.Reads), pct(stats.Reads, 0.5), pct(stats.Reads, 0.99), len(stats.Deployments), pct(stats.Deploys, 0.99), stats.Busy, stats.Status)
}
