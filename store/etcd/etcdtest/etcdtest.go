// Package etcdtest starts etcd servers inside the test process (etcd's embed
// package), so tests of the etcd store need nothing but Go: no Docker, no
// downloaded binary.
package etcdtest

import (
	"fmt"
	"net"
	"net/url"
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

// freePort returns a local address nothing listens on now.
func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
