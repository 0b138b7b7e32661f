package formation

import (
	"context"
	"time"
)

// Clock is where the engine and the simulated provider read the time and
// wait. RealClock is the default; a ScaledClock runs simulated latencies
// faster than real time while reporting simulated times, so a six-hour
// rollout can run in milliseconds and still report six hours of events.
// Tests that want exact virtual time run RealClock inside testing/synctest.
type Clock interface {
	// Now returns the current (possibly simulated) time.
	Now() time.Time
	// Sleep waits for d of the clock's time, or until ctx is done, in which
	// case it returns ctx.Err().
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits d of real time, or until ctx is done.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error { return sleep(ctx, d) }

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ScaledClock is a clock whose time passes Scale times faster than real time
// from the moment it is made: Sleep(time.Hour) with Scale 3600 returns after
// one real second, and Now has then moved one hour.
type ScaledClock struct {
	scale float64
	base  time.Time // simulated time at start
	start time.Time // real time at start
}

// NewScaledClock returns a clock running scale times faster than real time,
// starting at the current real time. A scale ≤ 0 is treated as 1.
func NewScaledClock(scale float64) *ScaledClock {
	if scale <= 0 {
		scale = 1
	}
	now := time.Now()
	return &ScaledClock{scale: scale, base: now, start: now}
}

// Scale returns how many times faster than real time the clock runs.
func (c *ScaledClock) Scale() float64 { return c.scale }

// Now returns the simulated time: the start time plus the real time elapsed
// since, multiplied by the scale.
func (c *ScaledClock) Now() time.Time {
	elapsed := time.Since(c.start)
	return c.base.Add(time.Duration(float64(elapsed) * c.scale))
}

// Sleep waits d of simulated time, that is d/scale of real time.
func (c *ScaledClock) Sleep(ctx context.Context, d time.Duration) error {
	return sleep(ctx, time.Duration(float64(d)/c.scale))
}
