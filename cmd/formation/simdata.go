package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// readSimData reads -sim-data's file into data-source fixtures: pinned
// answers a read gets before anything is generated. In HCL, one block per
// answer, named by the data source type, its attributes the answer:
//
//	huaweicloud_images_image {
//	  name = "Ubuntu 22.04 server 64bit"
//	  id   = "b5c2…"
//	}
//
// In JSON (a file ending in .json), an object from type to an answer
// object or an array of them. A read matches an answer when every argument
// it gives that the answer has is equal; the first match, in file order
// (in JSON, by type name, then array order), wins. An empty path reads
// nothing.
func readSimData(path string) ([]sim.Fixture, error) {
	if path == "" {
		return nil, nil
	}
	src, err := readFile(path, maxFileBytes)
	if err != nil {
		return nil, fileError("-sim-data file", path, err)
	}
	if strings.HasSuffix(path, ".json") {
		return simDataJSON(path, src)
	}
	return simDataHCL(path, src)
}

func simDataHCL(path string, src []byte) ([]sim.Fixture, error) {
	file, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	if !diags.HasErrors() {
		body := file.Body.(*hclsyntax.Body)
		for name, a := range body.Attributes {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unexpected argument",
				Detail: fmt.Sprintf("%q: a -sim-data file holds blocks named by data source type, not arguments.", name), Subject: a.NameRange.Ptr()})
		}
		var out []sim.Fixture
		for _, b := range body.Blocks {
			if len(b.Labels) > 0 || len(b.Body.Blocks) > 0 {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid answer block",
					Detail: "An answer is a block named by its data source type, with no labels and only attributes.", Subject: b.DefRange().Ptr()})
				continue
			}
			f := sim.Fixture{Type: b.Type, Attributes: map[string]cty.Value{}}
			for name, a := range b.Body.Attributes {
				v, d := a.Expr.Value(nil)
				diags = append(diags, d...)
				f.Attributes[name] = v
			}
			out = append(out, f)
		}
		if !diags.HasErrors() {
			return out, nil
		}
	}
	return nil, &formation.Error{Code: formation.CodeInvalidParameter, Resource: path, Message: "invalid -sim-data file", Err: diags}
}

func simDataJSON(path string, src []byte) ([]sim.Fixture, error) {
	bad := func(err error) error {
		return &formation.Error{Code: formation.CodeInvalidParameter, Resource: path, Message: "invalid -sim-data file", Err: err}
	}
	var byType map[string]json.RawMessage
	if err := json.Unmarshal(src, &byType); err != nil {
		return nil, bad(err)
	}
	var out []sim.Fixture
	for _, typ := range slices.Sorted(maps.Keys(byType)) {
		raw := byType[typ]
		var answers []json.RawMessage
		if err := json.Unmarshal(raw, &answers); err != nil {
			answers = []json.RawMessage{raw}
		}
		for i, a := range answers {
			ty, err := ctyjson.ImpliedType(a)
			if err == nil && !ty.IsObjectType() {
				err = fmt.Errorf("an answer is an object, not %s", ty.FriendlyName())
			}
			var v cty.Value
			if err == nil {
				v, err = ctyjson.Unmarshal(a, ty)
			}
			if err != nil {
				return nil, bad(fmt.Errorf("%s[%d]: %w", typ, i, err))
			}
			out = append(out, sim.Fixture{Type: typ, Attributes: v.AsValueMap()})
		}
	}
	return out, nil
}
