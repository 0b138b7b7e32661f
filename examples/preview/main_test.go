package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// The program succeeds, prints both plans in both forms, and prints the
// same on every run.
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
		"Plan: 2 to add, 0 to change, 0 to destroy.",
		`"format_version": "1.0"`,
		`"resource_add": 2,`,
		"# huaweicloud_vpc.vpc will be updated in-place",
		"# huaweicloud_vpc_subnet.subnet must be replaced",
		"Plan: 1 to add, 1 to change, 1 to destroy.",
		"RESOURCE huaweicloud_vpc_subnet.subnet DELETE_THEN_ADD",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
