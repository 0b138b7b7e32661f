package plan

import (
	"encoding/json"
	"fmt"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// encodedFormat names the persisted form; Decode refuses any other.
const encodedFormat = "formation.plan/2"

// Encode returns the plan's persisted form: everything Decode needs to
// give the Plan back, values, unknowns and schemas included, as JSON. It
// is the form to store between creating an execution plan and applying it
// (MarshalJSON is the form to show). Sensitive values are kept: store it
// as carefully as the state. One loss: a set that holds unknown elements
// comes back wholly unknown.
func (p *Plan) Encode() ([]byte, error) {
	out := encodedPlan{Format: encodedFormat, Summary: encodedSummary(p.Summary), Changes: make([]encodedChange, len(p.Changes))}
	for i, c := range p.Changes {
		ec, err := encodeChange(c)
		if err != nil {
			return nil, fmt.Errorf("plan: encoding %s: %w", c.Addr, err)
		}
		out.Changes[i] = ec
	}
	return json.Marshal(out)
}

// Decode reads a plan Encode wrote. Any problem is a CodeInternal
// *formation.Error: a stored plan that does not decode is corrupt.
func Decode(data []byte) (*Plan, error) {
	const op = "plan.Decode"
	var in encodedPlan
	if err := json.Unmarshal(data, &in); err != nil {
		return nil, formation.Wrap(formation.CodeInternal, op, "", err)
	}
	if in.Format != encodedFormat {
		return nil, formation.Errorf(formation.CodeInternal, op, "", "unknown plan format %q", in.Format)
	}
	p := &Plan{Summary: formation.PlanSummary(in.Summary), Changes: make([]*Change, len(in.Changes))}
	types := typeCache{}
	for i := range in.Changes {
		c, err := in.Changes[i].decode(types)
		if err != nil {
			return nil, formation.Wrap(formation.CodeInternal, op, in.Changes[i].Addr, err)
		}
		p.Changes[i] = c
	}
	return p, nil
}

type encodedPlan struct {
	Format  string          `json:"format"`
	Summary encodedSummary  `json:"summary"`
	Changes []encodedChange `json:"changes"`
}

// encodedSummary is formation.PlanSummary with every count written.
type encodedSummary struct {
	ResourceAdd    int `json:"resource_add"`
	ResourceUpdate int `json:"resource_update"`
	ResourceDelete int `json:"resource_delete"`
	ResourceImport int `json:"resource_import"`
}

type encodedChange struct {
	Addr                string           `json:"addr"`
	Mode                formation.Mode   `json:"mode"`
	Type                string           `json:"type"`
	Name                string           `json:"name"`
	Key                 string           `json:"key,omitempty"`
	ProviderName        string           `json:"provider_name"`
	ProviderAlias       string           `json:"provider_alias,omitempty"`
	Action              formation.Action `json:"action"`
	Reason              string           `json:"reason,omitempty"`
	Before              encodedValue     `json:"before"`
	After               encodedValue     `json:"after"`
	ResourceID          string           `json:"resource_id,omitempty"`
	RequiresReplace     []encodedPath    `json:"requires_replace,omitempty"`
	Dependencies        []string         `json:"dependencies,omitempty"`
	CreateBeforeDestroy bool             `json:"create_before_destroy,omitempty"`
	PreventDestroy      bool             `json:"prevent_destroy,omitempty"`
	IgnoreChanges       []encodedPath    `json:"ignore_changes,omitempty"`
	Imported            bool             `json:"imported,omitempty"`
	ImportID            string           `json:"import_id,omitempty"`
	Deposed             string           `json:"deposed,omitempty"`
	Drifted             bool             `json:"drifted,omitempty"`
	Sensitive           []encodedPath    `json:"sensitive,omitempty"`
	Schema              encodedSchema    `json:"schema"`
	Inferred            bool             `json:"inferred,omitempty"`
}

// encodedValue is a cty value: its type and the value (cty's JSON), unknown
// parts written null and marked in Unknown (as after_unknown marks them).
// The type is apart from the value so that Decode parses each distinct type
// once (parsing types was a quarter of decoding a large plan).
type encodedValue struct {
	Type    json.RawMessage `json:"type,omitempty"`  // absent for cty.NilVal
	Value   json.RawMessage `json:"value,omitempty"` // absent for cty.NilVal
	Unknown json.RawMessage `json:"unknown,omitempty"`
}

// typeCache parses each distinct type JSON of one Decode once.
type typeCache map[string]cty.Type

func (tc typeCache) get(raw json.RawMessage) (cty.Type, error) {
	if ty, ok := tc[string(raw)]; ok {
		return ty, nil
	}
	ty, err := ctyjson.UnmarshalType(raw)
	if err != nil {
		return cty.NilType, err
	}
	tc[string(raw)] = ty
	return ty, nil
}

type encodedSchema struct {
	IDAttribute string                      `json:"id_attribute,omitempty"`
	Attributes  map[string]encodedAttribute `json:"attributes,omitempty"`
}

type encodedAttribute struct {
	Type      json.RawMessage `json:"type"`
	Required  bool            `json:"required,omitempty"`
	Optional  bool            `json:"optional,omitempty"`
	Computed  bool            `json:"computed,omitempty"`
	ForceNew  bool            `json:"force_new,omitempty"`
	Sensitive bool            `json:"sensitive,omitempty"`
}

// encodedPath is a cty.Path, one step each: {"attr": name}, {"key":
// string index} or {"index": number index}.
type encodedPath []encodedStep

type encodedStep struct {
	Attr  *string `json:"attr,omitempty"`
	Key   *string `json:"key,omitempty"`
	Index *int64  `json:"index,omitempty"`
}

func encodeChange(c *Change) (encodedChange, error) {
	ec := encodedChange{
		Addr: c.Addr, Mode: c.Mode, Type: c.Type, Name: c.Name, Key: c.Key,
		ProviderName: c.ProviderName, ProviderAlias: c.ProviderAlias,
		Action: c.Action, Reason: c.Reason, ResourceID: c.ResourceID,
		RequiresReplace: encodePaths(c.RequiresReplace), Dependencies: c.Dependencies,
		CreateBeforeDestroy: c.CreateBeforeDestroy, PreventDestroy: c.PreventDestroy,
		IgnoreChanges: encodePaths(c.IgnoreChanges), Imported: c.Imported, ImportID: c.ImportID,
		Deposed: c.Deposed, Drifted: c.Drifted, Sensitive: encodePaths(c.Sensitive), Inferred: c.Inferred,
		Schema: encodedSchema{IDAttribute: c.Schema.IDAttribute},
	}
	var err error
	if ec.Before, err = encodeValue(c.Before); err != nil {
		return ec, fmt.Errorf("before: %w", err)
	}
	if ec.After, err = encodeValue(c.After); err != nil {
		return ec, fmt.Errorf("after: %w", err)
	}
	if len(c.Schema.Attributes) > 0 {
		ec.Schema.Attributes = make(map[string]encodedAttribute, len(c.Schema.Attributes))
	}
	for name, a := range c.Schema.Attributes {
		ty, err := ctyjson.MarshalType(a.Type)
		if err != nil {
			return ec, fmt.Errorf("schema attribute %q: %w", name, err)
		}
		ec.Schema.Attributes[name] = encodedAttribute{Type: ty, Required: a.Required, Optional: a.Optional,
			Computed: a.Computed, ForceNew: a.ForceNew, Sensitive: a.Sensitive}
	}
	return ec, nil
}

func (ec *encodedChange) decode(types typeCache) (*Change, error) {
	c := &Change{
		Addr: ec.Addr, Mode: ec.Mode, Type: ec.Type, Name: ec.Name, Key: ec.Key,
		ProviderName: ec.ProviderName, ProviderAlias: ec.ProviderAlias,
		Action: ec.Action, Reason: ec.Reason, ResourceID: ec.ResourceID,
		Dependencies: ec.Dependencies, CreateBeforeDestroy: ec.CreateBeforeDestroy, PreventDestroy: ec.PreventDestroy,
		Imported: ec.Imported, ImportID: ec.ImportID, Deposed: ec.Deposed, Drifted: ec.Drifted, Inferred: ec.Inferred,
		Schema: provider.Schema{IDAttribute: ec.Schema.IDAttribute},
	}
	var err error
	if c.RequiresReplace, err = decodePaths(ec.RequiresReplace); err != nil {
		return nil, err
	}
	if c.IgnoreChanges, err = decodePaths(ec.IgnoreChanges); err != nil {
		return nil, err
	}
	if c.Sensitive, err = decodePaths(ec.Sensitive); err != nil {
		return nil, err
	}
	if c.Before, err = ec.Before.decode(types); err != nil {
		return nil, fmt.Errorf("before: %w", err)
	}
	if c.After, err = ec.After.decode(types); err != nil {
		return nil, fmt.Errorf("after: %w", err)
	}
	if len(ec.Schema.Attributes) > 0 {
		c.Schema.Attributes = make(map[string]provider.Attribute, len(ec.Schema.Attributes))
	}
	for name, a := range ec.Schema.Attributes {
		ty, err := types.get(a.Type)
		if err != nil {
			return nil, fmt.Errorf("schema attribute %q: %w", name, err)
		}
		c.Schema.Attributes[name] = provider.Attribute{Type: ty, Required: a.Required, Optional: a.Optional,
			Computed: a.Computed, ForceNew: a.ForceNew, Sensitive: a.Sensitive}
	}
	return c, nil
}

// encodeValue writes v with its type; unknown parts are written null and
// marked. A set holding unknowns is marked unknown as a whole.
func encodeValue(v cty.Value) (encodedValue, error) {
	if v == cty.NilVal {
		return encodedValue{}, nil
	}
	v = unmarked(v)
	var unknown json.RawMessage
	if !v.IsWhollyKnown() {
		v, _ = cty.Transform(v, func(_ cty.Path, v cty.Value) (cty.Value, error) {
			if v.IsKnown() && v.Type().IsSetType() && !v.IsWhollyKnown() {
				return cty.UnknownVal(v.Type()), nil
			}
			return v, nil
		})
		unknown = markers(v, nil, func(v cty.Value, _ cty.Path) bool { return !v.IsKnown() })
		v, _ = cty.Transform(v, func(_ cty.Path, v cty.Value) (cty.Value, error) {
			if !v.IsKnown() {
				return cty.NullVal(v.Type()), nil
			}
			return v, nil
		})
	}
	ty, err := ctyjson.MarshalType(v.Type())
	if err != nil {
		return encodedValue{}, err
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return encodedValue{}, err
	}
	return encodedValue{Type: ty, Value: b, Unknown: unknown}, nil
}

func (ev encodedValue) decode(types typeCache) (cty.Value, error) {
	if len(ev.Value) == 0 {
		return cty.NilVal, nil
	}
	ty, err := types.get(ev.Type)
	if err != nil {
		return cty.NilVal, err
	}
	v, err := ctyjson.Unmarshal(ev.Value, ty)
	if err != nil {
		return cty.NilVal, err
	}
	if len(ev.Unknown) == 0 {
		return v, nil
	}
	return applyUnknown(v, ev.Unknown)
}

// applyUnknown makes unknown the parts of v a marker tree marks.
func applyUnknown(v cty.Value, marker json.RawMessage) (cty.Value, error) {
	var tree any
	if err := json.Unmarshal(marker, &tree); err != nil {
		return cty.NilVal, err
	}
	return unknownAt(v, tree)
}

func unknownAt(v cty.Value, tree any) (cty.Value, error) {
	switch t := tree.(type) {
	case bool:
		if t {
			return cty.UnknownVal(v.Type()), nil
		}
		return v, nil
	case map[string]any:
		if len(t) == 0 {
			return v, nil
		}
		if v.IsNull() || !(v.Type().IsObjectType() || v.Type().IsMapType()) {
			return cty.NilVal, fmt.Errorf("unknown markers for keys of %s", describe(v))
		}
		m := v.AsValueMap()
		for k, sub := range t {
			ev, ok := m[k]
			if !ok {
				return cty.NilVal, fmt.Errorf("unknown marker for missing key %q", k)
			}
			nv, err := unknownAt(ev, sub)
			if err != nil {
				return cty.NilVal, err
			}
			m[k] = nv
		}
		if v.Type().IsMapType() {
			return cty.MapVal(m), nil
		}
		return cty.ObjectVal(m), nil
	case []any:
		ty := v.Type()
		if v.IsNull() || !(ty.IsListType() || ty.IsTupleType()) || v.LengthInt() != len(t) {
			return cty.NilVal, fmt.Errorf("unknown markers for the elements of %s", describe(v))
		}
		elems := v.AsValueSlice()
		for i, sub := range t {
			nv, err := unknownAt(elems[i], sub)
			if err != nil {
				return cty.NilVal, err
			}
			elems[i] = nv
		}
		if ty.IsListType() {
			return cty.ListVal(elems), nil
		}
		return cty.TupleVal(elems), nil
	}
	return cty.NilVal, fmt.Errorf("invalid unknown marker %v", tree)
}

func encodePaths(paths []cty.Path) []encodedPath {
	if len(paths) == 0 {
		return nil
	}
	out := make([]encodedPath, len(paths))
	for i, p := range paths {
		ep := make(encodedPath, len(p))
		for j, step := range p {
			switch s := step.(type) {
			case cty.GetAttrStep:
				ep[j].Attr = &s.Name
			case cty.IndexStep:
				if s.Key.Type() == cty.String {
					k := s.Key.AsString()
					ep[j].Key = &k
				} else {
					n, _ := s.Key.AsBigFloat().Int64()
					ep[j].Index = &n
				}
			}
		}
		out[i] = ep
	}
	return out
}

func decodePaths(eps []encodedPath) ([]cty.Path, error) {
	if len(eps) == 0 {
		return nil, nil
	}
	out := make([]cty.Path, len(eps))
	for i, ep := range eps {
		var p cty.Path
		for _, s := range ep {
			switch {
			case s.Attr != nil:
				p = p.GetAttr(*s.Attr)
			case s.Key != nil:
				p = p.Index(cty.StringVal(*s.Key))
			case s.Index != nil:
				p = p.Index(cty.NumberIntVal(*s.Index))
			default:
				return nil, fmt.Errorf("empty path step")
			}
		}
		out[i] = p
	}
	return out, nil
}
