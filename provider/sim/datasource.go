package sim

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Fixture is a canned answer to data-source reads of one type, for lookups
// of things a template does not create (availability zones, images,
// flavors).
type Fixture struct {
	// Type is the data source type, e.g. "huaweicloud_availability_zones".
	Type string
	// Attributes is the object the read returns, merged over the data
	// block's arguments. Every value must be known.
	Attributes map[string]cty.Value
}

// validate checks the fixture's fields.
func (f Fixture) validate() error {
	if f.Type == "" {
		return errors.New("type is empty")
	}
	for _, name := range slices.Sorted(maps.Keys(f.Attributes)) {
		if v := f.Attributes[name]; v == cty.NilVal || !v.IsWhollyKnown() {
			return fmt.Errorf("attribute %q is not a known value", name)
		}
	}
	return nil
}

// ReadDataSource answers a data block. It looks first at the fixtures of the
// type, in order, then at the live resources of the world of the same type,
// and picks the candidate whose attributes equal every argument of the data
// block that the candidate has (arguments it lacks, such as filters, are not
// compared). The first matching fixture wins; among resources, exactly one
// must match, or the read fails as a real lookup would.
//
// Without a schema for the type the result is the candidate's attributes
// merged over the data block's arguments, with an "id" derived from the
// seed if neither has one, and no candidate is an error wrapping
// provider.ErrNotFound. With one (Config.ProviderSchemas), the arguments
// are checked against it first, and the result has the schema's shape: the
// arguments as given, then the candidate's attributes, and every other
// computed attribute generated from the seed, the type and the arguments
// (lists of four elements, so that names[3] of availability zones
// exists), also when there is no candidate.
func (p *Provider) ReadDataSource(ctx context.Context, req provider.ReadDataSourceRequest) (provider.ReadDataSourceResponse, error) {
	w := p.w
	c := w.begin(OpReadData, req.TypeName, req.Address, "", "", 0)
	if err := w.start(ctx, c); err != nil {
		return provider.ReadDataSourceResponse{}, w.finish(c, err)
	}
	config := unmark(req.Config)
	if config != cty.NilVal && !config.IsNull() && (!config.IsWhollyKnown() || !config.Type().IsObjectType()) {
		return provider.ReadDataSourceResponse{}, w.finish(c, fmt.Errorf("%w: the arguments of %s are not a known object", provider.ErrInvalidConfig, req.Address))
	}
	schema, hasSchema, err := w.schemas.dataSource(req.TypeName)
	if err == nil && hasSchema {
		if config == cty.NilVal || config.IsNull() {
			config = cty.EmptyObjectVal
		}
		config, err = schema.Coerce(config)
		if err == nil {
			err = schema.CheckConstraints(config)
		}
	}
	if err != nil {
		return provider.ReadDataSourceResponse{}, w.finish(c, fmt.Errorf("%s: %w", req.Address, err))
	}
	args := map[string]cty.Value{}
	if config != cty.NilVal && !config.IsNull() {
		if m := config.AsValueMap(); m != nil {
			args = m
		}
	}
	found, err := p.lookup(req.TypeName, args)
	switch {
	case hasSchema && (err == nil || errors.Is(err, provider.ErrNotFound)):
		args = p.dataObject(schema, req.TypeName, args, found)
	case err != nil:
		return provider.ReadDataSourceResponse{}, w.finish(c, err)
	default:
		maps.Copy(args, found)
		if _, ok := args[provider.DefaultIDAttribute]; !ok {
			args[provider.DefaultIDAttribute] = cty.StringVal(w.seed.uuid("data", req.TypeName, req.Address))
		}
	}
	c.id = idOf(args)
	return provider.ReadDataSourceResponse{State: cty.ObjectVal(args)}, w.finish(c, nil)
}

// dataObjectLen is how many elements a generated list or set of a data
// source has.
const dataObjectLen = 4

// dataObject builds a data source's object of the schema's shape: the
// arguments set, then what found has (converted to the attribute's type),
// then generated values for the computed attributes left; the rest null.
func (p *Provider) dataObject(schema provider.Schema, typ string, args, found map[string]cty.Value) map[string]cty.Value {
	key := p.w.seed.uuid("data", typ, canonical(args))
	out := make(map[string]cty.Value, len(schema.Attributes))
	for name, a := range schema.Attributes {
		ty := a.Type.WithoutOptionalAttributesDeep()
		if v, ok := args[name]; ok && !v.IsNull() {
			out[name] = v
			continue
		}
		if v, ok := found[name]; ok && !v.IsNull() {
			if cv, err := convert.Convert(v, ty); err == nil {
				out[name] = cv
				continue
			}
		}
		switch {
		case a.Computed:
			out[name] = p.generate(cty.GetAttrPath(name), ty, typ, key, dataObjectLen)
		case args[name] != cty.NilVal:
			out[name] = args[name]
		default:
			out[name] = cty.NullVal(ty)
		}
	}
	return out
}

// canonical renders arguments for seeding: the same arguments, the same
// text.
func canonical(args map[string]cty.Value) string {
	v := cty.ObjectVal(args)
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return v.GoString()
	}
	return string(b)
}

// lookup finds the attributes of the fixture or resource a data block with
// args describes.
func (p *Provider) lookup(typ string, args map[string]cty.Value) (map[string]cty.Value, error) {
	for _, f := range p.w.fixtures {
		if f.Type == typ && matchesArgs(f.Attributes, args) {
			return f.Attributes, nil
		}
	}
	p.w.mu.Lock()
	var found []*record
	for _, r := range p.w.records {
		if !r.live() || r.typ != typ {
			continue
		}
		v, err := r.value()
		if err != nil {
			p.w.mu.Unlock()
			return nil, err
		}
		if matchesArgs(v.AsValueMap(), args) {
			found = append(found, r)
		}
	}
	p.w.mu.Unlock()
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("no %s matches the arguments: %w", typ, provider.ErrNotFound)
	case 1:
		return found[0].state.AsValueMap(), nil // decoded above
	default:
		slices.SortFunc(found, func(a, b *record) int { return cmp.Compare(a.id, b.id) })
		return nil, fmt.Errorf("%d %s resources match the arguments (%s, %s, …); add arguments to pick one: %w",
			len(found), typ, found[0].id, found[1].id, provider.ErrInvalidConfig)
	}
}

// matchesArgs reports whether attrs agrees with every non-null argument it
// has an attribute for.
func matchesArgs(attrs, args map[string]cty.Value) bool {
	for name, want := range args {
		have, ok := attrs[name]
		if !ok || want.IsNull() {
			continue
		}
		if eq := have.Equals(want); !eq.IsKnown() || eq.False() {
			return false
		}
	}
	return true
}

// idOf is the string "id" attribute of attrs, or "".
func idOf(attrs map[string]cty.Value) string {
	if v, ok := attrs[provider.DefaultIDAttribute]; ok && !v.IsNull() && v.Type() == cty.String {
		return v.AsString()
	}
	return ""
}
