package sim

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	formation "github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/tfschema"
	"github.com/zclconf/go-cty/cty"
)

// Config configures a simulated provider. The zero value is valid: a
// schema-less provider over an in-memory world, with seed 0, the real clock,
// no latency and no faults.
type Config struct {
	// Seed decides every id and every seeded draw (probabilistic faults,
	// latency jitter). The same seed and the same calls give the same
	// results.
	Seed int64
	// Clock is where latency is waited out; nil means formation.RealClock.
	// A formation.NewScaledClock makes long simulated operations fast;
	// tests get exact virtual time with RealClock inside testing/synctest.
	Clock formation.Clock
	// Latency sets how long calls take; the first matching rule decides.
	Latency []LatencyRule
	// Faults make matching calls fail; the first fault that fires decides.
	Faults []Fault
	// Schemas declares resource types. Types not declared (here, in
	// ProviderSchemas or in the catalog) are schema-less: every configured
	// attribute is stored and "id" is computed.
	Schemas map[string]provider.Schema
	// ProviderSchemas are providers' own schema documents (Terraform's
	// `terraform providers schema -json`, read by tfschema). They declare
	// the resource types they describe, below Schemas and above the
	// catalog, and their data source types: a read of one that no fixture
	// and no resource answers returns an object of the type's shape, with
	// the arguments echoed and every other attribute generated from the
	// seed and the arguments.
	ProviderSchemas []*tfschema.Document
	// Computed sets, by resource type and attribute, the value a computed
	// attribute gets when the configuration leaves it unset, in place of a
	// generated one ("status": "OK" rather than "ACTIVE"); a value of
	// another type than the attribute's is not used.
	Computed map[string]map[string]cty.Value
	// UseCatalog declares the types of Catalog() too (Schemas and
	// ProviderSchemas override the catalog type by type), with realistic
	// values for their computed attributes (below Computed), and adds
	// CatalogFixtures() after Fixtures, for the data sources
	// ProviderSchemas lack.
	UseCatalog bool
	// EnableForceNew is the provider's enable_force_new when no provider
	// block sets it, as the huaweicloud provider reads it from
	// HW_ENABLE_FORCE_NEW: every non-updatable key of every type forces a
	// replacement instead of failing the plan, unless a resource's own
	// enable_force_new says otherwise.
	EnableForceNew bool
	// ReplaceOrders sets the replacement order of resource types; types not
	// listed are replaced delete-then-create.
	ReplaceOrders map[string]provider.ReplaceOrder
	// Fixtures answer data-source reads before the world does.
	Fixtures []Fixture
	// World persists the world; nil keeps it in this Provider's memory
	// only. A CurrentWorld (StoreWorld, MemoryWorld) may be shared by
	// Providers that run at the same time.
	World WorldStore
	// DeferWrites holds the world's changes in memory until Flush
	// (provider.Flusher) writes them all in one WorldStore.Write, instead
	// of writing them before each call returns. The engine flushes before
	// it commits the results that refer to them, so that a crash never
	// loses a resource the engine recorded; a crash loses only changes no
	// record refers to, and re-issuing their creates with the same tokens
	// makes them again, with the same ids. Set it only when every caller
	// that needs the changes durable calls Flush.
	DeferWrites bool
}

// New returns a simulated provider for cfg, reading any persisted world from
// cfg.World. It is Open with context.Background().
func New(cfg Config) (*Provider, error) { return Open(context.Background(), cfg) }

