package provider_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
)

// ruleSchema has one rule of each kind, at the top level and inside a list
// of blocks, with the keys written as the SDK writes them.
func ruleSchema() provider.Schema {
	opt := provider.Attribute{Type: cty.String, Optional: true}
	blk := &provider.Block{Nesting: provider.NestingList, Attributes: map[string]provider.Attribute{"a": opt, "b": opt}}
	return provider.Schema{
		Attributes: map[string]provider.Attribute{
			"id": {Type: cty.String, Computed: true},
			"x":  opt, "y": opt, "z": opt, "p": opt, "q": opt,
			"blk": {Type: blk.Type(), Optional: true, Block: blk},
		},
		Constraints: []provider.Constraint{
			{Kind: provider.ConflictsWith, Attribute: "x", With: []string{"y"}},
			{Kind: provider.RequiredWith, Attribute: "z", With: []string{"x"}},
			{Kind: provider.ExactlyOneOf, Attribute: "p", With: []string{"q"}},
			{Kind: provider.AtLeastOneOf, Attribute: "blk.a", With: []string{"blk.0.b"}},
		},
	}
}

func TestCheckConstraints(t *testing.T) {
	s := ruleSchema()
	str, unknown := cty.StringVal, cty.UnknownVal(cty.String)
	blocks := func(objs ...map[string]cty.Value) cty.Value {
		var vals []cty.Value
		for _, o := range objs {
			vals = append(vals, cty.ObjectVal(o))
		}
		return cty.ListVal(vals)
	}
	tests := []struct {
		name   string
		config map[string]cty.Value
		want   []string // the messages, in order; none for a valid configuration
	}{
		{"valid", map[string]cty.Value{"x": str("1"), "p": str("1")}, nil},
		{"conflict", map[string]cty.Value{"x": str("1"), "y": str("2"), "p": str("1")},
			[]string{`"x": conflicts with y`}},
		{"conflict with an unknown value is not known yet", map[string]cty.Value{"x": str("1"), "y": unknown, "p": str("1")}, nil},
		{"an unknown value conflicts with nothing yet", map[string]cty.Value{"x": unknown, "y": str("2"), "p": str("1")}, nil},
		{"required with", map[string]cty.Value{"z": str("1"), "p": str("1")},
			[]string{"\"z\": all of `x,z` must be specified"}},
		{"required with an unknown value", map[string]cty.Value{"z": str("1"), "x": unknown, "p": str("1")}, nil},
		{"exactly one: none", map[string]cty.Value{},
			[]string{"\"p\": one of `p,q` must be specified"}},
		{"exactly one: both", map[string]cty.Value{"p": str("1"), "q": str("2")},
			[]string{"\"p\": only one of `p,q` can be specified, but `p,q` were specified."}},
		{"exactly one: an unknown may be the one", map[string]cty.Value{"q": unknown}, nil},
		// The rule is checked in each block; its keys name block 0, as
		// the SDK's keys do.
		{"at least one, in each block", map[string]cty.Value{"p": str("1"), "blk": blocks(
			map[string]cty.Value{"a": cty.NullVal(cty.String), "b": cty.NullVal(cty.String)},
			map[string]cty.Value{"a": str("1"), "b": cty.NullVal(cty.String)},
		)}, []string{"\"blk.0.a\": one of `blk.0.a,blk.0.b` must be specified"}},
		{"at least one, satisfied by block 0", map[string]cty.Value{"p": str("1"), "blk": blocks(
			map[string]cty.Value{"a": cty.NullVal(cty.String), "b": str("1")},
			map[string]cty.Value{"a": cty.NullVal(cty.String), "b": cty.NullVal(cty.String)},
		)}, nil},
		{"no block, no rule inside it", map[string]cty.Value{"p": str("1")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			config, err := s.Coerce(cty.ObjectVal(tt.config))
			if err != nil {
				t.Fatal(err)
			}
			err = s.CheckConstraints(config)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("CheckConstraints = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, provider.ErrInvalidConfig) {
				t.Fatalf("CheckConstraints = %v, want ErrInvalidConfig", err)
			}
			if got := strings.Split(err.Error(), "\n"); strings.Join(got, "|") != provider.ErrInvalidConfig.Error()+": "+strings.Join(tt.want, "|") {
				t.Fatalf("CheckConstraints = %q, want %q", got, tt.want)
			}
			var ce *provider.ConstraintError
			if !errors.As(err, &ce) || len(ce.Path) == 0 || ce.Kind == "" || ce.Summary() == "" {
				t.Fatalf("no ConstraintError with a path in %v", err)
			}
		})
	}
}

// An attribute reports only the first rule it breaks, in the SDK's order.
func TestCheckConstraints_FirstBrokenRuleOnly(t *testing.T) {
	s := ruleSchema()
	s.Constraints = append(s.Constraints, provider.Constraint{Kind: provider.RequiredWith, Attribute: "x", With: []string{"q"}})
	config, err := s.Coerce(cty.ObjectVal(map[string]cty.Value{"x": cty.StringVal("1"), "y": cty.StringVal("2"), "p": cty.StringVal("1")}))
	if err != nil {
		t.Fatal(err)
	}
	err = s.CheckConstraints(config)
	if err == nil || !strings.Contains(err.Error(), "all of `q,x` must be specified") || strings.Contains(err.Error(), "conflicts") {
		t.Fatalf("CheckConstraints = %v, want the required_with error alone", err)
	}
}
