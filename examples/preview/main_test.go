package main

import (
	"testing"

	"github.com/formation-engine/formation/internal/exampletest"
)

// The program succeeds, prints both plans in both forms, and prints the
// same on every run.
func TestRun(t *testing.T) {
	exampletest.RunTwice(t, run,
		"Plan: 2 to add, 0 to change, 0 to destroy.",
		`"format_version": "1.0"`,
		`"resource_add": 2,`,
		"# huaweicloud_vpc.vpc will be updated in-place",
		"# huaweicloud_vpc_subnet.subnet must be replaced",
		"Plan: 1 to add, 1 to change, 1 to destroy.",
		"RESOURCE huaweicloud_vpc_subnet.subnet DELETE_THEN_ADD",
	)
}
