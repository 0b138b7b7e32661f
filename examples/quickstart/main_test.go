package main

import (
	"testing"

	"github.com/formation-engine/formation/internal/exampletest"
)

// The program succeeds, prints the deployment as it happened, and prints the
// same on every run (the ids come from the seeds).
func TestRun(t *testing.T) {
	exampletest.RunTwice(t, run,
		"Stack network is DEPLOYMENT_IN_PROGRESS.",
		"huaweicloud_networking_secgroup_rule.https: Creation complete after 0s [id=",
		"Apply complete! Resources: 5 added, 0 changed, 0 destroyed.",
		"Stack network is DEPLOYMENT_COMPLETE.",
		"result: DEPLOYMENT_COMPLETE",
		"huaweicloud_vpc_subnet.subnet[1]",
		"quickstart-subnet-1",
		"vpc_id (string) = ",
	)
}
