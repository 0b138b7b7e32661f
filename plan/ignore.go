package plan

import (
	"slices"

	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/template"
	"github.com/zclconf/go-cty/cty"
)

// ignorePaths resolves lifecycle.ignore_changes of an instance with a prior
// object: the listed paths, or for ignore_changes = all every attribute the
// configuration may set (computed-only attributes left out; for a schema-less type, every attribute of the
// prior object and of the configuration but the id).
func ignorePaths(lc template.Lifecycle, se *schemaEntry, prior, config cty.Value) []cty.Path {
	if !lc.IgnoreAllChanges {
		if !se.declared {
			return lc.IgnoreChanges
		}
		// A computed-only attribute is never configured: nothing to keep.
		var out []cty.Path
		for _, path := range lc.IgnoreChanges {
			if a, ok := se.schema.Attributes[topName(path)]; !ok || !a.ComputedOnly() {
				out = append(out, path)
			}
		}
		return out
	}
	var names []string
	if se.declared {
		for _, n := range se.schema.AttributeNames() {
			if !se.schema.Attributes[n].ComputedOnly() {
				names = append(names, n)
			}
		}
	} else {
		for _, v := range []cty.Value{prior, config} {
			if v == cty.NilVal || v.IsNull() || !v.IsKnown() || !v.Type().IsObjectType() {
				continue
			}
			for n := range v.Type().AttributeTypes() {
				if n != provider.DefaultIDAttribute {
					names = append(names, n)
				}
			}
		}
		slices.Sort(names)
		names = slices.Compact(names)
	}
	paths := make([]cty.Path, len(names))
	for i, n := range names {
		paths[i] = cty.GetAttrPath(n)
	}
	return paths
}

// topName is the attribute name a path starts with, "" if none.
func topName(path cty.Path) string {
	if len(path) > 0 {
		if s, ok := path[0].(cty.GetAttrStep); ok {
			return s.Name
		}
	}
	return ""
}

// applyIgnore returns config with the value at each ignored path taken from
// prior (removed where prior has none), so that the plan keeps what the
// resource has there.
func applyIgnore(config, prior cty.Value, paths []cty.Path) cty.Value {
	for _, path := range paths {
		pv, found := getPath(prior, path)
		config = setPath(config, path, pv, found)
	}
	return config
}
