package sim_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/provider/tfschema"
	"github.com/zclconf/go-cty/cty"
)

// huaweicloudSchema opens the real huaweicloud schema with its companions,
// when ../shared is there.
func huaweicloudSchema(t testing.TB) *tfschema.Document {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "catalog", "huaweicloud.schema.json.gz")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("the huaweicloud schema is not here (%s): ../shared is absent", path)
	}
	for _, kind := range []string{"forcenew", "nonupdatable", "meta"} {
		if _, ok := tfschema.Companion(path, kind); !ok {
			t.Fatalf("the %s companion of %s is missing", kind, path)
		}
	}
	doc, err := tfschema.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// The catalog's huaweicloud types are the provider's own: every argument the
// real schema accepts, with its type, its required/optional/computed and
// sensitive flags, whether it forces a replacement, its literal default,
// its nested blocks and their bounds; nothing the real schema lacks.
func TestCatalog_AgreesWithTheRealSchema(t *testing.T) {
	doc := huaweicloudSchema(t)
	var checked int
	for typ, got := range sim.Catalog() {
		if !strings.HasPrefix(typ, "huaweicloud_") {
			continue // random_*: another provider, whose schema is not in ../shared
		}
		checked++
		t.Run(typ, func(t *testing.T) {
			want, ok, err := doc.Resource(typ)
			if err != nil || !ok {
				t.Fatalf("the real schema has no %s (%v)", typ, err)
			}
			for _, diff := range schemaDiff("", got.Attributes, want.Attributes) {
				t.Error(diff)
			}
			if got.IDKey() != want.IDKey() || !slices.Equal(got.NonUpdatable, want.NonUpdatable) {
				t.Errorf("id %q, non-updatable %q; the provider's: %q, %q", got.IDKey(), got.NonUpdatable, want.IDKey(), want.NonUpdatable)
			}
			if !slices.EqualFunc(got.Constraints, want.Constraints, func(a, b provider.Constraint) bool {
				return a.Kind == b.Kind && a.Attribute == b.Attribute && slices.Equal(a.With, b.With)
			}) {
				t.Errorf("constraints\n%v\nthe provider's\n%v", got.Constraints, want.Constraints)
			}
		})
	}
	if checked == 0 {
		t.Fatal("the catalog has no huaweicloud type")
	}
}

// The availability-zones fixture has the real data source's attributes,
// with their types.
func TestCatalogFixtures_AgreeWithTheRealSchema(t *testing.T) {
	doc := huaweicloudSchema(t)
	for _, f := range sim.CatalogFixtures() {
		s, ok, err := doc.DataSource(f.Type)
		if err != nil || !ok {
			t.Fatalf("the real schema has no data source %s (%v)", f.Type, err)
		}
		for name, v := range f.Attributes {
			a, ok := s.Attributes[name]
			if !ok || !v.Type().Equals(a.Type) {
				t.Errorf("%s.%s: %s; the provider's: %s (declared %v)", f.Type, name, v.Type().FriendlyName(), a.Type.FriendlyName(), ok)
			}
		}
	}
}

// schemaDiff lists every way the attributes got differ from want, at path.
func schemaDiff(path string, got, want map[string]provider.Attribute) []string {
	var diffs []string
	for _, name := range slices.Sorted(maps.Keys(want)) {
		if _, ok := got[name]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s%s: the provider accepts it, the catalog lacks it", path, name))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(got)) {
		g, at := got[name], path+name
		w, ok := want[name]
		switch {
		case !ok:
			diffs = append(diffs, at+": the catalog has it, the provider does not")
			continue
		case (g.Block == nil) != (w.Block == nil):
			diffs = append(diffs, fmt.Sprintf("%s: block %v; the provider's: %v", at, g.Block != nil, w.Block != nil))
			continue
		}
		if g.Block != nil {
			if g.Block.Nesting != w.Block.Nesting || g.Block.MinItems != w.Block.MinItems || g.Block.MaxItems != w.Block.MaxItems {
				diffs = append(diffs, fmt.Sprintf("%s: block %s %d..%d; the provider's: %s %d..%d", at,
					g.Block.Nesting, g.Block.MinItems, g.Block.MaxItems, w.Block.Nesting, w.Block.MinItems, w.Block.MaxItems))
			}
			diffs = append(diffs, schemaDiff(at+".", g.Block.Attributes, w.Block.Attributes)...)
		}
		if !g.Type.Equals(w.Type) {
			diffs = append(diffs, fmt.Sprintf("%s: type %s; the provider's: %s", at, g.Type.GoString(), w.Type.GoString()))
		}
		if flags(g) != flags(w) {
			diffs = append(diffs, fmt.Sprintf("%s: %s; the provider's: %s", at, flags(g), flags(w)))
		}
		if (g.Default == cty.NilVal) != (w.Default == cty.NilVal) || (g.Default != cty.NilVal && !g.Default.RawEquals(w.Default)) {
			diffs = append(diffs, fmt.Sprintf("%s: default %#v; the provider's: %#v", at, g.Default, w.Default))
		}
	}
	return diffs
}

// flags names an attribute's shape: required, optional, computed,
// force-new, sensitive.
func flags(a provider.Attribute) string {
	var out []string
	for _, f := range []struct {
		on   bool
		name string
	}{{a.Required, "required"}, {a.Optional, "optional"}, {a.Computed, "computed"}, {a.ForceNew, "force-new"}, {a.Sensitive, "sensitive"}} {
		if f.on {
			out = append(out, f.name)
		}
	}
	return strings.Join(out, ", ")
}

// A data source's arguments are held to the provider's rules too, as the
// SDK validates a data source's configuration.
func TestDataSource_Constraints(t *testing.T) {
	doc := huaweicloudSchema(t)
	p := newSim(t, sim.Config{ProviderSchemas: []*tfschema.Document{doc}})
	read := func(args map[string]cty.Value) error {
		_, err := p.ReadDataSource(context.Background(), provider.ReadDataSourceRequest{
			TypeName: "huaweicloud_cfw_domain_name_parse_ip_list", Address: "data.huaweicloud_cfw_domain_name_parse_ip_list.d",
			Config: cty.ObjectVal(args)})
		return err
	}
	if err := read(map[string]cty.Value{"domain_name": cty.StringVal("example.com")}); err != nil {
		t.Fatalf("a valid read: %v", err)
	}
	err := read(map[string]cty.Value{"domain_name": cty.StringVal("example.com"), "domain_address_id": cty.StringVal("a")})
	if !errors.Is(err, provider.ErrInvalidConfig) || !strings.Contains(err.Error(), "only one of `domain_address_id,domain_name` can be specified") {
		t.Fatalf("both: %v", err)
	}
}
