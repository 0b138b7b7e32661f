package sim

import (
	"fmt"
	"time"
)

// LatencyRule sets how long matching calls take, in the clock's time. The
// first rule in Config.Latency that matches a call decides; a call no rule
// matches takes no time.
//
// A call takes Duration plus a seeded draw from [0, Jitter), derived from the
// seed, the rule's index and the call's operation, type, address, token and
// attempt, so it is the same on every run.
type LatencyRule struct {
	Match
	// Duration is the fixed part.
	Duration time.Duration
	// Jitter is the width of the uniformly distributed part.
	Jitter time.Duration
}

// validate checks the rule's fields.
func (r LatencyRule) validate() error {
	if err := r.Match.validate(); err != nil {
		return err
	}
	if r.Duration < 0 || r.Jitter < 0 {
		return fmt.Errorf("duration %v or jitter %v is negative", r.Duration, r.Jitter)
	}
	return nil
}

// latency is how long call c takes.
func (w *world) latency(c *call) time.Duration {
	for i, r := range w.latencyRules {
		if !r.matches(c.op, c.typ, c.address) {
			continue
		}
		d := r.Duration
		if r.Jitter > 0 {
			f := w.seed.float("latency", itoa(i), string(c.op), c.typ, c.address, c.token, itoa(c.attempt))
			d += time.Duration(f * float64(r.Jitter))
		}
		return d
	}
	return 0
}
