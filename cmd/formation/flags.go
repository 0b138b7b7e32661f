package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/tfschema"
)

// globals are the flags every command accepts, before or after its name.
// Each is validated as it is parsed (a bad value is a usage error before
// anything runs). The simulation and execution controls (-parallelism,
// -sim-*, -time-scale, -limits) configure the simulated provider and the
// engine (simulation.go).
type globals struct {
	db          string
	json        bool
	parallelism positiveInt
	simSeed     uint64
	simLatency  nonNegativeDuration
	simFaults   faultList
	timeScale   positiveFloat
	limits      choice

	// environ and warnings are not flags but the invocation's surroundings
	// that reading a template uses: the environment (TF_VAR_name) and
	// where warnings go (stderr).
	environ  []string
	warnings io.Writer
	// schemaFiles are -provider-schema's files (FORMATION_PROVIDER_SCHEMA's
	// when none is given) and simData -sim-data's; schemas are the
	// documents read from schemaFiles, once per invocation.
	schemaFiles pathList
	simData     string
	schemas     []*tfschema.Document
}

// globalsNote follows the global flags in the top-level usage.
const globalsNote = `
-sim-* and -time-scale shape the simulated cloud for whatever runs in the
command: deployments, plans, previews, deletions, and a deployment an
interrupted command left, which formation wait NAME resumes. -parallelism bounds deployments; -limits applies wherever a
template is read. -provider-schema makes the simulated cloud validate,
compute and answer data sources as the provider's real schema says;
without one, the types of the built-in catalog are declared and others
are schema-less.
`

func defaultGlobals() globals {
	return globals{
		db:          "formation.db",
		parallelism: positiveInt(engine.DefaultParallelism),
		timeScale:   1,
		limits:      newChoice("rfs", "rfs", "none"),
	}
}

// register defines the global flags on fs. It is called for the top-level
// flag set and again for each command's, over the same variables, so a
// global flag means the same wherever it is written.
func (g *globals) register(fs *flag.FlagSet) {
	fs.StringVar(&g.db, "db", g.db, "the database `PATH`; created on first use, it also holds the simulated world (the same as -store)")
	fs.StringVar(&g.db, "store", g.db, "the store `URL`: a database file path (bbolt), or etcd://HOST:PORT[,HOST:PORT...][/PREFIX][?lease_ttl=10s&safety_margin=2s] to share one etcd cluster among many processes (formation serve replicas)")
	fs.BoolVar(&g.json, "json", g.json, "machine-readable output on stdout: one JSON document (NDJSON for streams)")
	fs.Var(&g.parallelism, "parallelism", "at most `N` provider operations at once within a deployment")
	fs.Uint64Var(&g.simSeed, "sim-seed", g.simSeed, "the simulation's seed `N`: same seed and inputs, same ids and events")
	fs.Var(&g.simLatency, "sim-latency", "simulated latency of every provider operation, a `DURATION` such as 2s")
	fs.Var(&g.simFaults, "sim-fail", "fail an operation, `ADDR:OP[:N]`: OP (create, update, delete or read) on the resource\naddress ADDR (* is a wildcard), always or for the first N attempts; repeatable")
	fs.Var(&g.timeScale, "time-scale", "run simulated latency `X` times faster while reporting simulated time")
	fs.Var(&g.limits, "limits", "template limits, `rfs|none`: RFS's own (count ≤ 1024, forbidden resource types, no provisioners, …) or none, for large simulations and templates written for Terraform")
	fs.Var(&g.schemaFiles, "provider-schema", "load a provider schema `FILE` (terraform providers schema -json, plain or gzip) and its\ncompanions beside it (NAME.forcenew.json[.gz], NAME.nonupdatable.json[.gz]); repeatable;\ndefault: the files listed in $"+schemaEnv)
	fs.StringVar(&g.simData, "sim-data", g.simData, "answer data sources from `FILE` (HCL or JSON): one block per answer, named by the\ndata source type, whose attributes a read gets when its arguments match them")
}

