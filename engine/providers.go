package engine

import (
	"context"
	"strings"
	"sync"

	"github.com/zclconf/go-cty/cty"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/terraform"
	"github.com/formation-engine/formation/template"
)

// providerSet is the providers one deployment phase uses: the registered
// (or default) provider of every name, configured from the template's
// provider blocks when the provider implements provider.Configurer. It
// implements plan.Providers.
type providerSet struct {
	e *Engine

	mu         sync.Mutex
	configured map[string]provider.Provider // by "name" or "name.alias"
}

// base returns the provider registered under name, or for "terraform"
// the built-in terraform provider (terraform_data), or the engine's
// default provider, or nil.
func (e *Engine) base(name string) provider.Provider {
	if e.cfg.Providers != nil {
		if p, ok := e.cfg.Providers.Provider(name); ok {
			return p
		}
	}
	if name == "terraform" {
		return terraform.Provider{}
	}
	return e.cfg.DefaultProvider
}

// configureProviders configures every provider configuration of cfg (nil
// cfg: none; resources then use their unconfigured providers).
func (e *Engine) configureProviders(ctx context.Context, cfg *template.Config, values template.Values) (*providerSet, error) {
	const op = "engine.configureProviders"
	ps := &providerSet{e: e, configured: map[string]provider.Provider{}}
	if cfg == nil {
		return ps, nil
	}
	confs, diags := cfg.Providers(ctx, values)
	if err := cfg.DiagnosticsError(op, "", diags); err != nil {
		return nil, err
	}
	for _, pc := range confs {
		p := e.base(pc.Name)
		if p == nil {
			return nil, formation.Errorf(formation.CodeInvalidTemplate, op, pc.Addr(), "provider %q is not registered", pc.Name)
		}
		if c, ok := p.(provider.Configurer); ok && pc.Config.IsWhollyKnown() {
			conf := pc.Config
			if conf == cty.NilVal {
				conf = cty.EmptyObjectVal
			}
			cp, err := c.Configure(ctx, provider.ConfigureRequest{Name: pc.Name, Config: conf})
			if err != nil {
				return nil, formation.Wrap(formation.CodeInvalidTemplate, op, pc.Addr(), err)
			}
			p = cp
		}
		ps.configured[pc.Addr()] = p
	}
	return ps, nil
}

// Provider returns the provider for a configuration address ("name" or
// "name.alias"); an unconfigured name falls back to its base provider.
func (ps *providerSet) Provider(addr string) (provider.Provider, bool) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if p, ok := ps.configured[addr]; ok {
		return p, true
	}
	name, _, _ := strings.Cut(addr, ".")
	if p, ok := ps.configured[name]; ok {
		return p, true
	}
	p := ps.e.base(name)
	return p, p != nil
}

// forResource returns the provider a resource uses, or a template error
// naming the missing provider.
func (ps *providerSet) forResource(name, alias, addr string) (provider.Provider, error) {
	key := name
	if alias != "" {
		key += "." + alias
	}
	if p, ok := ps.Provider(key); ok {
		return p, nil
	}
	return nil, formation.Errorf(formation.CodeInvalidTemplate, "engine.provider", addr, "provider %q is not registered", name)
}
