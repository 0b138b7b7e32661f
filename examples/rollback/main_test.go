package main

import (
	"testing"

	"github.com/formation-engine/formation/internal/exampletest"
)

// The program succeeds (run fails unless the second deployment ends
// ROLLBACK_COMPLETE), shows the rollback and the one ERROR event, and prints
// the same on every run.
func TestRun(t *testing.T) {
	exampletest.RunTwice(t, run,
		"Stack web is ROLLBACK_IN_PROGRESS. Rolling back to the last stable state.",
		"huaweicloud_networking_secgroup.web: Destruction complete after 0s",
		"ERROR events of deployment 2 (1):",
		"huaweicloud_networking_secgroup_rule.https: Quota exceeded for resources: security_group_rule",
		"huaweicloud_vpc.vpc prod-vpc",
		"the stack's template is deployment 1's again: true",
	)
}
