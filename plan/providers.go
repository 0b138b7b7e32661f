package plan

import (
	"sync"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
)

// providerEntry is the outcome of looking a provider configuration up once.
type providerEntry struct {
	p  provider.Provider
	ok bool
}

// provider returns the provider of an instance or recorded resource. A
// provider that is not registered is reported once, naming the first
// address that uses it.
func (p *planner) provider(name, alias, addr, typ string) (provider.Provider, bool) {
	key := providerKey(name, alias)
	if e, ok := p.providerCache[key]; ok {
		return e.p, e.ok
	}
	var e providerEntry
	if p.providers != nil {
		if alias != "" {
			e.p, e.ok = p.providers.Provider(key)
		}
		if !e.ok {
			e.p, e.ok = p.providers.Provider(name)
		}
	}
	e.ok = e.ok && e.p != nil
	p.providerCache[key] = e
	if !e.ok {
		p.errs = append(p.errs, formation.Errorf(formation.CodeInvalidTemplate, opMake, addr,
			"provider %q is not registered (resource type %s)", name, typ))
	}
	return e.p, e.ok
}

// providerKey is a provider configuration's address: "name" or
// "name.alias".
func providerKey(name, alias string) string {
	if alias == "" {
		return name
	}
	return name + "." + alias
}

type schemaKey struct{ provider, typ string }

// schemaEntry is what the planner needs of a resource type, looked up once
// per provider configuration and type.
type schemaEntry struct {
	schema    provider.Schema
	declared  bool
	sensitive []cty.Path
	order     provider.ReplaceOrder
	// rawRules: the schema's rules between arguments (Constraints) name
	// only top-level attributes that are neither blocks nor lists or sets
	// of objects, so whether each is set reads the same in the
	// configuration as written as in the coerced one (a missing attribute
	// is null there, and only those change what "set" means), and a create
	// checks them without building the coerced object.
	rawRules bool
	// err is why the type's schema did not load (provider.SchemaLoader):
	// its resources are refused, not planned schema-less.
	err error

	// inferred holds the schemas InferSchema gave a schema-less type, by
	// configuration type: the instances of a block mostly share one, and
	// inferring it afresh for each cost a map per instance. It is guarded
	// by mu, and holds at most maxInferred types.
	mu       sync.RWMutex
	inferred []inferredSchema
}

type inferredSchema struct {
	ty     cty.Type
	schema provider.Schema
}

// maxInferred bounds schemaEntry.inferred; configurations of further types
// are inferred each time.
const maxInferred = 16

// infer is provider.InferSchema(config), shared by the configurations of
// one type. The schema is shared too, which is safe: a Schema is never
// modified.
func (se *schemaEntry) infer(config cty.Value) provider.Schema {
	if !isObject(config) {
		return provider.InferSchema(config)
	}
	ty := config.Type()
	se.mu.RLock()
	for _, in := range se.inferred {
		if in.ty.Equals(ty) {
			se.mu.RUnlock()
			return in.schema
		}
	}
	se.mu.RUnlock()
	s := provider.InferSchema(config).Compile()
	se.mu.Lock()
	if len(se.inferred) < maxInferred {
		se.inferred = append(se.inferred, inferredSchema{ty, s})
	}
	se.mu.Unlock()
	return s
}

// schemaFor returns the declared schema of a type (or marks it schema-less),
// its sensitive attributes and its replacement order.
func (p *planner) schemaFor(prov provider.Provider, name, alias, typ string) *schemaEntry {
	k := schemaKey{providerKey(name, alias), typ}
	if se := p.schemaCache[k]; se != nil {
		return se
	}
	se := &schemaEntry{order: provider.ReplaceOrderOf(prov, typ)}
	se.schema, se.declared, se.err = provider.LoadSchemaOf(prov, typ)
	if se.declared {
		// Every instance of the type is planned against it.
		se.schema = se.schema.Compile()
		se.rawRules = topLevelRules(se.schema)
		for _, n := range se.schema.AttributeNames() {
			if se.schema.Attributes[n].Sensitive {
				se.sensitive = append(se.sensitive, cty.GetAttrPath(n))
			}
		}
	}
	p.schemaCache[k] = se
	return se
}

// topLevelRules reports whether every key of s's Constraints is a
// top-level attribute that is neither a block nor a list or set of
// objects (schemaEntry.rawRules).
func topLevelRules(s provider.Schema) bool {
	for _, c := range s.Constraints {
		for _, key := range append([]string{c.Attribute}, c.With...) {
			a, ok := s.Attributes[key]
			ty := a.Type
			if !ok || a.Block != nil || (ty.IsListType() || ty.IsSetType()) && ty.ElementType().IsObjectType() {
				return false
			}
		}
	}
	return true
}
