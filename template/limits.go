package template

import "time"

// Limits bounds what a template may ask for. DefaultLimits returns the
// values RFS enforces; a field that is zero or negative lifts that limit
// (benchmarks and offline tools raise MaxCount to expand 100,000 instances).
type Limits struct {
	MaxCount         int   // largest count of one resource or data block (RFS: 1024)
	MaxForEach       int   // most for_each keys of one block (RFS: 1024)
	MaxTemplateBody  int   // characters of a template body given to Parse (RFS: 51200)
	MaxVarsBody      int   // characters of Input.VarsBody (RFS: 51200)
	MaxVarsStructure int   // items of Input.VarsStructure (RFS: 100)
	MaxFiles         int   // files in a file set given to ParseFS (RFS zip: 100)
	MaxFileSetBytes  int64 // total bytes of a file set given to ParseFS (RFS zip: 1 MiB)
}

// DefaultLimits returns the limits RFS enforces (spec §1.1 and §4).
func DefaultLimits() Limits {
	return Limits{
		MaxCount:         1024,
		MaxForEach:       1024,
		MaxTemplateBody:  51200,
		MaxVarsBody:      51200,
		MaxVarsStructure: 100,
		MaxFiles:         100,
		MaxFileSetBytes:  1 << 20,
	}
}

// Options configures Parse and ParseFS. The zero value is ready to use: RFS
// limits and the real clock.
type Options struct {
	// Limits replaces DefaultLimits when non-nil. Within it, a field that is
	// zero or negative means "unlimited"; so &Limits{} lifts every limit.
	Limits *Limits
	// Now is the clock behind the timestamp() function; nil means time.Now.
	// Simulations pass their virtual clock.
	Now func() time.Time
}

func (o Options) limits() Limits {
	if o.Limits != nil {
		return *o.Limits
	}
	return DefaultLimits()
}

// exceeds reports whether n is over the limit max, where max ≤ 0 is no limit.
func exceeds[T int | int64](n, max T) bool { return max > 0 && n > max }
