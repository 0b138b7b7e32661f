package etcdtest

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Proxy forwards TCP connections to a member's client endpoint, so that a
// test can cut a client off from the cluster, as a network partition cuts
// a replica off, while the cluster itself keeps serving everyone else.
type Proxy struct {
	// Endpoint is the proxy's address: give it to the client instead of
	// the member's.
	Endpoint string
	target   string
	ln       net.Listener

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]struct{}
}

// NewProxy starts a proxy to the member and stops it when the test ends.
func NewProxy(t testing.TB, m *Member) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Endpoint: ln.Addr().String(), target: m.Endpoint, ln: ln, conns: map[net.Conn]struct{}{}}
	go p.serve()
	t.Cleanup(func() {
		_ = ln.Close()
		p.Cut()
	})
	return p
}

func (p *Proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.forward(c)
	}
}

// forward pipes one client connection to the member, unless cut.
func (p *Proxy) forward(c net.Conn) {
	if !p.track(c) {
		_ = c.Close()
		return
	}
	m, err := net.Dial("tcp", p.target)
	if err != nil || !p.track(m) {
		_ = c.Close()
		if m != nil {
			_ = m.Close()
		}
		return
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(m, c)
	go pipe(c, m)
	<-done
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, m)
	p.mu.Unlock()
	_ = c.Close()
	_ = m.Close()
}

// track registers a connection to close at Cut; false when cut already.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

// Cut closes every connection through the proxy and refuses new ones, until
// Restore.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		_ = c.Close()
	}
	p.conns = map[net.Conn]struct{}{}
}

// Restore lets connections through again.
func (p *Proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = false
}
