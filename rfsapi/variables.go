package rfsapi

import (
	"net/http"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/template"
)

type parseTemplateVariablesBody struct {
	TemplateBody string `json:"template_body,omitempty"`
	TemplateURI  string `json:"template_uri,omitempty"`
}

// variablesResponse is ParseTemplateVariables' answer; a template without
// variables answers an empty object, as RFS does (spec §1.3).
type variablesResponse struct {
	Variables []template.Variable `json:"variables,omitempty"`
}

// parseTemplateVariables needs no engine: it parses with the handler's
// template limits (set by the route's closure in New).
func (h *Handler) parseTemplateVariables(c *call) (int, any, error) {
	const op = "rfsapi.ParseTemplateVariables"
	var b parseTemplateVariablesBody
	if err := decode(c.body, &b, true); err != nil {
		return 0, nil, err
	}
	switch {
	case b.TemplateBody != "" && b.TemplateURI != "":
		return 0, nil, formation.Errorf(formation.CodeBothTemplateSources, op, "",
			"both template_uri and template_body are given, you should only give exactly one parameter from template_uri and template_body")
	case b.TemplateURI != "":
		in := engine.TemplateInput{TemplateURI: b.TemplateURI}
		if err := c.resolveTemplate(&in); err != nil {
			return 0, nil, err
		}
		if in.Files == nil {
			return 0, nil, formation.Errorf(formation.CodeUnsupported, op, "",
				"template_uri points at object storage, which Formation cannot read; pass the content as template_body, or upload the zip or .tf file to %s", objectsPath)
		}
		t, err := template.ParseFS(in.Files, template.Options{Limits: h.cfg.TemplateLimits})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, variablesResponse{Variables: t.Variables()}, nil
	case b.TemplateBody == "":
		return 0, nil, formation.Errorf(formation.CodeMissingParameter, op, "", "missing required parameter(s): template_body or template_uri")
	}
	t, err := template.Parse(b.TemplateBody, template.Options{Limits: h.cfg.TemplateLimits})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, variablesResponse{Variables: t.Variables()}, nil
}
