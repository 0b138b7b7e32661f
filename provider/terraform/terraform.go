// Package terraform is Terraform's built-in provider, terraform.io/builtin/terraform,
// as far as a template can use it offline: the terraform_data resource.
// The engine serves the provider name "terraform" with it unless another
// provider is registered under that name.
//
// terraform_data behaves as Terraform's: input is stored and copied to
// output when it changes (output is unknown until then), a change of
// triggers_replace replaces the resource, id is a UUID made when it is
// created, and no other argument is accepted.
package terraform

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
)

// DataType is the resource type the provider serves.
const DataType = "terraform_data"

// Provider is the built-in terraform provider. Its zero value is ready to
// use, and it keeps no state: a resource's state is what the engine
// records.
type Provider struct{}

var dataSchema = provider.Schema{
	Attributes: map[string]provider.Attribute{
		"input":            {Type: cty.DynamicPseudoType, Optional: true},
		"output":           {Type: cty.DynamicPseudoType, Computed: true},
		"triggers_replace": {Type: cty.DynamicPseudoType, Optional: true, ForceNew: true},
		"id":               {Type: cty.String, Computed: true},
	},
}

// Schema implements provider.Schemas.
func (Provider) Schema(typeName string) (provider.Schema, bool) {
	if typeName == DataType {
		return dataSchema, true
	}
	return provider.Schema{}, false
}

// ModifyPlan implements provider.PlanModifier: output follows input. A
// new object's output is unknown until it is created (null when input is
// null), and an input that changes makes output unknown again.
func (Provider) ModifyPlan(typeName string, prior, planned cty.Value) (cty.Value, error) {
	if typeName != DataType || !planned.IsKnown() || planned.IsNull() {
		return planned, nil
	}
	input := planned.GetAttr("input")
	switch {
	case prior.IsNull():
	case !prior.GetAttr("input").RawEquals(input):
		m := planned.AsValueMap()
		m["output"] = cty.UnknownVal(input.Type())
		return cty.ObjectVal(m), nil
	default:
		return planned, nil
	}
	m := planned.AsValueMap()
	m["output"] = cty.UnknownVal(input.Type())
	if input.IsKnown() && input.IsNull() {
		m["output"] = input
	}
	return cty.ObjectVal(m), nil
}

func (p Provider) check(typeName string) error {
	if typeName != DataType {
		return fmt.Errorf("%w: the terraform provider has no resource type %q (it has %s)", provider.ErrInvalidConfig, typeName, DataType)
	}
	return nil
}

// Create implements provider.Provider. The id is a UUID made from the
// idempotency token, so a retried Create makes the same object.
func (p Provider) Create(_ context.Context, req provider.CreateRequest) (provider.CreateResponse, error) {
	if err := p.check(req.TypeName); err != nil {
		return provider.CreateResponse{}, err
	}
	token := req.Token
	if token == "" {
		token = req.Address
	}
	id := tokenUUID(token)
	return provider.CreateResponse{State: applied(req.Config, id), ID: id}, nil
}

// Read implements provider.Provider: the object is what was recorded.
func (p Provider) Read(_ context.Context, req provider.ReadRequest) (provider.ReadResponse, error) {
	if err := p.check(req.TypeName); err != nil {
		return provider.ReadResponse{}, err
	}
	return provider.ReadResponse{State: req.State}, nil
}

// Update implements provider.Provider.
func (p Provider) Update(_ context.Context, req provider.UpdateRequest) (provider.UpdateResponse, error) {
	if err := p.check(req.TypeName); err != nil {
		return provider.UpdateResponse{}, err
	}
	return provider.UpdateResponse{State: applied(req.Planned, req.ID)}, nil
}

// Delete implements provider.Provider: there is nothing to remove.
func (p Provider) Delete(_ context.Context, req provider.DeleteRequest) error {
	return p.check(req.TypeName)
}

// applied is the planned object once applied: an unknown output takes the
// input, an unknown id takes id.
func applied(planned cty.Value, id string) cty.Value {
	if !planned.Type().IsObjectType() || planned.IsNull() {
		return planned
	}
	m := planned.AsValueMap()
	if out, ok := m["output"]; !ok || !out.IsKnown() {
		m["output"] = m["input"]
	}
	if v, ok := m["id"]; !ok || !v.IsKnown() || v.IsNull() {
		m["id"] = cty.StringVal(id)
	}
	return cty.ObjectVal(m)
}

// tokenUUID is a version-4-shaped UUID derived from s.
func tokenUUID(s string) string {
	sum := sha256.Sum256([]byte(s))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
