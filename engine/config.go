package engine

import (
	"log/slog"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/template"
)

// Default quotas and limits (spec §4).
const (
	DefaultStackQuota          = 100 // stacks per engine (RFS: per account)
	DefaultPlanQuota           = 100 // execution plans per stack
	DefaultParallelism         = 10  // provider operations at once within one deployment
	DefaultGlobalParallelism   = 100 // provider operations at once across all stacks
	DefaultListLimit           = 1000
	MinListLimit, MaxListLimit = 10, 1000
	DefaultDeploymentTimeout   = 6 * time.Hour
	DefaultMaxAttempts         = 3
)

// Config configures an Engine. The zero value of every field except Store
// means its default, so Config{Store: s} is a complete configuration.
type Config struct {
	// Store persists everything. Required. The engine owns it from New on:
	// Close closes it.
	Store store.Store
	// Clock supplies times for records and events, and waits. nil means the
	// wall clock (formation.RealClock); a formation.ScaledClock makes
	// simulated latencies pass faster while events report simulated time.
	Clock formation.Clock
	// Logger receives operational logs. nil discards them.
	Logger *slog.Logger
	// StackQuota is the most stacks that may exist at once (0: 100).
	StackQuota int
	// PlanQuota is the most execution plans one stack may have (0: 100).
	PlanQuota int
	// Parallelism bounds concurrent provider operations within one
	// deployment (0: 10); a deployment may lower or raise it per call.
	Parallelism int
	// GlobalParallelism bounds concurrent provider operations across all
	// stacks (0: 100).
	GlobalParallelism int
	// Providers serves resource types by provider name (huaweicloud_vpc →
	// "huaweicloud"). A name it does not have goes to DefaultProvider,
	// except "terraform": Terraform's built-in provider (terraform_data,
	// package provider/terraform) serves it unless Providers has it.
	Providers *provider.Registry
	// DefaultProvider, when set, serves every other provider name Providers
	// does not have — a simulated provider standing in for every cloud, say.
	// Without it an unregistered provider name is a template error.
	DefaultProvider provider.Provider
	// TemplateLimits replaces RFS's template limits (count ≤ 1024, body ≤
	// 51200 characters, …) when set; &template.Limits{} lifts them all.
	TemplateLimits *template.Limits
	// ResourceTimeout bounds each provider operation (0: no bound beyond
	// the deployment's).
	ResourceTimeout time.Duration
	// DeploymentTimeout bounds each deployment phase (0: 6 hours, RFS's
	// maximum).
	DeploymentTimeout time.Duration
	// MaxAttempts bounds the tries of one provider operation that fails
	// with provider.ErrTransient (0: 3; 1 turns retries off).
	MaxAttempts int
	// RetryPause is the pause before the first retry, doubling after each
	// (0: 1s, on the engine's clock).
	RetryPause time.Duration
	// TakeoverInterval is how often an engine on a shared store looks for
	// operations whose engine died, to take them over (0: 1s).
	TakeoverInterval time.Duration
	// IDSeed, when non-zero, makes stack, plan and deployment ids a fixed
	// sequence drawn from the seed, so simulations are reproducible. Zero
	// means random ids.
	IDSeed uint64
	// DeferRecovery leaves the operations of stacks found *_IN_PROGRESS
	// stopped until Recover is called: a process that only reads (a CLI
	// listing stacks) reports an interrupted deployment instead of
	// resuming it behind the user's back.
	DeferRecovery bool
}

func (c Config) withDefaults() (Config, error) {
	const op = "engine.New"
	if c.Store == nil {
		return c, formation.Errorf(formation.CodeInvalidParameter, op, "", "Config.Store is required")
	}
	for _, f := range []struct {
		name string
		v    *int
		def  int
	}{
		{"StackQuota", &c.StackQuota, DefaultStackQuota},
		{"PlanQuota", &c.PlanQuota, DefaultPlanQuota},
		{"Parallelism", &c.Parallelism, DefaultParallelism},
		{"GlobalParallelism", &c.GlobalParallelism, DefaultGlobalParallelism},
		{"MaxAttempts", &c.MaxAttempts, DefaultMaxAttempts},
	} {
		switch {
		case *f.v < 0:
			return c, formation.Errorf(formation.CodeInvalidParameter, op, "", "Config.%s is %d; it must not be negative", f.name, *f.v)
		case *f.v == 0:
			*f.v = f.def
		}
	}
	if c.ResourceTimeout < 0 || c.DeploymentTimeout < 0 {
		return c, formation.Errorf(formation.CodeInvalidParameter, op, "", "timeouts must not be negative")
	}
	if c.RetryPause < 0 {
		return c, formation.Errorf(formation.CodeInvalidParameter, op, "", "Config.RetryPause must not be negative")
	}
	if c.RetryPause == 0 {
		c.RetryPause = time.Second
	}
	if c.TakeoverInterval < 0 {
		return c, formation.Errorf(formation.CodeInvalidParameter, op, "", "Config.TakeoverInterval must not be negative")
	}
	if c.TakeoverInterval == 0 {
		c.TakeoverInterval = time.Second
	}
	if c.DeploymentTimeout == 0 {
		c.DeploymentTimeout = DefaultDeploymentTimeout
	}
	if c.Clock == nil {
		c.Clock = formation.RealClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}
