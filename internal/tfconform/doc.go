// Package tfconform is the differential conformance suite of Formation's
// template language against Terraform: cases (expressions of every
// built-in function family and language feature, and small root modules)
// are run in Formation and compared with what Terraform v1.11.4 gave for
// them, stored in testdata/golden.json so that the suite runs without
// Terraform. go test ./internal/tfconform -update-golden regenerates the
// golden results with the terraform binary on PATH (offline: the cases use
// only the built-in terraform provider).
package tfconform
