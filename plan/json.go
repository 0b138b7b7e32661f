package plan

import (
	"bytes"
	"encoding/json"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
	"github.com/zclconf/go-cty/cty"
)

// JSONFormatVersion is the format_version of the plan's JSON rendering
// (see the package documentation). It changes only when the format does
// in a way a reader must know about; fields are only ever added.
const JSONFormatVersion = "1.0"

type jsonPlan struct {
	FormatVersion   string       `json:"format_version"`
	ResourceChanges []jsonChange `json:"resource_changes"`
	Summary         jsonSummary  `json:"summary"`
}

type jsonSummary struct {
	ResourceAdd    int `json:"resource_add"`
	ResourceUpdate int `json:"resource_update"`
	ResourceDelete int `json:"resource_delete"`
	ResourceImport int `json:"resource_import"`
}

type jsonChange struct {
	Address             string           `json:"address"`
	ModuleAddress       string           `json:"module_address,omitempty"`
	Mode                formation.Mode   `json:"mode"`
	Type                string           `json:"type"`
	Name                string           `json:"name"`
	Index               string           `json:"index,omitempty"`
	ProviderName        string           `json:"provider_name"`
	ProviderAlias       string           `json:"provider_alias,omitempty"`
	Deposed             string           `json:"deposed,omitempty"`
	PreviousAddress     string           `json:"previous_address,omitempty"`
	Forget              bool             `json:"forget,omitempty"`
	Action              formation.Action `json:"action"`
	ActionReason        string           `json:"action_reason,omitempty"`
	Drifted             bool             `json:"drifted"`
	Imported            bool             `json:"imported"`
	ImportID            string           `json:"import_id,omitempty"`
	ResourceID          string           `json:"resource_id,omitempty"`
	Dependencies        []string         `json:"dependencies"`
	CreateBeforeDestroy bool             `json:"create_before_destroy"`
	PreventDestroy      bool             `json:"prevent_destroy"`
	RequiresReplace     []string         `json:"requires_replace"`
	Before              json.RawMessage  `json:"before"`
	After               json.RawMessage  `json:"after"`
	AfterUnknown        json.RawMessage  `json:"after_unknown"`
	BeforeSensitive     json.RawMessage  `json:"before_sensitive"`
	AfterSensitive      json.RawMessage  `json:"after_sensitive"`
}

// MarshalJSON renders the plan as the JSON document the package
// documentation describes: format_version, resource_changes in plan order
// (values with unknown and sensitive parts written as null and flagged in
// after_unknown, before_sensitive and after_sensitive) and summary.
// Sensitive values are never written.
func (p *Plan) MarshalJSON() ([]byte, error) {
	out := jsonPlan{
		FormatVersion:   JSONFormatVersion,
		ResourceChanges: make([]jsonChange, len(p.Changes)),
		Summary: jsonSummary{
			ResourceAdd: p.Summary.ResourceAdd, ResourceUpdate: p.Summary.ResourceUpdate,
			ResourceDelete: p.Summary.ResourceDelete, ResourceImport: p.Summary.ResourceImport,
		},
	}
	for i, c := range p.Changes {
		out.ResourceChanges[i] = c.jsonChange()
	}
	return json.Marshal(out)
}

func (c *Change) jsonChange() jsonChange {
	enc := &jsonValue{unknown: []byte("null"), sensitive: []byte("null"), paths: c.Sensitive}
	before, after := unmarked(c.Before), unmarked(c.After)
	value := func(v cty.Value) json.RawMessage {
		var buf bytes.Buffer
		enc.encode(&buf, v, nil)
		return buf.Bytes()
	}
	j := jsonChange{
		Address: c.Addr, ModuleAddress: template.ModuleOf(c.Addr), Mode: c.Mode, Type: c.Type, Name: c.Name, Index: c.Key,
		ProviderName: c.ProviderName, ProviderAlias: c.ProviderAlias, Deposed: c.Deposed,
		PreviousAddress: c.PrevAddr, Forget: c.Forget,
		Action: c.Action, ActionReason: c.Reason, Drifted: c.Drifted,
		Imported: c.Imported, ImportID: c.ImportID, ResourceID: c.ResourceID,
		Dependencies:        append([]string{}, c.Dependencies...),
		CreateBeforeDestroy: c.CreateBeforeDestroy, PreventDestroy: c.PreventDestroy,
		RequiresReplace: pathNames(c.RequiresReplace),
		Before:          value(before),
		After:           value(after),
		AfterUnknown:    markers(after, nil, func(v cty.Value, _ cty.Path) bool { return !v.IsKnown() }),
	}
	sensitive := func(_ cty.Value, path cty.Path) bool { return underAny(path, c.Sensitive) }
	j.BeforeSensitive = markers(before, nil, sensitive)
	j.AfterSensitive = markers(after, nil, sensitive)
	return j
}

// markers writes the marker tree of v: true where mark holds, an object (by
// key) or array (by index, false where nothing is marked) of the markers
// of a collection with marked parts, {} when nothing is marked.
func markers(v cty.Value, path cty.Path, mark func(cty.Value, cty.Path) bool) json.RawMessage {
	if m, ok := marker(v, path, mark); ok {
		return m
	}
	return json.RawMessage("{}")
}

func marker(v cty.Value, path cty.Path, mark func(cty.Value, cty.Path) bool) (json.RawMessage, bool) {
	if v == cty.NilVal {
		return nil, false
	}
	if mark(v, path) {
		return json.RawMessage("true"), true
	}
	if !v.IsKnown() || v.IsNull() {
		return nil, false
	}
	ty := v.Type()
	switch {
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		var elems []json.RawMessage
		marked := false
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			k, ev := it.Element()
			if ty.IsSetType() {
				k = cty.NumberIntVal(int64(i))
			}
			m, ok := marker(ev, append(path[:len(path):len(path)], cty.IndexStep{Key: k}), mark)
			if !ok {
				m = json.RawMessage("false")
			}
			marked = marked || ok
			elems = append(elems, m)
		}
		if !marked {
			return nil, false
		}
		b, _ := json.Marshal(elems)
		return b, true
	case ty.IsMapType() || ty.IsObjectType():
		keys, _ := sortedKeys(v)
		var buf bytes.Buffer
		for _, k := range keys {
			ev, step := element(v, k)
			m, ok := marker(ev, append(path[:len(path):len(path)], step), mark)
			if !ok {
				continue
			}
			if buf.Len() == 0 {
				buf.WriteByte('{')
			} else {
				buf.WriteByte(',')
			}
			buf.WriteString(quote(k.name) + ":")
			buf.Write(m)
		}
		if buf.Len() == 0 {
			return nil, false
		}
		buf.WriteByte('}')
		return buf.Bytes(), true
	}
	return nil, false
}
