package template

import (
	"github.com/hashicorp/go-version"
	"github.com/hashicorp/hcl/v2"
)

// LanguageVersion is the Terraform release whose language Formation
// implements: terraform { required_version } constraints are checked
// against it, and the conformance suite (internal/tfconform) compares
// Formation with it.
const LanguageVersion = "1.11.4"

var languageVersion = version.Must(version.NewVersion(LanguageVersion))

// requiredVersion checks terraform { required_version }: a template whose
// constraint excludes LanguageVersion is refused, as Terraform refuses one
// that excludes its own version.
func (d *decoder) requiredVersion(attr *hcl.Attribute) {
	s := d.constString(attr)
	if s == "" {
		return
	}
	c, err := version.NewConstraint(s)
	if err != nil {
		d.errorf(attr.Expr.Range(), "Invalid required_version constraint", "%q is not a version constraint: %s.", s, err)
		return
	}
	if !c.Check(languageVersion) {
		d.errorf(attr.Expr.Range(), "Unsupported Terraform Core version",
			"This template requires Terraform %s, which excludes the Terraform language level Formation implements (Terraform v%s). Formation evaluates templates as Terraform v%s does: relax the constraint if the template works with it.", s, LanguageVersion, LanguageVersion)
	}
}
