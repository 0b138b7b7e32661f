package provider

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// ConstraintKind is a kind of rule between a resource's arguments, as
// Terraform's plugin SDK (v2) declares them on an attribute.
type ConstraintKind string

// The kinds of constraint.
const (
	// ConflictsWith: when the attribute is set, none of the keys may be.
	ConflictsWith ConstraintKind = "conflicts_with"
	// ExactlyOneOf: exactly one of the attribute and the keys is set.
	ExactlyOneOf ConstraintKind = "exactly_one_of"
	// AtLeastOneOf: at least one of the attribute and the keys is set.
	AtLeastOneOf ConstraintKind = "at_least_one_of"
	// RequiredWith: when the attribute is set, every key is set too.
	RequiredWith ConstraintKind = "required_with"
)

// Constraint is one rule between a resource's arguments that the types of
// its schema cannot say.
type Constraint struct {
	Kind ConstraintKind
	// Attribute is the path of the attribute the rule is declared on, by
	// names: "name", or "block.name" for the attribute in every block of
	// that type.
	Attribute string
	// With are the other keys, as the SDK writes them, from the resource's
	// top: "name", "block.0.name".
	With []string
}

// CheckConstraints checks a configuration (as Coerce returns it) against
// the schema's Constraints, as the plugin SDK validates a configuration at
// plan time: a key is set when its value is not null (a nested block, when
// at least one block is given); ConflictsWith ignores a key whose value is
// not yet known, ExactlyOneOf counts one as possibly set, and the other
// kinds count it as set. Every broken rule is a *ConstraintError at the
// attribute, with the SDK's own message (`"ports": conflicts with
// port_range_min`), all joined in an error wrapping ErrInvalidConfig.
func (s Schema) CheckConstraints(config cty.Value) error {
	if len(s.Constraints) == 0 || !isObject(config) {
		return nil
	}
	// The SDK checks an attribute's rules in this order and reports only
	// the first it breaks.
	rules := slices.Clone(s.Constraints)
	slices.SortStableFunc(rules, func(a, b Constraint) int {
		if c := strings.Compare(a.Attribute, b.Attribute); c != 0 {
			return c
		}
		return slices.Index(kindOrder, a.Kind) - slices.Index(kindOrder, b.Kind)
	})
	var errs []error
	broken := map[string]bool{}
	for _, c := range rules {
		for _, k := range instances(config, strings.Split(c.Attribute, "."), nil) {
			if broken[k.key] {
				continue
			}
			if err := c.check(config, k); err != nil {
				broken[k.key] = true
				errs = append(errs, err)
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrInvalidConfig, errors.Join(errs...))
}

// kindOrder is the order in which the SDK checks an attribute's rules.
var kindOrder = []ConstraintKind{ExactlyOneOf, AtLeastOneOf, RequiredWith, ConflictsWith}

// ConstraintError is one broken Constraint, with the plugin SDK's message.
type ConstraintError struct {
	Kind ConstraintKind
	// Key is the attribute's key, as the SDK names it ("block.0.name"),
	// and Path the same as a path.
	Key     string
	Path    cty.Path
	message string
}

func (e *ConstraintError) Error() string { return e.message }

// Summary is the SDK's summary of the diagnostic: "ConflictsWith",
// "ExactlyOne", "AtLeastOne" or "RequiredWith".
func (e *ConstraintError) Summary() string {
	switch e.Kind {
	case ExactlyOneOf:
		return "ExactlyOne"
	case AtLeastOneOf:
		return "AtLeastOne"
	case RequiredWith:
		return "RequiredWith"
	}
	return "ConflictsWith"
}

// instance is one place an attribute has in a configuration: its SDK key
// ("block.0.name") and its path.
type instance struct {
	key  string
	path cty.Path
}

// instances lists the places of the attribute at names inside v, one per
// block of each nested block type on the way; path is v's own.
func instances(v cty.Value, names []string, path cty.Path) []instance {
	if len(names) == 1 {
		p := append(slices.Clip(path), cty.GetAttrStep{Name: names[0]})
		return []instance{{key: sdkKey(p), path: p}}
	}
	if !isObject(v) || !v.Type().HasAttribute(names[0]) {
		return nil
	}
	inner := v.GetAttr(names[0])
	p := append(slices.Clip(path), cty.GetAttrStep{Name: names[0]})
	switch {
	case !inner.IsKnown() || inner.IsNull():
		return nil
	case inner.Type().IsListType() || inner.Type().IsSetType():
		var out []instance
		for i, elem := range inner.AsValueSlice() {
			out = append(out, instances(elem, names[1:], append(slices.Clip(p), cty.IndexStep{Key: cty.NumberIntVal(int64(i))}))...)
		}
		return out
	}
	return instances(inner, names[1:], p)
}

// sdkKey renders a path as the SDK names keys: "block.0.name".
func sdkKey(p cty.Path) string {
	parts := make([]string, len(p))
	for i, step := range p {
		switch s := step.(type) {
		case cty.GetAttrStep:
			parts[i] = s.Name
		case cty.IndexStep:
			parts[i] = s.Key.AsBigFloat().Text('f', 0)
		}
	}
	return strings.Join(parts, ".")
}

// keyState is what a configuration says of a key.
type keyState int

const (
	keyUnset keyState = iota
	keySet
	keyUnknown // set, as far as the plan can tell, to a value not yet known
)

// stateOf looks key up in config as the SDK's ResourceConfig.Get does.
func stateOf(config cty.Value, key string) keyState {
	st, _ := lookup(config, key)
	return st
}

// lookup is stateOf, with the value found.
func lookup(config cty.Value, key string) (keyState, cty.Value) {
	v := config
	for _, part := range strings.Split(key, ".") {
		switch {
		case !v.IsKnown():
			return keyUnknown, v
		case v.IsNull():
			return keyUnset, v
		case v.Type().IsObjectType():
			if !v.Type().HasAttribute(part) {
				return keyUnset, v
			}
			v = v.GetAttr(part)
		case v.Type().IsListType() || v.Type().IsSetType() || v.Type().IsTupleType():
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= v.LengthInt() {
				return keyUnset, v
			}
			v = v.AsValueSlice()[i]
		case v.Type().IsMapType():
			if !v.HasIndex(cty.StringVal(part)).True() {
				return keyUnset, v
			}
			v = v.Index(cty.StringVal(part))
		default:
			return keyUnset, v
		}
	}
	switch {
	case !v.IsKnown():
		return keyUnknown, v
	case v.IsNull():
		return keyUnset, v
	case (v.Type().IsListType() || v.Type().IsSetType()) && v.Type().ElementType().IsObjectType() && v.LengthInt() == 0:
		// An empty collection of blocks is no block at all.
		return keyUnset, v
	}
	return keySet, v
}

// check applies the rule to the attribute at k, as the SDK's validate
// does for one key.
func (c Constraint) check(config cty.Value, k instance) error {
	msg := c.message(config, k)
	if msg == "" {
		return nil
	}
	return &ConstraintError{Kind: c.Kind, Key: k.key, Path: k.path, message: msg}
}

// message is the SDK's message for the rule broken at k, "" if it holds.
func (c Constraint) message(config cty.Value, k instance) string {
	self, v := lookup(config, k.key)
	switch c.Kind {
	case ConflictsWith:
		if self != keySet || !v.IsWhollyKnown() {
			return "" // the SDK checks only a known value
		}
		for _, other := range c.With {
			if stateOf(config, other) == keySet {
				return fmt.Sprintf("%q: conflicts with %s", k.key, other)
			}
		}
	case RequiredWith:
		if self == keyUnset {
			return ""
		}
		all := c.keys(k.key)
		for _, key := range all {
			if stateOf(config, key) == keyUnset {
				return fmt.Sprintf("%q: all of `%s` must be specified", k.key, strings.Join(all, ","))
			}
		}
	case AtLeastOneOf:
		all := c.keys(k.key)
		for _, key := range all {
			if stateOf(config, key) != keyUnset {
				return ""
			}
		}
		return fmt.Sprintf("%q: one of `%s` must be specified", k.key, strings.Join(all, ","))
	case ExactlyOneOf:
		all := c.keys(k.key)
		var set []string
		unknown := 0
		for _, key := range all {
			switch stateOf(config, key) {
			case keyUnknown:
				unknown++
			case keySet:
				set = append(set, key)
			}
		}
		if len(set) == 0 && unknown == 0 {
			return fmt.Sprintf("%q: one of `%s` must be specified", k.key, strings.Join(all, ","))
		}
		if len(set) > 1 {
			return fmt.Sprintf("%q: only one of `%s` can be specified, but `%s` were specified.", k.key, strings.Join(all, ","), strings.Join(set, ","))
		}
	}
	return ""
}

// keys is the rule's keys and the attribute's own, sorted, as the SDK
// lists them.
func (c Constraint) keys(self string) []string {
	all := append(slices.Clone(c.With), self)
	slices.Sort(all)
	return slices.Compact(all)
}
