package main

import (
	"encoding/json"
	"maps"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/plan"
	"github.com/formation-engine/formation/template"
)

// Plans in Terraform's JSON plan format (terraform show -json), so that
// policy tools written for Terraform (OPA, conftest) read them: preview
// -json prints one, plan show -json and plan create -json print one merged
// with the plan's RFS document (its metadata and RFS items, under their
// RFS names, which Terraform's format does not use).

// terraformPlanJSON renders p with its template cfg in Terraform's format,
// made at the time made.
func terraformPlanJSON(p *plan.Plan, cfg *template.Config, made time.Time) (map[string]json.RawMessage, error) {
	b, err := p.TerraformJSON(plan.TerraformJSONInput{Config: cfg, Version: tool(), Timestamp: made})
	if err != nil {
		return nil, err
	}
	return jsonFields(b)
}

// tool names this build where a document names its producer (Terraform
// JSON plans' terraform_version).
func tool() string { return "formation-" + buildVersion().Version }

// jsonFields splits a JSON object into its fields.
func jsonFields(b []byte) (map[string]json.RawMessage, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, formation.Wrap(formation.CodeInternal, "", "", err)
	}
	return doc, nil
}

// withFields adds the JSON fields of v to doc (v's fields win: they are
// the RFS document, and the names do not overlap).
func withFields(doc map[string]json.RawMessage, v any) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return nil, err
	}
	maps.Copy(doc, fields)
	return doc, nil
}
