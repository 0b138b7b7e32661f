package sim

import (
	"context"
	"fmt"

	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Provider is the simulated provider. It implements provider.Provider and
// every optional capability but Validator (Configurer, DataSourceReader,
// Schemas and SchemaLoader, ReplaceOrderer, Flusher).
//
// A Provider is safe for concurrent use. Calls wait out their latency without
// holding any lock, so concurrent calls overlap as they would against a real
// cloud. The Providers returned by Configure share the world, the call log
// and the configuration of the Provider they were made from.
type Provider struct {
	w      *world
	region string
	// forceNew is the provider block's enable_force_new (by default
	// Config.EnableForceNew): every non-updatable key of every type
	// forces a replacement.
	forceNew bool
}

var (
	_ provider.Provider         = (*Provider)(nil)
	_ provider.Configurer       = (*Provider)(nil)
	_ provider.DataSourceReader = (*Provider)(nil)
	_ provider.SchemaLoader     = (*Provider)(nil)
	_ provider.ReplaceOrderer   = (*Provider)(nil)
	_ provider.Flusher          = (*Provider)(nil)
)

// Flush writes the world's changes not yet written (Config.DeferWrites) to
// Config.World, in one WorldStore.Write, and returns when they are durable.
// It flushes for every Provider that shares this one's world (Configure's).
// With nothing to write, or no World, it does nothing. An error wraps
// provider.ErrTransient; the changes stay queued for the next Flush.
func (p *Provider) Flush(ctx context.Context) error { return p.w.flush(ctx) }

// Create makes a resource: the configured attributes as given, computed ones
// generated, the id derived from the seed and the token. A create with a
// token the provider has seen, whose resource still exists, returns that
// resource and creates nothing (the call is recorded as Replayed). A declared
// id attribute that the configuration sets (a bucket name) is the id, and
// creating a second live resource with it fails with provider.ErrConflict.
func (p *Provider) Create(ctx context.Context, req provider.CreateRequest) (provider.CreateResponse, error) {
	w := p.w
	c := w.begin(OpCreate, req.TypeName, req.Address, "", req.Token, req.Attempt)
	if err := w.start(ctx, c); err != nil {
		return provider.CreateResponse{}, w.finish(c, err)
	}
	config, err := p.createConfig(req.TypeName, req.Config)
	if err != nil {
		return provider.CreateResponse{}, w.finish(c, err)
	}
	state, err := p.create(ctx, c, config)
	if err == nil {
		err = w.sync(ctx)
	}
	if err == nil {
		err = w.injectFault(c, true)
	}
	if err != nil {
		return provider.CreateResponse{}, w.finish(c, err)
	}
	return provider.CreateResponse{State: state, ID: c.id}, w.finish(c, nil)
}

// createConfig checks a create's configuration against the type's schema, if
// declared, and returns it as an object of the type's implied type.
func (p *Provider) createConfig(typ string, config cty.Value) (cty.Value, error) {
	s, ok, err := p.w.schemas.resource(typ)
	if err != nil {
		return cty.NilVal, err
	}
	if ok {
		v, err := s.Coerce(config)
		if err == nil && !v.IsKnown() {
			err = fmt.Errorf("%w: the configuration of %s is unknown", provider.ErrInvalidConfig, typ)
		}
		return v, err
	}
	if config == cty.NilVal || config.IsNull() || !config.IsKnown() || !config.Type().IsObjectType() {
		return cty.NilVal, fmt.Errorf("%w: the configuration of %s is not a known object", provider.ErrInvalidConfig, typ)
	}
	return config, nil
}

// create makes the resource of call c, or finds the one its token made.
// The state is built without the world's lock, which every call takes:
// under it, a burst of creations would queue on one another's building.
func (p *Provider) create(ctx context.Context, c *call, config cty.Value) (cty.Value, error) {
	w := p.w
	key := creationKey(c.typ, c.address, c.token)
	idKey := p.idKey(c.typ)
	if err := w.refreshToken(ctx, key); err != nil {
		return cty.NilVal, err
	}
	configured := configuredID(config, idKey)
	if configured != "" {
		if err := w.refresh(ctx, recordKey{c.typ, configured}); err != nil {
			return cty.NilVal, err
		}
	}
	for {
		w.mu.Lock()
		prev := w.tokens[key]
		if c.token != "" && prev.live() {
			defer w.mu.Unlock()
			if prev.typ != c.typ {
				return cty.NilVal, fmt.Errorf("token %q already made %s %s: %w", c.token, prev.typ, prev.id, provider.ErrConflict)
			}
			c.replayed, c.id = true, prev.id
			return prev.value()
		}
		w.mu.Unlock()

		gen := 1
		if prev != nil {
			gen = prev.gen + 1
		}
		id := configured
		if id == "" {
			id = w.seed.uuid("id", key, itoa(gen))
		}
		rec := &record{typ: c.typ, id: id, address: c.address, token: c.token, key: key, gen: gen,
			state: p.build(config, c.typ, idKey, id)}

		w.mu.Lock()
		if w.tokens[key] != prev {
			w.mu.Unlock() // a call with the same key got there first: decide again
			continue
		}
		defer w.mu.Unlock()
		if existing := w.records[recordKey{c.typ, id}]; existing.live() {
			return cty.NilVal, fmt.Errorf("%s %q already exists: %w", c.typ, id, provider.ErrConflict)
		}
		w.records[recordKey{c.typ, id}] = rec
		w.tokens[key] = rec
		w.change(rec)
		c.id = id
		return rec.state, nil
	}
}

// Read returns the resource's state in the world, drift included, or an
// error wrapping provider.ErrNotFound when it does not exist.
func (p *Provider) Read(ctx context.Context, req provider.ReadRequest) (provider.ReadResponse, error) {
	w := p.w
	c := w.begin(OpRead, req.TypeName, req.Address, req.ID, "", 0)
	if err := w.start(ctx, c); err != nil {
		return provider.ReadResponse{}, w.finish(c, err)
	}
	if err := w.refresh(ctx, recordKey{req.TypeName, req.ID}); err != nil {
		return provider.ReadResponse{}, w.finish(c, err)
	}
	w.mu.Lock()
	rec := w.records[recordKey{req.TypeName, req.ID}]
	var state cty.Value
	var err error
	if rec.live() {
		state, err = rec.value()
	}
	w.mu.Unlock()
	if err != nil {
		return provider.ReadResponse{}, w.finish(c, err)
	}
	if state == cty.NilVal {
		return provider.ReadResponse{}, w.finish(c, notFound(req.TypeName, req.ID))
	}
	return provider.ReadResponse{State: state}, w.finish(c, nil)
}

// Update sets the resource to req.Planned, generating values for its
// unknowns. For a declared type it refuses, with provider.ErrInvalidConfig, a
// change of a force-new attribute (against the world's current state), as a
// real API refuses an impossible in-place change. Applying the same planned
// value again gives the same state.
func (p *Provider) Update(ctx context.Context, req provider.UpdateRequest) (provider.UpdateResponse, error) {
	w := p.w
	c := w.begin(OpUpdate, req.TypeName, req.Address, req.ID, req.Token, req.Attempt)
	if err := w.start(ctx, c); err != nil {
		return provider.UpdateResponse{}, w.finish(c, err)
	}
	planned, err := p.updateValue(req.TypeName, req.Planned)
	if err != nil {
		return provider.UpdateResponse{}, w.finish(c, err)
	}
	state, err := p.update(ctx, c, planned)
	if err == nil {
		err = w.sync(ctx)
	}
	if err == nil {
		err = w.injectFault(c, true)
	}
	if err != nil {
		return provider.UpdateResponse{}, w.finish(c, err)
	}
	return provider.UpdateResponse{State: state}, w.finish(c, nil)
}

// updateValue checks a planned value: a known object, converted to the
// type's implied type when the type is declared.
func (p *Provider) updateValue(typ string, planned cty.Value) (cty.Value, error) {
	if planned == cty.NilVal || planned.IsNull() || !planned.IsKnown() || !planned.Type().IsObjectType() {
		return cty.NilVal, fmt.Errorf("%w: the planned value of %s is not a known object", provider.ErrInvalidConfig, typ)
	}
	if s, ok := p.w.schemas.get(typ); ok {
		v, err := convert.Convert(planned, s.ImpliedType())
		if err != nil {
			return cty.NilVal, fmt.Errorf("%w: the planned value of %s: %w", provider.ErrInvalidConfig, typ, err)
		}
		planned = v
	}
	return planned, nil
}

// update applies call c's planned value to its resource.
func (p *Provider) update(ctx context.Context, c *call, planned cty.Value) (cty.Value, error) {
	w := p.w
	next := p.build(planned, c.typ, p.idKey(c.typ), c.id)
	if err := w.refresh(ctx, recordKey{c.typ, c.id}); err != nil {
		return cty.NilVal, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	rec := w.records[recordKey{c.typ, c.id}]
	if !rec.live() {
		return cty.NilVal, notFound(c.typ, c.id)
	}
	current, err := rec.value()
	if err != nil {
		return cty.NilVal, err
	}
	if s, ok := w.schemas.get(c.typ); ok {
		if paths := s.RequiresReplace(current, next); len(paths) > 0 {
			name, _ := pathName(paths[0])
			return cty.NilVal, fmt.Errorf("%s %s: attribute %q cannot be updated in place: %w", c.typ, c.id, name, provider.ErrInvalidConfig)
		}
	}
	rec.state = next
	w.change(rec)
	return next, nil
}

// Delete removes the resource from the world, or returns an error wrapping
// provider.ErrNotFound when it does not exist (which the engine treats as
// deleted).
func (p *Provider) Delete(ctx context.Context, req provider.DeleteRequest) error {
	w := p.w
	c := w.begin(OpDelete, req.TypeName, req.Address, req.ID, req.Token, req.Attempt)
	if err := w.start(ctx, c); err != nil {
		return w.finish(c, err)
	}
	if err := w.refresh(ctx, recordKey{req.TypeName, req.ID}); err != nil {
		return w.finish(c, err)
	}
	w.mu.Lock()
	rec := w.records[recordKey{req.TypeName, req.ID}]
	if !rec.live() {
		w.mu.Unlock()
		return w.finish(c, notFound(req.TypeName, req.ID))
	}
	w.remove(rec)
	w.mu.Unlock()
	err := w.sync(ctx)
	if err == nil {
		err = w.injectFault(c, true)
	}
	return w.finish(c, err)
}

// remove turns a live record into a tombstone. It must be called with
// world.mu held.
func (w *world) remove(rec *record) {
	rec.deleted, rec.state, rec.encoded = true, cty.NilVal, nil
	w.change(rec)
}

// Configure returns a Provider that shares this one's world and reports the
// provider block's "region" (a string) for computed region and
// availability-zone attributes; "enable_force_new" (a bool; unset, it is
// Config.EnableForceNew) makes every non-updatable key force a replacement
// (provider.Schema.ForceNewEnabled). Other settings are accepted and
// ignored; a null block keeps DefaultRegion.
func (p *Provider) Configure(ctx context.Context, req provider.ConfigureRequest) (provider.Provider, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cp := &Provider{w: p.w, region: DefaultRegion, forceNew: p.w.forceNew}
	cfg := req.Config
	switch {
	case cfg == cty.NilVal || cfg.IsNull():
		return cp, nil
	case !cfg.IsWhollyKnown() || !cfg.Type().IsObjectType():
		return nil, fmt.Errorf("%w: the provider block of %q is not a known object", provider.ErrInvalidConfig, req.Name)
	}
	if cfg.Type().HasAttribute("region") {
		r := cfg.GetAttr("region")
		switch {
		case r.IsNull():
		case r.Type() != cty.String:
			return nil, fmt.Errorf("%w: region is %s, not a string", provider.ErrInvalidConfig, r.Type().FriendlyName())
		default:
			cp.region = r.AsString()
		}
	}
	if cfg.Type().HasAttribute(provider.EnableForceNewAttribute) {
		v, err := convert.Convert(cfg.GetAttr(provider.EnableForceNewAttribute), cty.Bool)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", provider.ErrInvalidConfig, provider.EnableForceNewAttribute, err)
		}
		if !v.IsNull() {
			cp.forceNew = v.True()
		}
	}
	return cp, nil
}

// Schema returns the declared schema of a type (Config.Schemas, the
// catalog with Config.UseCatalog, or Config.ProviderSchemas), and false for
// schema-less types and for a type whose schema does not decode
// (LoadSchema says why).
func (p *Provider) Schema(typeName string) (provider.Schema, bool) {
	s, ok, err := p.LoadSchema(typeName)
	return s, ok && err == nil
}

// DataSourceSchema returns the schema of a data source type from
// Config.ProviderSchemas, and false when none has it or it does not decode
// (a read of it then says why).
func (p *Provider) DataSourceSchema(typeName string) (provider.Schema, bool) {
	s, ok, err := p.w.schemas.dataSource(typeName)
	return s, ok && err == nil
}

// LoadSchema is Schema, with the error, wrapping provider.ErrInvalidConfig,
// of a type whose schema in Config.ProviderSchemas does not decode. The
// simulator checks configurations against its schemas and nothing more,
// which the engine does with every schema it plans against: it implements
// no provider.Validator.
func (p *Provider) LoadSchema(typeName string) (provider.Schema, bool, error) {
	s, ok, err := p.w.schemas.resource(typeName)
	if ok && p.forceNew && len(s.NonUpdatable) > 0 {
		s.ForceNewEnabled = true
	}
	return s, ok, err
}

// ReplaceOrder returns the type's order from Config.ReplaceOrders, or ""
// (delete-then-create).
func (p *Provider) ReplaceOrder(typeName string) provider.ReplaceOrder {
	return p.w.orders[typeName]
}

// idKey is the name of the type's id attribute.
func (p *Provider) idKey(typ string) string {
	s, _ := p.w.schemas.get(typ)
	return s.IDKey()
}

// creationKey is what identifies repeated creates: the token, or for
// token-less creates the type and address (each of which makes a new
// resource).
func creationKey(typ, address, token string) string {
	if token != "" {
		return "token/" + token
	}
	return "address/" + typ + "/" + address
}

// configuredID is the id the configuration sets, or "".
func configuredID(config cty.Value, idKey string) string {
	if !config.Type().HasAttribute(idKey) {
		return ""
	}
	v := config.GetAttr(idKey)
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

// unmark strips marks (such as sensitivity), which the world does not keep.
func unmark(v cty.Value) cty.Value {
	if v == cty.NilVal || !v.ContainsMarked() {
		return v
	}
	v, _ = v.UnmarkDeep()
	return v
}

// notFound is the error for a resource that does not exist.
func notFound(typ, id string) error {
	return fmt.Errorf("%s %s does not exist: %w", typ, id, provider.ErrNotFound)
}
