package plan

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/formation-engine/formation/provider"
)

func TestJoinErrors_RendersTheFirstFewAndKeepsAll(t *testing.T) {
	var errs []error
	for i := range 25 {
		errs = append(errs, fmt.Errorf("problem %d", i))
	}
	errs = append(errs, provider.ErrNotFound)
	err := joinErrors(errs)
	msg := err.Error()
	if !strings.Contains(msg, "26 problems") || !strings.Contains(msg, "problem 9") || strings.Contains(msg, "problem 10") || !strings.Contains(msg, "(and 16 more)") {
		t.Fatalf("message %q", msg)
	}
	if !errors.Is(err, provider.ErrNotFound) {
		t.Fatal("a problem past the rendered ten is not reachable with errors.Is")
	}
}
