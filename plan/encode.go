package plan

import (
	"encoding/json"
	"fmt"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// encodedFormat names the persisted form Encode writes. Decode reads it and
// formatV2, the form before it, which wrote each value's type and each
// change's schema in place rather than once in a table.
const (
	encodedFormat = "formation.plan/3"
	formatV2      = "formation.plan/2"
)

// Encode returns the plan's persisted form: everything Decode needs to
// give the Plan back, values, unknowns and schemas included, as JSON. It
// is the form to store between creating an execution plan and applying it
// (MarshalJSON is the form to show). Sensitive values are kept: store it
// as carefully as the state. One loss: a set that holds unknown elements
// comes back wholly unknown.
func (p *Plan) Encode() ([]byte, error) {
	t := encodeTables{ // the tables are written [] when empty, as Decode wants them
		types: map[string]int{}, typeList: []json.RawMessage{},
		schemas: map[string]int{}, schemaList: []encodedSchema{},
	}
	out := encodedPlan{Format: encodedFormat, Summary: encodedSummary(p.Summary), Changes: make([]encodedChange, len(p.Changes))}
	for i, c := range p.Changes {
		ec, err := t.change(c)
		if err != nil {
			return nil, fmt.Errorf("plan: encoding %s: %w", c.Addr, err)
		}
		out.Changes[i] = ec
	}
	out.Types, out.Schemas = t.typeList, t.schemaList
	for _, w := range p.Warnings {
		out.Warnings = append(out.Warnings, encodedWarning(w))
	}
	return json.Marshal(out)
}

// encodedPlan is the persisted form. The types of values and the schemas of
// changes are written once each, in tables the changes refer to by
// position: a plan's instances share a few of them, which written in place
// were most of the document.
type encodedPlan struct {
	Format  string            `json:"format"`
	Summary encodedSummary    `json:"summary"`
	Types   []json.RawMessage `json:"types"` // cty's JSON of each type
	Schemas []encodedSchema   `json:"schemas"`
	Changes []encodedChange   `json:"changes"`
	// Warnings are written after the changes, and only when there are
	// some.
	Warnings []encodedWarning `json:"warnings,omitempty"`
}

type encodedWarning struct {
	Summary string `json:"summary"`
	Detail  string `json:"detail,omitempty"`
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
	Before              *encodedValue    `json:"before,omitempty"` // absent for cty.NilVal
	After               *encodedValue    `json:"after,omitempty"`  // absent for cty.NilVal
	ResourceID          string           `json:"resource_id,omitempty"`
	RequiresReplace     []encodedPath    `json:"requires_replace,omitempty"`
	Dependencies        []string         `json:"dependencies,omitempty"`
	CreateBeforeDestroy bool             `json:"create_before_destroy,omitempty"`
	PreventDestroy      bool             `json:"prevent_destroy,omitempty"`
	IgnoreChanges       []encodedPath    `json:"ignore_changes,omitempty"`
	Imported            bool             `json:"imported,omitempty"`
	ImportID            string           `json:"import_id,omitempty"`
	Deposed             string           `json:"deposed,omitempty"`
	PrevAddr            string           `json:"prev_addr,omitempty"`
	Forget              bool             `json:"forget,omitempty"`
	Drifted             bool             `json:"drifted,omitempty"`
	Sensitive           []encodedPath    `json:"sensitive,omitempty"`
	Schema              int              `json:"schema"` // in encodedPlan.Schemas
	Inferred            bool             `json:"inferred,omitempty"`
}

// encodedValue is a cty value: its type (in encodedPlan.Types) and the
// value (cty's JSON), unknown parts written null and marked in Unknown (as
// after_unknown marks them).
type encodedValue struct {
	Type    int             `json:"type"`
	Value   json.RawMessage `json:"value"`
	Unknown json.RawMessage `json:"unknown,omitempty"`
}

type encodedSchema struct {
	IDAttribute  string                      `json:"id_attribute,omitempty"`
	Attributes   map[string]encodedAttribute `json:"attributes,omitempty"`
	NonUpdatable []string                    `json:"non_updatable,omitempty"`
	ForceNew     bool                        `json:"force_new_enabled,omitempty"`
}

type encodedAttribute struct {
	Type      int           `json:"type"` // in encodedPlan.Types
	Required  bool          `json:"required,omitempty"`
	Optional  bool          `json:"optional,omitempty"`
	Computed  bool          `json:"computed,omitempty"`
	ForceNew  bool          `json:"force_new,omitempty"`
	Sensitive bool          `json:"sensitive,omitempty"`
	Default   *encodedValue `json:"default,omitempty"`
	Block     *encodedBlock `json:"block,omitempty"`
}

type encodedBlock struct {
	Nesting    string                      `json:"nesting"`
	MinItems   int                         `json:"min_items,omitempty"`
	MaxItems   int                         `json:"max_items,omitempty"`
	Attributes map[string]encodedAttribute `json:"attributes,omitempty"`
}

// encodedPath is a cty.Path, one step each: {"attr": name}, {"key":
// string index} or {"index": number index}.
type encodedPath []encodedStep

type encodedStep struct {
	Attr  *string `json:"attr,omitempty"`
	Key   *string `json:"key,omitempty"`
	Index *int64  `json:"index,omitempty"`
}

// encodeTables gathers the distinct types and schemas of one Encode.
type encodeTables struct {
	types      map[string]int // position in typeList by the type's JSON
	typeList   []json.RawMessage
	schemas    map[string]int // position in schemaList by the schema's JSON
	schemaList []encodedSchema
}

// typeRef returns the position of ty in the type table.
func (t *encodeTables) typeRef(ty cty.Type) (int, error) {
	b, err := ctyjson.MarshalType(ty)
	if err != nil {
		return 0, err
	}
	i, ok := t.types[string(b)]
	if !ok {
		i = len(t.typeList)
		t.types[string(b)] = i
		t.typeList = append(t.typeList, b)
	}
	return i, nil
}

// schemaRef returns the position of s in the schema table.
func (t *encodeTables) schemaRef(s provider.Schema) (int, error) {
	es := encodedSchema{IDAttribute: s.IDAttribute, NonUpdatable: s.NonUpdatable, ForceNew: s.ForceNewEnabled}
	var err error
	if es.Attributes, err = t.attributes(s.Attributes); err != nil {
		return 0, err
	}
	b, err := json.Marshal(es)
	if err != nil {
		return 0, err
	}
	i, ok := t.schemas[string(b)]
	if !ok {
		i = len(t.schemaList)
		t.schemas[string(b)] = i
		t.schemaList = append(t.schemaList, es)
	}
	return i, nil
}

// attributes encodes the attributes of a schema or nested block.
func (t *encodeTables) attributes(attrs map[string]provider.Attribute) (map[string]encodedAttribute, error) {
	if len(attrs) == 0 {
		return nil, nil
	}
	out := make(map[string]encodedAttribute, len(attrs))
	for name, a := range attrs {
		ty, err := t.typeRef(a.Type)
		if err != nil {
			return nil, fmt.Errorf("schema attribute %q: %w", name, err)
		}
		ea := encodedAttribute{Type: ty, Required: a.Required, Optional: a.Optional,
			Computed: a.Computed, ForceNew: a.ForceNew, Sensitive: a.Sensitive}
		if a.Default != cty.NilVal {
			if ea.Default, err = t.value(a.Default); err != nil {
				return nil, fmt.Errorf("schema attribute %q: default: %w", name, err)
			}
		}
		if b := a.Block; b != nil {
			ea.Block = &encodedBlock{Nesting: string(b.Nesting), MinItems: b.MinItems, MaxItems: b.MaxItems}
			if ea.Block.Attributes, err = t.attributes(b.Attributes); err != nil {
				return nil, fmt.Errorf("block %q: %w", name, err)
			}
		}
		out[name] = ea
	}
	return out, nil
}

func (t *encodeTables) change(c *Change) (encodedChange, error) {
	ec := encodedChange{
		Addr: c.Addr, Mode: c.Mode, Type: c.Type, Name: c.Name, Key: c.Key,
		ProviderName: c.ProviderName, ProviderAlias: c.ProviderAlias,
		Action: c.Action, Reason: c.Reason, ResourceID: c.ResourceID,
		RequiresReplace: encodePaths(c.RequiresReplace), Dependencies: c.Dependencies,
		CreateBeforeDestroy: c.CreateBeforeDestroy, PreventDestroy: c.PreventDestroy,
		IgnoreChanges: encodePaths(c.IgnoreChanges), Imported: c.Imported, ImportID: c.ImportID,
		Deposed: c.Deposed, PrevAddr: c.PrevAddr, Forget: c.Forget,
		Drifted: c.Drifted, Sensitive: encodePaths(c.Sensitive), Inferred: c.Inferred,
	}
	var err error
	if ec.Before, err = t.value(c.Before); err != nil {
		return ec, fmt.Errorf("before: %w", err)
	}
	if ec.After, err = t.value(c.After); err != nil {
		return ec, fmt.Errorf("after: %w", err)
	}
	ec.Schema, err = t.schemaRef(c.Schema)
	return ec, err
}

// value writes v with its type; unknown parts are written null and
// marked. A set holding unknowns is marked unknown as a whole. A missing
// value is not written.
func (t *encodeTables) value(v cty.Value) (*encodedValue, error) {
	if v == cty.NilVal {
		return nil, nil
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
	ty, err := t.typeRef(v.Type())
	if err != nil {
		return nil, err
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return nil, err
	}
	return &encodedValue{Type: ty, Value: b, Unknown: unknown}, nil
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
