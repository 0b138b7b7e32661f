package provider

import (
	"context"

	"github.com/zclconf/go-cty/cty"
)

// Validator is implemented by a provider that checks resource configurations
// beyond what its schema says (value ranges, combinations of attributes).
//
// The engine calls Validate at plan time for every resource, and uses the
// value it plans (Schema.PlannedValue) only for a configuration Validate
// accepts; it reports an error as a template problem. Config may
// hold unknown values (attributes that refer to resources not yet created);
// Validate must accept any unknown where a known value could be valid.
// Validate has no side effects. A provider that does not implement Validator
// gets only its schema's checks (Schema.Coerce).
type Validator interface {
	// Validate checks one resource's configuration and returns an error
	// wrapping ErrInvalidConfig when the provider would refuse it.
	Validate(ctx context.Context, req ValidateRequest) error
}

// ValidateRequest carries one resource's configuration.
type ValidateRequest struct {
	// TypeName is the resource type.
	TypeName string
	// Address is the resource's address in its template.
	Address string
	// Config is the configuration object as the template evaluates it.
	Config cty.Value
}
