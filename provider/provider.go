package provider

import (
	"context"

	"github.com/zclconf/go-cty/cty"
)

// Provider creates, reads, updates and deletes the resources of the types it
// owns. It is the only interface a backend must implement; everything else
// (configuration, validation, data sources, replacement order, schemas) is an
// optional capability the engine discovers by type assertion.
//
// The engine calls a Provider concurrently from many goroutines, for
// different resources and different stacks, but never twice at the same time
// for the same resource address of the same stack. Every method must honour
// ctx: when it is done, return promptly with an error that wraps ctx.Err().
//
// Values cross the interface as cty objects of the resource type's implied
// type (Schema.ImpliedType), or, for a schema-less type, of whatever object
// type the configuration has. Values handed to a Provider must not be
// modified (cty values are immutable anyway), and a Provider must not keep
// references into request structs beyond the call except by copying.
type Provider interface {
	// Create makes a new resource from req.Config and returns its complete
	// state and its id.
	//
	// Create is idempotent by req.Token: a provider that has seen the
	// token before must not create anything, and must return the resource
	// it made for that token (its current state). The engine re-issues a
	// Create with the same token after a timeout, a transient error or a
	// crash, when it cannot know whether the first call took effect.
	//
	// A Create that returns an error may still have created the resource
	// (the response was lost); the engine settles that by retrying with
	// the same token. Return ErrTransient for failures worth retrying and
	// ErrInvalidConfig for configurations the provider will never accept.
	Create(ctx context.Context, req CreateRequest) (CreateResponse, error)

	// Read returns the current state of an existing resource, as the
	// backend sees it now (it may have drifted from req.State). It must
	// return an error wrapping ErrNotFound when the resource no longer
	// exists. Read has no side effects and may be called any number of
	// times.
	Read(ctx context.Context, req ReadRequest) (ReadResponse, error)

	// Update changes an existing resource in place from req.Prior to
	// req.Planned and returns the resulting state. The engine calls Update
	// only when no force-new attribute changed (those are replaced by
	// Delete and Create instead).
	//
	// Update is idempotent: applying the same planned state twice (the
	// engine retries with the same req.Token) must succeed and return the
	// same state. It returns an error wrapping ErrNotFound when the
	// resource no longer exists.
	Update(ctx context.Context, req UpdateRequest) (UpdateResponse, error)

	// Delete removes an existing resource. Delete is idempotent: deleting
	// a resource that is already gone may return nil or an error wrapping
	// ErrNotFound, and the engine treats both as success.
	Delete(ctx context.Context, req DeleteRequest) error
}

// CreateRequest asks a provider to create one resource.
type CreateRequest struct {
	// TypeName is the resource type, e.g. "huaweicloud_vpc".
	TypeName string
	// Address is the resource's address in its template, e.g.
	// "huaweicloud_vpc.vpc[0]" or `huaweicloud_vpc.vpc["a"]`. It is unique
	// within a stack but not across stacks; use it for messages, logs and
	// naming, not as an identity.
	Address string
	// Config is the planned object (Schema.PlannedValue): configured
	// attributes are known, computed attributes the configuration leaves
	// unset are unknown.
	Config cty.Value
	// Token is the idempotency token, derived by the engine from the
	// deployment and the resource address. A provider that sees a token
	// again returns the resource it already made for it. Empty means the
	// caller wants no deduplication.
	Token string
	// Attempt numbers the tries of this operation on this resource within
	// one deployment, starting at 1; 0 means the caller does not count.
	Attempt int
}

// CreateResponse is a created resource.
type CreateResponse struct {
	// State is the complete object: every attribute known (null where the
	// resource has no value), no unknowns left.
	State cty.Value
	// ID is the resource's physical id, the value of the schema's id
	// attribute (Schema.IDKey) in State. RFS reports it as
	// resource_id_value.
	ID string
}

// ReadRequest asks for the current state of one resource.
type ReadRequest struct {
	// TypeName is the resource type.
	TypeName string
	// Address is the resource's address in its template.
	Address string
	// ID is the physical id returned by Create.
	ID string
	// State is the last state the engine recorded, for providers that
	// need more than the id to find the resource. It may be null.
	State cty.Value
}

// ReadResponse is the current state of a resource.
type ReadResponse struct {
	// State is the complete current object, with no unknowns.
	State cty.Value
}

// UpdateRequest asks a provider to change one resource in place.
type UpdateRequest struct {
	// TypeName is the resource type.
	TypeName string
	// Address is the resource's address in its template.
	Address string
	// ID is the physical id; an update never changes it.
	ID string
	// Prior is the state the engine recorded last.
	Prior cty.Value
	// Planned is the desired object (Schema.PlannedUpdate): computed
	// attributes the configuration leaves unset carry their prior value,
	// or are unknown when the provider is to compute them afresh.
	Planned cty.Value
	// Token is the idempotency token of this update (see CreateRequest).
	Token string
	// Attempt numbers the tries of this operation (see CreateRequest).
	Attempt int
}

// UpdateResponse is an updated resource.
type UpdateResponse struct {
	// State is the complete object after the update, with no unknowns.
	State cty.Value
}

// DeleteRequest asks a provider to delete one resource.
type DeleteRequest struct {
	// TypeName is the resource type.
	TypeName string
	// Address is the resource's address in its template.
	Address string
	// ID is the physical id.
	ID string
	// State is the last state the engine recorded. It may be null.
	State cty.Value
	// Token is the idempotency token of this deletion (see CreateRequest).
	Token string
	// Attempt numbers the tries of this operation (see CreateRequest).
	Attempt int
}
