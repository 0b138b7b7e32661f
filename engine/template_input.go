package engine

import (
	"io/fs"
	"unicode/utf8"

	"github.com/formation-engine/formation"
)

// Size limits of template and variable sources (spec §1.1, §4).
const (
	MaxTemplateBodyLength = 51200 // characters
	MaxVarsBodyLength     = 51200 // characters
	MaxURILength          = 2048
	MaxVarsStructure      = 100 // items
)

// TemplateInput is a template with its variables, as CreateStack,
// DeployStack and CreateExecutionPlan take them (spec §1.1). Exactly one of
// TemplateBody, TemplateURI and Files holds the template.
type TemplateInput struct {
	// TemplateBody is HCL or JSON template text.
	TemplateBody string
	// TemplateURI is an OBS URL in RFS. Formation has no object storage, so
	// a URI is refused with CodeUnsupported: read the file and pass
	// TemplateBody or Files.
	TemplateURI string
	// Files is a set of .tf and .tf.json files (a directory, or the
	// contents of a zip), the Go counterpart of a zip template_uri.
	Files fs.FS
	// VarsBody is tfvars text.
	VarsBody string
	// VarsStructure gives variables as strings, converted to the declared
	// types.
	VarsStructure []formation.VarsStructure
	// VarsURI is a pre-signed URL of a tfvars file in RFS; refused like
	// TemplateURI.
	VarsURI string
}

func (t TemplateInput) hasTemplate() bool {
	return t.TemplateBody != "" || t.TemplateURI != "" || t.Files != nil
}

func (t TemplateInput) empty() bool {
	return !t.hasTemplate() && t.VarsBody == "" && len(t.VarsStructure) == 0 && t.VarsURI == ""
}

// validate checks the shape of the input: one template source (required
// when required is set), lengths and counts, and sources Formation cannot
// read.
func (t TemplateInput) validate(op string, required bool) error {
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
	case sources == 0 && (t.VarsBody != "" || len(t.VarsStructure) > 0 || t.VarsURI != ""):
		return formation.Errorf(formation.CodeMissingParameter, op, "", "variables were given without a template")
	case utf8.RuneCountInString(t.TemplateBody) > MaxTemplateBodyLength:
		return formation.Errorf(formation.CodeTooLong, op, "", "template_body is longer than %d characters", MaxTemplateBodyLength)
	case utf8.RuneCountInString(t.VarsBody) > MaxVarsBodyLength:
		return formation.Errorf(formation.CodeTooLong, op, "", "vars_body is longer than %d characters", MaxVarsBodyLength)
	case len(t.TemplateURI) > MaxURILength || len(t.VarsURI) > MaxURILength:
		return formation.Errorf(formation.CodeTooLong, op, "", "template_uri and vars_uri may be at most %d characters", MaxURILength)
	case len(t.VarsStructure) > MaxVarsStructure:
		return formation.Errorf(formation.CodeTooLong, op, "", "vars_structure has %d items, at most %d are allowed", len(t.VarsStructure), MaxVarsStructure)
	case t.TemplateURI != "" || t.VarsURI != "":
		return formation.Errorf(formation.CodeUnsupported, op, "",
			"template_uri and vars_uri point at object storage, which an embedded engine cannot read; pass the content as template_body / vars_body, or Files")
	}
	for i, v := range t.VarsStructure {
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
