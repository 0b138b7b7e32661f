package tfconform

// knownDifferences lists the cases where Formation does not agree with
// Terraform v1.11.4, each with its reason. None is a silent wrong value:
// in each, one of the two reports an error.
var knownDifferences = map[string]string{
	"collection/element/02": "element with a negative index counts from the end in go-cty v1.19 (and in the Terraform releases built on it); " +
		"Terraform v1.11.4's go-cty v1.16 refuses it. Formation follows the newer behaviour.",
	"operators/025": "null && true: Formation's hcl v2.25 short-circuits logical operators, so a false or null left operand decides; " +
		"Terraform v1.11.4's older hcl refuses the null operand. Formation follows the newer hcl.",
}
