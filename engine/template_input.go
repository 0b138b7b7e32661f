package engine

import (
	"fmt"
	"io/fs"

	"github.com/formation-engine/formation"
)

// MaxURILength bounds template_uri and vars_uri (spec §1.1). The limits on
// template and variable sizes are the template package's (configurable,
// Config.TemplateLimits).
const MaxURILength = 2048

// TemplateInput is a template with its variables, as CreateStack,
// DeployStack and CreateExecutionPlan take them (spec §1.1). Exactly one of
// TemplateBody, TemplateURI and Files holds the template.
type TemplateInput struct {
	// TemplateBody is HCL or JSON template text.
	TemplateBody string `json:"template_body,omitempty"`
	// TemplateURI is an OBS URL in RFS. Formation has no object storage, so
	// a URI is refused with CodeUnsupported: read the file and pass
	// TemplateBody or Files.
	TemplateURI string `json:"template_uri,omitempty"`
	// Files is a set of .tf and .tf.json files (a directory, or the
	// contents of a zip), the Go counterpart of a zip template_uri.
	Files fs.FS `json:"-"`
	// VarsBody is tfvars text.
	VarsBody string `json:"vars_body,omitempty"`
	// VarsStructure gives variables as strings, converted to the declared
	// types.
	VarsStructure []formation.VarsStructure `json:"vars_structure,omitempty"`
	// VarsURI is a pre-signed URL of a tfvars file in RFS. The engine
	// cannot fetch it and refuses it like TemplateURI; the HTTP server
	// fetches a vars_uri that names an object uploaded to it and passes
	// the content as VarsURIContent.
	VarsURI string `json:"vars_uri,omitempty"`
	// VarsURIContent is the content of the tfvars file a vars_uri names,
	// fetched by the caller: tfvars text (HCL, or JSON when it starts with
	// '{') of at most Limits.MaxVarsURIContent bytes (CodeVarsURITooLarge).
	// It binds variables beside VarsBody and VarsStructure (one variable
	// in two of them is CodeInvalidVariables), and GetStackMetadata and
	// GetExecutionPlanMetadata return it as vars_uri_content. RFS's
	// requests have no such field, so it has no JSON name here.
	VarsURIContent string `json:"-"`
}

func (t TemplateInput) hasTemplate() bool {
	return t.TemplateBody != "" || t.TemplateURI != "" || t.Files != nil
}

// check checks the shape of the input: one template source (required
// when required is set), lengths and counts, and sources Formation cannot
// read.
func (t TemplateInput) check(op string, required bool) error {
	sources := 0
	for _, set := range []bool{t.TemplateBody != "", t.TemplateURI != "", t.Files != nil} {
		if set {
			sources++
		}
	}
	switch {
	case sources > 1:
		return formation.Errorf(formation.CodeBothTemplateSources, op, "",
			"both template_uri and template_body are given, you should only give exactly one parameter from template_uri and template_body")
	case sources == 0 && required:
		return formation.Errorf(formation.CodeMissingParameter, op, "", "a template is required: give template_body or template_uri")
	case sources == 0 && (t.VarsBody != "" || len(t.VarsStructure) > 0 || t.VarsURI != "" || t.VarsURIContent != ""):
		return formation.Errorf(formation.CodeMissingParameter, op, "", "variables were given without a template")
	case len(t.TemplateURI) > MaxURILength || len(t.VarsURI) > MaxURILength:
		return formation.Errorf(formation.CodeTooLong, op, "", "template_uri and vars_uri may be at most %d characters", MaxURILength)
	case t.TemplateURI != "" || t.VarsURI != "":
		return formation.Errorf(formation.CodeUnsupported, op, "",
			"template_uri and vars_uri point at object storage, which an embedded engine cannot read; pass the content as template_body / vars_body, or Files")
	}
	for _, f := range [...]struct{ name, text string }{{"template_body", t.TemplateBody}, {"vars_body", t.VarsBody}, {"the vars_uri file", t.VarsURIContent}} {
		if err := formation.ValidateText(op, f.name, f.text); err != nil {
			return err
		}
	}
	for i, v := range t.VarsStructure {
		if err := formation.ValidateText(op, fmt.Sprintf("vars_structure[%d].var_key", i), v.VarKey); err != nil {
			return err
		}
		if err := formation.ValidateText(op, fmt.Sprintf("vars_structure[%d].var_value", i), v.VarValue); err != nil {
			return err
		}
		switch {
		case v.VarKey == "":
			return formation.Errorf(formation.CodeMissingParameter, op, "", "vars_structure[%d]: var_key is required", i)
		case v.VarValue == "":
			return formation.Errorf(formation.CodeEmptyVarValue, op, "", "vars_structure[%d] (%s): var value is empty", i, v.VarKey)
		case v.Encryption != nil:
			return formation.Errorf(formation.CodeUnsupported, op, "", "vars_structure[%d] (%s): KMS-encrypted values cannot be decrypted offline", i, v.VarKey)
		}
	}
	return nil
}
