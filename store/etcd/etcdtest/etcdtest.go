// Package etcdtest starts etcd servers inside the test process (etcd's embed
// package), so tests of the etcd store need nothing but Go: no Docker, no
// downloaded binary.
package etcdtest

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

// Member is one running etcd member.
type Member struct {
	Name     string
	Endpoint string // host:port of its client URL
	cfg      *embed.Config
	etcd     *embed.Etcd
}

// Stop stops the member, as if its machine went away; its data stays, so
// Restart brings it back. Stopping twice does nothing.
func (m *Member) Stop() {
	if m.etcd != nil {
		m.etcd.Close()
		m.etcd = nil
	}
}

// Restart starts a stopped member again on its data directory.
func (m *Member) Restart(t testing.TB) {
	t.Helper()
	m.cfg.ClusterState = embed.ClusterStateFlagExisting
	e, err := embed.StartEtcd(m.cfg)
	if err != nil {
		t.Fatalf("etcdtest: restart %s: %v", m.Name, err)
	}
	m.etcd = e
	waitReady(t, m)
}

// Options configures Start.
type Options struct {
	// Members is the cluster's size (0: 1).
	Members int
	// NoFsync turns fsync off, for tests that do not measure durability
	// and must stay fast on a loaded machine. Benchmarks leave it on.
	NoFsync bool
}

// Start starts a cluster of opts.Members members on free local ports, waits
// until it serves, and stops it when the test ends.
func Start(t testing.TB, opts Options) []*Member {
	t.Helper()
	if opts.Members == 0 {
		opts.Members = 1
	}
	ms := make([]*Member, opts.Members)
	var initial []string
	for i := range ms {
		client, peer := freePort(t), freePort(t)
		cfg := embed.NewConfig()
		cfg.Name = fmt.Sprintf("m%d", i)
		cfg.Dir = t.TempDir()
		cfg.LogLevel = "error"
		cfg.UnsafeNoFsync = opts.NoFsync
		cfg.EnableGRPCGateway = false
		cu := url.URL{Scheme: "http", Host: client}
		pu := url.URL{Scheme: "http", Host: peer}
		cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{cu}, []url.URL{cu}
		cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{pu}, []url.URL{pu}
		cfg.ListenMetricsUrls = nil
		cfg.InitialClusterToken = "formation-test"
		ms[i] = &Member{Name: cfg.Name, Endpoint: client, cfg: cfg}
		initial = append(initial, cfg.Name+"="+pu.String())
	}
	errs := make(chan error, len(ms))
	for _, m := range ms {
		m.cfg.InitialCluster = strings.Join(initial, ",")
		go func() {
			e, err := embed.StartEtcd(m.cfg)
			m.etcd = e
			errs <- err
		}()
	}
	for range ms {
		if err := <-errs; err != nil {
			t.Fatalf("etcdtest: start: %v", err)
		}
	}
	t.Cleanup(func() {
		for _, m := range ms {
			m.Stop()
		}
	})
	for _, m := range ms {
		waitReady(t, m)
	}
	return ms
}

// Endpoints returns the members' client endpoints.
func Endpoints(ms []*Member) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Endpoint
	}
	return out
}

func waitReady(t testing.TB, m *Member) {
	t.Helper()
	select {
	case <-m.etcd.Server.ReadyNotify():
	case err := <-m.etcd.Err():
		t.Fatalf("etcdtest: %s failed: %v", m.Name, err)
	case <-time.After(60 * time.Second):
		t.Fatalf("etcdtest: %s not ready after 60s", m.Name)
	}
}

// freePort returns a local address nothing listens on now, with a port
// below the range the system gives outgoing connections and ":0" listeners
// (ip_local_port_range): a stopped member's ports must still be free when
// it restarts, and an ephemeral one can meanwhile become the local end of
// any connection, such as another member's redial to the stopped one.
func freePort(t testing.TB) string {
	t.Helper()
	low, high := belowEphemeral()
	for range 100 {
		port := 0 // the system's choice, when it leaves too few ports below its range
		if high-low >= 1024 {
			port = low + rand.IntN(high-low)
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			defer l.Close()
			return l.Addr().String()
		}
	}
	t.Fatalf("etcdtest: no free port in [%d, %d)", low, high)
	return ""
}

// belowEphemeral returns ports [low, high) the system does not hand out by
// itself: below the first port of Linux's ip_local_port_range, or of the
// IANA dynamic range (49152) elsewhere.
func belowEphemeral() (low, high int) {
	first := 49152
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil {
				first = n
			}
		}
	}
	return max(1024, first-16384), first
}
