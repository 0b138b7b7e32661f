// Package exampletest checks the example programs the same way: a program
// runs twice, succeeds both times, prints the same both times (examples are
// seeded, so their output is stable enough to paste into documentation),
// and prints the lines that show what it demonstrates.
package exampletest

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// RunTwice runs run twice and fails t unless both runs succeed, print the
// same, and the output contains every line of wants. It returns the output.
func RunTwice(t testing.TB, run func(context.Context, io.Writer) error, wants ...string) string {
	t.Helper()
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
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	return out
}
