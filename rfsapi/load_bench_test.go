package rfsapi_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
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
	loadThink    = flag.Duration("load.think", 0, "how long each BenchmarkLoad client pauses between its requests (0: none, each sends its next request as soon as it has the answer)")
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
// its stack, over a bbolt file. It fails on any 5xx, on a deployment
// accepted but not run, run twice, or whose resources the cloud holds
// twice; it reports the reads' p50 and p99.
//
//	go test ./rfsapi -run '^$' -bench Load -benchtime 1x
func BenchmarkLoad(b *testing.B) {
	for range b.N {
		runLoad(b, *loadClients, *loadDuration)
	}
}

type loadStats struct {
	mu          sync.Mutex
	reads       []time.Duration
	byKind      map[string][]time.Duration // the reads by operation, to tell which is slow
	deploys     []time.Duration
	deployments []string // accepted deployment ids
	busy        int      // deployments refused because the stack was busy (expected)
	status      map[int]int
	failures    []string
}

func (s *loadStats) fail(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failures) < 10 {
		s.failures = append(s.failures, fmt.Sprintf(format, args...))
	}
}

func runLoad(b *testing.B, clients int, duration time.Duration) {
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
	transport := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer transport.CloseIdleConnections()
	hc := &http.Client{Transport: transport, Timeout: time.Minute}

	stats := &loadStats{status: map[int]int{}, byKind: map[string][]time.Duration{}}
	send := func(method, path, body string) (int, []byte, time.Duration) {
		req, _ := http.NewRequest(method, srv.URL+"/v1/"+rfsapi.DefaultProject+path, strings.NewReader(body))
		req.Header.Set("Client-Request-Id", "00000000-0000-4000-8000-000000000000")
		req.Header.Set("Content-Type", "application/json")
		start := time.Now()
		resp, err := hc.Do(req)
		if err != nil {
			stats.fail("%s %s: %v", method, path, err)
			return 0, nil, 0
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		stats.mu.Lock()
		stats.status[resp.StatusCode]++
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
	for i := range clients {
		body, _ := json.Marshal(map[string]any{"stack_name": fmt.Sprintf("c%d", i)})
		if code, out, _ := send("POST", "/stacks", string(body)); code != 200 {
			b.Fatalf("creating stack c%d: %d %s", i, code, out)
		}
	}

	b.StartTimer()
	cpu0 := processCPU()
	deadline := time.Now().Add(duration)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			who := fmt.Sprintf("c%d", i)
			for n := 0; time.Now().Before(deadline); n++ {
				if n > 0 && *loadThink > 0 {
					time.Sleep(*loadThink)
				}
				var path, kind string
				switch n % 10 {
				case 0:
					code, out, took := send("POST", "/stacks/"+who+"/deployments", deployBody(who, n))
					switch code {
					case 202:
						var dep engine.DeploymentRef
						if err := json.Unmarshal(out, &dep); err != nil {
							stats.fail("deploy answer %s: %v", out, err)
						}
						stats.mu.Lock()
						stats.deployments = append(stats.deployments, dep.DeploymentID)
						stats.deploys = append(stats.deploys, took)
						stats.mu.Unlock()
					case 403:
						stats.mu.Lock()
						stats.busy++ // its previous deployment still runs
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
				code, out, took := send("GET", path, "")
				if code != 200 {
					stats.fail("GET %s: %d %s", path, code, out)
				}
				stats.mu.Lock()
				stats.reads = append(stats.reads, took)
				stats.byKind[kind] = append(stats.byKind[kind], took)
				stats.mu.Unlock()
			}
		})
	}
	wg.Wait()
	cpu := processCPU() - cpu0
	b.StopTimer()

	// Every accepted deployment ran, once.
	ctx := context.Background()
	seen := map[string]bool{}
	for _, id := range stats.deployments {
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
	if len(stats.failures) > 0 {
		b.Fatalf("%d+ failures, first: %s", len(stats.failures), strings.Join(stats.failures, "\n"))
	}
	slices.Sort(stats.reads)
	slices.Sort(stats.deploys)
	pct := func(d []time.Duration, p float64) float64 {
		if len(d) == 0 {
			return 0
		}
		return float64(d[int(float64(len(d)-1)*p)]) / float64(time.Millisecond)
	}
	b.ReportMetric(float64(len(stats.reads))/duration.Seconds(), "reads/s")
	b.ReportMetric(pct(stats.reads, 0.50), "read-p50-ms")
	b.ReportMetric(pct(stats.reads, 0.99), "read-p99-ms")
	b.ReportMetric(float64(len(stats.deployments)), "deployments")
	b.ReportMetric(pct(stats.deploys, 0.99), "deploy-accept-p99-ms")
	// The CPU the process (server and clients) spent per request: what
	// the load on a shared machine changes least.
	requests := 0
	for _, n := range stats.status {
		requests += n
	}
	b.ReportMetric(float64(cpu.Microseconds())/float64(max(requests, 1)), "cpu-us/request")
	for _, kind := range slices.Sorted(maps.Keys(stats.byKind)) {
		d := stats.byKind[kind]
		slices.Sort(d)
		b.Logf("%s: %d reads, p50 %.2f ms, p99 %.2f ms", kind, len(d), pct(d, 0.5), pct(d, 0.99))
	}
	b.Logf("%d clients, %v: %d reads (p50 %.2f ms, p99 %.2f ms), %d deployments accepted and run once each (accept p99 %.2f ms), %d refused busy; statuses %v",
		clients, duration, len(stats.reads), pct(stats.reads, 0.5), pct(stats.reads, 0.99), len(stats.deployments), pct(stats.deploys, 0.99), stats.busy, stats.status)
}
