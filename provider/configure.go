package provider

import (
	"context"

	"github.com/zclconf/go-cty/cty"
)

// Configurer is implemented by a provider that takes settings from a
// template's provider block (provider "huaweicloud" { region = "…" }).
//
// The engine calls Configure whenever it evaluates a template (for each plan
// and each deployment) before any other call for that template's resources,
// and then makes every call for those resources on the Provider Configure
// returned. Different stacks may configure the same registered provider
// differently at the same time, so Configure must not change the receiver:
// return a new value that shares what it must (connections, a simulated
// world) and carries the settings. The returned Provider's own capabilities
// are discovered on it again.
//
// A provider that does not implement Configurer is used as registered, and a
// template's provider block for it must be empty.
type Configurer interface {
	// Configure validates the settings and returns the provider to use
	// with them. Invalid settings are an error wrapping ErrInvalidConfig.
	Configure(ctx context.Context, req ConfigureRequest) (Provider, error)
}

// ConfigureRequest carries a template's provider block.
type ConfigureRequest struct {
	// Name is the name the provider is registered under.
	Name string
	// Config is the evaluated provider block, an object; it is null when
	// the template has no block for the provider.
	Config cty.Value
}