// pathList is a repeatable flag of file paths.
type pathList []string

func (l *pathList) String() string { return strings.Join(*l, string(os.PathListSeparator)) }

func (l *pathList) Set(s string) error {
	if s == "" {
		return errors.New("empty path")
	}
	*l = append(*l, s)
	return nil
}

// positiveInt is an int flag that must be at least 1.
type positiveInt int

func (p *positiveInt) String() string { return strconv.Itoa(int(*p)) }

func (p *positiveInt) Set(s string) error {
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
		return errors.New("not an integer")
	case n < 1:
		return errors.New("must be at least 1")
	}
	*p = positiveInt(n)
	return nil
}

// positiveFloat is a float flag that must be finite and above 0.
type positiveFloat float64

func (p *positiveFloat) String() string { return strconv.FormatFloat(float64(*p), 'g', -1, 64) }

func (p *positiveFloat) Set(s string) error {
	f, err := strconv.ParseFloat(s, 64)
	switch {
	case err != nil:
		return errors.New("not a number")
	case !(f > 0) || math.IsInf(f, 0):
		return errors.New("must be a finite number above 0")
	}
	*p = positiveFloat(f)
	return nil
}

// nonNegativeDuration is a time.Duration flag that must not be negative.
type nonNegativeDuration time.Duration

func (d *nonNegativeDuration) String() string { return time.Duration(*d).String() }

func (d *nonNegativeDuration) Set(s string) error {
	v, err := time.ParseDuration(s)
	switch {
	case err != nil:
		return errors.New("not a duration such as 500ms or 2s")
	case v < 0:
		return errors.New("must not be negative")
	}
	*d = nonNegativeDuration(v)
	return nil
}

// choice is a string flag with a fixed set of values.
type choice struct {
	value   string
	allowed []string
}

func newChoice(value string, allowed ...string) choice {
	return choice{value: value, allowed: allowed}
}

func (c *choice) String() string { return c.value }

func (c *choice) Set(s string) error {
	if slices.Contains(c.allowed, s) {
		c.value = s
		return nil
	}
	return fmt.Errorf("must be one of %s", strings.Join(c.allowed, ", "))
}

// simFault is one -sim-fail: fail op on the resources matching address,
// always (times 0) or for the first times attempts.
type simFault struct {
	address string
	op      string
	times   int
}

// simOps are the operations -sim-fail can fail.
var simOps = []string{"create", "update", "delete", "read"}

// faultList collects the repeatable -sim-fail.
type faultList []simFault

func (l *faultList) String() string {
	parts := make([]string, len(*l))
	for i, f := range *l {
		parts[i] = f.address + ":" + f.op
		if f.times > 0 {
			parts[i] += ":" + strconv.Itoa(f.times)
		}
	}
	return strings.Join(parts, ",")
}

// Set parses ADDR:OP[:N]. It splits from the right, because an address may
// itself hold colons (huaweicloud_vpc.v["a:b"]).
func (l *faultList) Set(s string) error {
	bad := func(why string) error {
		return fmt.Errorf("%s; want ADDR:OP[:N] with OP one of %s", why, strings.Join(simOps, ", "))
	}
	f := simFault{}
	rest := s
	if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		if n, err := strconv.Atoi(rest[i+1:]); err == nil {
			if n < 1 {
				return bad("N must be at least 1")
			}
			f.times, rest = n, rest[:i]
		}
	}
	i := strings.LastIndexByte(rest, ':')
	if i < 0 {
		return bad("no operation")
	}
	f.address, f.op = rest[:i], rest[i+1:]
	switch {
	case f.address == "":
		return bad("empty address")
	case !slices.Contains(simOps, f.op):
		return bad(fmt.Sprintf("unknown operation %q", f.op))
	}
	*l = append(*l, f)
	return nil
}