// Open returns a simulated provider for cfg, reading any persisted world from
// cfg.World under ctx. An invalid cfg is a *formation.Error with
// CodeInvalidParameter listing every problem; a world that cannot be read is
// one with CodeInternal.
func Open(ctx context.Context, cfg Config) (*Provider, error) {
	const op = "sim.New"
	if err := cfg.validate(); err != nil {
		return nil, &formation.Error{Code: formation.CodeInvalidParameter, Op: op, Message: "invalid simulator configuration", Err: err}
	}
	w := &world{
		seed:         newSeeder(cfg.Seed),
		clock:        cfg.Clock,
		schemas:      schemaSet{declared: cfg.schemas(), docs: slices.Clone(cfg.ProviderSchemas)},
		orders:       maps.Clone(cfg.ReplaceOrders),
		faults:       slices.Clone(cfg.Faults),
		latencyRules: slices.Clone(cfg.Latency),
		fixtures:     slices.Clone(cfg.Fixtures),
		defaults:     make(map[string]map[string]cty.Value),
		store:        cfg.World,
		deferWrites:  cfg.DeferWrites,
		forceNew:     cfg.EnableForceNew,
		records:      make(map[recordKey]*record),
		dirty:        make(map[*record]struct{}),
		tokens:       make(map[string]*record),
		attempts:     make(map[attemptKey]int),
	}
	if cfg.UseCatalog {
		for _, f := range CatalogFixtures() {
			if !cfg.documented(f.Type, true) {
				w.fixtures = append(w.fixtures, f)
			}
		}
		for typ, values := range catalogDefaults {
			w.defaults[typ] = maps.Clone(values)
		}
	}
	for typ, values := range cfg.Computed {
		if w.defaults[typ] == nil {
			w.defaults[typ] = map[string]cty.Value{}
		}
		maps.Copy(w.defaults[typ], values)
	}
	w.current, _ = cfg.World.(CurrentWorld)
	if w.clock == nil {
		w.clock = formation.RealClock{}
	}
	if err := w.load(ctx); err != nil {
		return nil, formation.Wrap(formation.CodeInternal, op, "", fmt.Errorf("loading the simulated world: %w", err))
	}
	return &Provider{w: w, region: DefaultRegion, forceNew: cfg.EnableForceNew}, nil
}

// schemas merges the catalog (when used, for the types no provider schema
// document has) and the declared schemas.
func (cfg Config) schemas() map[string]provider.Schema {
	s := make(map[string]provider.Schema)
	if cfg.UseCatalog {
		for typ, sc := range Catalog() {
			if !cfg.documented(typ, false) {
				s[typ] = sc
			}
		}
	}
	maps.Copy(s, cfg.Schemas)
	for typ, sc := range s {
		s[typ] = sc.Compile() // each is coerced and planned against for every resource of its type
	}
	return s
}

// documented reports whether a provider schema document has the resource
// type, or with data set the data source type: the catalog gives way to
// the provider's own schema.
func (cfg Config) documented(typ string, data bool) bool {
	for _, d := range cfg.ProviderSchemas {
		lookup := d.Resource
		if data {
			lookup = d.DataSource
		}
		if _, ok, _ := lookup(typ); ok {
			return true
		}
	}
	return false
}

// validate reports every problem of the configuration, joined.
func (cfg Config) validate() error {
	var errs []error
	for i, f := range cfg.Faults {
		if err := f.validate(); err != nil {
			errs = append(errs, fmt.Errorf("faults[%d]: %w", i, err))
		}
	}
	for i, r := range cfg.Latency {
		if err := r.validate(); err != nil {
			errs = append(errs, fmt.Errorf("latency[%d]: %w", i, err))
		}
	}
	for _, typ := range slices.Sorted(maps.Keys(cfg.Schemas)) {
		if typ == "" {
			errs = append(errs, errors.New("schemas: a resource type is empty"))
		}
		if err := cfg.Schemas[typ].Validate(); err != nil {
			errs = append(errs, fmt.Errorf("schemas[%s]: %w", typ, err))
		}
	}
	for _, typ := range slices.Sorted(maps.Keys(cfg.ReplaceOrders)) {
		if o := cfg.ReplaceOrders[typ]; !o.Valid() {
			errs = append(errs, fmt.Errorf("replace_orders[%s]: unknown order %q", typ, o))
		}
	}
	for _, typ := range slices.Sorted(maps.Keys(cfg.Computed)) {
		for _, name := range slices.Sorted(maps.Keys(cfg.Computed[typ])) {
			if v := cfg.Computed[typ][name]; v == cty.NilVal || !v.IsWhollyKnown() {
				errs = append(errs, fmt.Errorf("computed[%s][%s]: not a known value", typ, name))
			}
		}
	}
	for i, d := range cfg.ProviderSchemas {
		if d == nil {
			errs = append(errs, fmt.Errorf("provider_schemas[%d]: nil document", i))
		}
	}
	for i, f := range cfg.Fixtures {
		if err := f.validate(); err != nil {
			errs = append(errs, fmt.Errorf("fixtures[%d]: %w", i, err))
		}
	}
	return errors.Join(errs...)
}
