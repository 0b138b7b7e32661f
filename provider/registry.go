package provider

import (
	"maps"
	"slices"
	"strings"
	"sync"

	formation "github.com/formation-engine/formation"
)

// Registry maps provider names to providers. A provider owns every resource
// and data source type whose name starts with its name and an underscore:
// "huaweicloud" owns huaweicloud_vpc and huaweicloud_vpc_subnet, as in
// Terraform and RFS.
//
// The zero value is an empty registry ready to use. A Registry is safe for
// concurrent use; providers are normally registered once, before use.
type Registry struct {
	mu        sync.RWMutex
	providers map[string]Provider
}

// Register makes p available under name. Like sql.Register, it panics if p is
// nil, if name is already registered, or if name is not a valid provider name
// (a lower-case letter followed by lower-case letters, digits and dashes; no
// underscore, since the first underscore of a type name ends its provider's
// name).
func (r *Registry) Register(name string, p Provider) {
	if p == nil {
		panic("provider: Register provider is nil")
	}
	if !validName(name) {
		panic("provider: Register called with invalid provider name " + `"` + name + `"`)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.providers[name]; dup {
		panic("provider: Register called twice for provider " + name)
	}
	if r.providers == nil {
		r.providers = make(map[string]Provider)
	}
	r.providers[name] = p
}

// Lookup returns the provider that owns a resource or data source type, and
// the name it is registered under. When none is, the error is a
// *formation.Error with CodeInvalidTemplate: the template uses a provider the
// engine does not have, which RFS reports when it plans.
func (r *Registry) Lookup(typeName string) (Provider, string, error) {
	name := NameOf(typeName)
	if p, ok := r.Provider(name); ok {
		return p, name, nil
	}
	return nil, "", formation.Errorf(formation.CodeInvalidTemplate, "provider.Registry.Lookup", typeName,
		"provider %q is not registered (resource type %s)", name, typeName)
}

// Provider returns the provider registered under name.
func (r *Registry) Provider(name string) (Provider, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	p, ok := r.providers[name]
	return p, ok
}

// Names lists the registered provider names, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Sorted(maps.Keys(r.providers))
}

// NameOf is the name of the provider that owns a resource or data source
// type: the type name up to its first underscore ("huaweicloud_vpc" →
// "huaweicloud"), or the whole name when it has none.
func NameOf(typeName string) string {
	name, _, _ := strings.Cut(typeName, "_")
	return name
}

// validName reports whether name is a valid provider name.
func validName(name string) bool {
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for _, c := range name {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
