# A policy written for `terraform show -json` plans, as OPA and conftest
# users write them: it reads only Terraform's JSON plan format.
package terraform.policy

import rego.v1

# Every resource that would be deleted, replaced or left with attributes
# known only after apply, by address.
deleted contains rc.address if {
	some rc in input.resource_changes
	"delete" in rc.change.actions
}

created contains rc.address if {
	some rc in input.resource_changes
	"create" in rc.change.actions
}

updated contains rc.address if {
	some rc in input.resource_changes
	rc.change.actions == ["update"]
}

known_after_apply contains sprintf("%s.%s", [rc.address, attr]) if {
	some rc in input.resource_changes
	some attr, unknown in rc.change.after_unknown
	unknown == true
}

# The planned value of an attribute, from planned_values.
planned_names contains r.values.name if {
	some r in input.planned_values.root_module.resources
	r.values.name
}

# Outputs that change, and the variables given.
changed_outputs contains name if {
	some name, oc in input.output_changes
	oc.actions != ["no-op"]
}

variables := {name: v.value | some name, v in input.variables}

prior_addresses contains r.address if {
	some r in input.prior_state.values.root_module.resources
}

configured_types contains r.type if {
	some r in input.configuration.root_module.resources
}

deny contains msg if {
	some address in deleted
	msg := sprintf("%s would be deleted", [address])
}
