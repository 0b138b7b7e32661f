package provider

import "github.com/zclconf/go-cty/cty"

// PlanModifier is implemented by a provider whose planned values depend on
// more than its schema says: the engine plans with the schema
// (Schema.PlannedValue, Schema.PlannedUpdate), then hands the result to
// ModifyPlan, which may mark more attributes unknown or set ones the
// provider knows in advance. It is pure and cheap, like Schemas.
//
// Terraform's terraform_data is the example: its output is unknown when
// the input changes, where the schema alone would keep the prior output.
type PlanModifier interface {
	// ModifyPlan returns the planned object for a resource of typeName:
	// prior is the recorded object (null for a create or a replacement),
	// planned what the schema planned. It returns planned itself when it
	// has nothing to change, and must keep its attributes.
	ModifyPlan(typeName string, prior, planned cty.Value) (cty.Value, error)
}

// ModifyPlanOf is p.ModifyPlan when p implements PlanModifier, planned
// itself otherwise.
func ModifyPlanOf(p Provider, typeName string, prior, planned cty.Value) (cty.Value, error) {
	if m, ok := p.(PlanModifier); ok {
		return m.ModifyPlan(typeName, prior, planned)
	}
	return planned, nil
}
