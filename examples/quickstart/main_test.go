package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// The program succeeds, prints the deployment as it happened, and prints the
// same on every run (the ids come from the seeds).
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
		"Stack network is DEPLOYMENT_IN_PROGRESS.",
		"huaweicloud_networking_secgroup_rule.https: Creation complete after 0s [id=",
		"Apply complete! Resources: 5 added, 0 changed, 0 destroyed.",
		"Stack network is DEPLOYMENT_COMPLETE.",
		"result: DEPLOYMENT_COMPLETE",
		"huaweicloud_vpc_subnet.subnet[1]",
		"quickstart-subnet-1",
		"vpc_id (string) = ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
