package sim

import (
	"encoding/base64"
	"slices"
	"strings"

	"github.com/zclconf/go-cty/cty"
)

// DefaultRegion is the region the simulated provider reports for computed
// region and availability-zone attributes, unless a provider block sets
// "region".
const DefaultRegion = "cn-north-4"

// build is the state of a resource of type typ with the given id, made from
// a planned object v: the id attribute set, marks stripped, and every unknown,
// at any depth, replaced by what the random provider computes (random.go),
// the type's default for the attribute (catalog types) or a value
// generated for its place, so that a create or update
// returns a complete object. Generated values derive from the seed, the type,
// the id and the attribute path, so they are stable: an update recomputes the
// same values.
func (p *Provider) build(v cty.Value, typ, idKey, id string) cty.Value {
	attrs := v.AsValueMap()
	if attrs == nil {
		attrs = make(map[string]cty.Value, 1)
	}
	attrs[idKey] = cty.StringVal(id)
	if strings.HasPrefix(typ, "random_") {
		for name, rv := range randomResults(typ, id, attrs, p.w.seed.randomSource(typ, id)) {
			if av, ok := attrs[name]; ok && !av.IsKnown() && av.Type().Equals(rv.Type()) {
				attrs[name] = rv
			}
		}
	}
	defaults := p.w.defaults[typ]
	for name, av := range attrs {
		if av.IsWhollyKnown() && !av.ContainsMarked() {
			continue
		}
		av = unmark(av)
		if dv, ok := defaults[name]; ok && !av.IsKnown() && av.Type().Equals(dv.Type()) {
			av = dv
		}
		if !av.IsWhollyKnown() {
			av, _ = cty.Transform(av, func(path cty.Path, v cty.Value) (cty.Value, error) {
				if v.IsKnown() {
					return v, nil
				}
				full := append(cty.GetAttrPath(name), path...)
				return p.generate(full, v.Type(), typ, id, 0), nil
			})
		}
		attrs[name] = av
	}
	return cty.ObjectVal(attrs)
}

// generate makes a plausible value of type ty for the attribute at path:
// "ACTIVE" for a status, the region for a region, zones of the region for
// availability zones, a UUID for an "…_id", a public IPv4 address for an
// "address" or "…public…", a private one for an "…_ip…" or "…address",
// "<name>-<hex>" for other strings, zero and false, lists and sets of n
// generated elements, and empty maps.
func (p *Provider) generate(path cty.Path, ty cty.Type, typ, id string, n int) cty.Value {
	name, where := pathName(path)
	switch {
	case ty == cty.String:
		return cty.StringVal(p.generateString(name, typ, id, where, lastIndex(path)))
	case ty == cty.Number:
		return cty.Zero
	case ty == cty.Bool:
		return cty.False
	case ty.IsListType() || ty.IsSetType():
		if n == 0 && ty.ElementType().IsObjectType() {
			n = 1 // a computed block: the provider reports the one it made
		}
		if n == 0 {
			if ty.IsListType() {
				return cty.ListValEmpty(ty.ElementType())
			}
			return cty.SetValEmpty(ty.ElementType())
		}
		elems := make([]cty.Value, n)
		for i := range elems {
			elems[i] = p.generate(append(slices.Clone(path), cty.IndexStep{Key: cty.NumberIntVal(int64(i))}), ty.ElementType(), typ, id, n)
		}
		if ty.IsListType() {
			return cty.ListVal(elems)
		}
		return cty.SetVal(elems)
	case ty.IsMapType():
		return cty.MapValEmpty(ty.ElementType())
	case ty.IsObjectType():
		attrs := make(map[string]cty.Value, len(ty.AttributeTypes()))
		for name, at := range ty.AttributeTypes() {
			attrs[name] = p.generate(append(slices.Clone(path), cty.GetAttrStep{Name: name}), at, typ, id, n)
		}
		return cty.ObjectVal(attrs)
	case ty.IsTupleType():
		elems := make([]cty.Value, len(ty.TupleElementTypes()))
		for i, et := range ty.TupleElementTypes() {
			elems[i] = p.generate(append(slices.Clone(path), cty.IndexStep{Key: cty.NumberIntVal(int64(i))}), et, typ, id, n)
		}
		return cty.TupleVal(elems)
	default:
		return cty.NullVal(cty.DynamicPseudoType)
	}
}

// generateString makes a string value for attribute name; where is the
// attribute's full path, rendered, for seeding, and index the position of
// the value in its list (0 outside lists).
func (p *Provider) generateString(name, typ, id, where string, index int) string {
	words := strings.Split(name, "_")
	switch {
	case name == "status":
		return "ACTIVE"
	case name == "region":
		return p.region
	case strings.HasPrefix(name, "availability_zone") || (strings.HasSuffix(typ, "_availability_zones") && name == "names"):
		return p.region + string(rune('a'+index%26))
	case name == "enterprise_project_id":
		return "0"
	case name == "id" || strings.HasSuffix(name, "_id"):
		return p.w.seed.uuid("attr", typ, id, where)
	case slices.Contains(words, "public") || name == "address":
		return "100.95." + p.w.seed.octet("ip3", typ, id, where) + "." + p.w.seed.octet("ip4", typ, id, where)
	case slices.Contains(words, "ip") || words[len(words)-1] == "address":
		return "192.168." + p.w.seed.octet("ip3", typ, id, where) + "." + p.w.seed.octet("ip4", typ, id, where)
	case strings.Contains(name, "certificate") || words[len(words)-1] == "data" || slices.Contains(words, "base64"):
		// Certificates and "…_data" blobs are base64 text, which templates
		// decode.
		return base64.StdEncoding.EncodeToString([]byte(name + "-" + p.w.seed.hex(8, "attr", typ, id, where)))
	default:
		return name + "-" + p.w.seed.hex(8, "attr", typ, id, where)
	}
}

// lastIndex is the number of the last list index on path, 0 if none.
func lastIndex(path cty.Path) int {
	for i := len(path) - 1; i >= 0; i-- {
		if s, ok := path[i].(cty.IndexStep); ok && s.Key.Type() == cty.Number {
			n, _ := s.Key.AsBigFloat().Int64()
			return int(n)
		}
	}
	return 0
}

// pathName returns the name of the innermost attribute on path and the whole
// path rendered as text.
func pathName(path cty.Path) (name, where string) {
	var b strings.Builder
	for _, step := range path {
		switch s := step.(type) {
		case cty.GetAttrStep:
			name = s.Name
			b.WriteString("." + s.Name)
		case cty.IndexStep:
			b.WriteString("[" + s.Key.GoString() + "]")
		}
	}
	return name, b.String()
}
