package rfsapi

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// Rate bounds one client's requests: Burst at once, refilled at PerSecond.
// The zero value sets no bound.
type Rate struct {
	PerSecond float64
	Burst     int
}

// limiter is a token bucket per client. Buckets of clients idle long
// enough to be full again are dropped, so the map stays as small as the
// set of recently active clients.
type limiter struct {
	rate Rate
	now  func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(r Rate, now func() time.Time) *limiter {
	return &limiter{rate: r, now: now, buckets: map[string]*bucket{}}
}

func (l *limiter) allow(client string) bool {
	if l.rate.PerSecond <= 0 || l.rate.Burst <= 0 {
		return true
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	full := time.Duration(float64(l.rate.Burst) / l.rate.PerSecond * float64(time.Second))
	if now.Sub(l.swept) > full {
		for k, b := range l.buckets {
			if now.Sub(b.last) > full {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[client]
	if b == nil {
		b = &bucket{tokens: float64(l.rate.Burst), last: now}
		l.buckets[client] = b
	}
	b.tokens = min(float64(l.rate.Burst), b.tokens+now.Sub(b.last).Seconds()*l.rate.PerSecond)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// clientOf names the client of an unsigned request: its remote host.
func clientOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
