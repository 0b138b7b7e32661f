package engine_test

import (
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/formation-engine/formation/engine"
)

// Numbers read as literals: integers (those past 64 bits too) without a
// fraction or an exponent, fractions as short as they are exact.
func TestOutputText_Numbers(t *testing.T) {
	huge, err := cty.ParseNumberVal("123456789012345678901234567890")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		v    cty.Value
		want string
	}{
		{cty.NumberIntVal(0), "0"},
		{cty.NumberIntVal(-42), "-42"},
		{cty.NumberIntVal(9007199254740993), "9007199254740993"},
		{huge, "123456789012345678901234567890"},
		{cty.NumberFloatVal(1.5), "1.5"},
		{cty.NumberFloatVal(-0.25), "-0.25"},
	} {
		if got := engine.OutputText(c.v); got != c.want {
			t.Errorf("OutputText(%#v) = %q, want %q", c.v, got, c.want)
		}
	}
}
