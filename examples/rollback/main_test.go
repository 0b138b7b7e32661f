package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// The program succeeds (run fails unless the second deployment ends
// ROLLBACK_COMPLETE), shows the rollback and the one ERROR event, and prints
// the same on every run.
func TestRun(t *testing.T) {
	var first, second bytes.Buffer
	if err := run(context.Background(), &first); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), &second); err != nil {
		t.Fatal(err)
	}
	out := first.String()
	if out != second.String() {
		t.Errorf("two runs printed different output:\n%s\n---\n%s", out, second.String())
	}
	for _, want := range []string{
		"Stack web is ROLLBACK_IN_PROGRESS. Rolling back to the last stable state.",
		"huaweicloud_networking_secgroup.web: Destruction complete after 0s",
		"ERROR events of deployment 2 (1):",
		"huaweicloud_networking_secgroup_rule.https: Quota exceeded for resources: security_group_rule",
		"huaweicloud_vpc.vpc prod-vpc",
		"the stack's template is deployment 1's again: true",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
