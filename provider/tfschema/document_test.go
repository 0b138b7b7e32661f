package tfschema_test

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/tfschema"
	"github.com/zclconf/go-cty/cty"
)

// small is a schema document as terraform providers schema -json prints
// it, cut down to one resource and one data source.
const small = `{"format_version":"1.0","provider_schemas":{"registry.terraform.io/acme/acme":{
  "provider":{"version":0,"block":{"attributes":{"region":{"type":"string","optional":true}}}},
  "resource_schemas":{"acme_vpc":{"version":0,"block":{
    "attributes":{
      "id":{"type":"string","optional":true,"computed":true},
      "name":{"type":"string","required":true},
      "cidr":{"type":"string","required":true},
      "secret":{"type":"string","optional":true,"sensitive":true},
      "tags":{"type":["map","string"],"optional":true},
      "status":{"type":"string","computed":true},
      "enable_force_new":{"type":"string","optional":true}},
    "block_types":{"route":{"nesting_mode":"set","block":{"attributes":{
      "destination":{"type":"string","required":true},
      "nexthop":{"type":"string","optional":true}}},"min_items":0,"max_items":5}}}}},
  "data_source_schemas":{"acme_zones":{"version":0,"block":{"attributes":{
    "id":{"type":"string","optional":true,"computed":true},
    "names":{"type":["list","string"],"computed":true}}}}}}}}`

func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestParse_PlainAndGzip(t *testing.T) {
	opts := tfschema.Options{ForceNew: gz(t, []byte(`{"acme_vpc":["cidr","route.destination"]}`)), NonUpdatable: []byte(`{"acme_vpc":["name"]}`),
		Meta: []byte(`{"resources":{"acme_vpc":{"attrs":{"tags":{"default":{"env":"dev"}},"route.nexthop":{"default":"local","required_with":["route.0.destination"]},` +
			`"name":{"default":"x"},"secret":{"conflicts_with":["tags"],"at_least_one_of":["status"],"exactly_one_of":["cidr"]}}}},` +
			`"data_sources":{"acme_zones":{"attrs":{"id":{"conflicts_with":["names"]}}}}}`)}
	for name, data := range map[string][]byte{"plain": []byte(small), "gzip": gz(t, []byte(small))} {
		t.Run(name, func(t *testing.T) {
			d, err := tfschema.Parse(data, opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(d.Providers(), ","); got != "registry.terraform.io/acme/acme" {
				t.Fatalf("Providers = %s", got)
			}
			s, ok, err := d.Resource("acme_vpc")
			if err != nil || !ok {
				t.Fatalf("Resource: %v %v", ok, err)
			}
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			a := s.Attributes
			switch {
			case !a["name"].Required || a["name"].ForceNew:
				t.Errorf("name = %+v", a["name"])
			case !a["cidr"].ForceNew:
				t.Errorf("cidr is not force-new: %+v", a["cidr"])
			case !a["secret"].Sensitive || !a["status"].ComputedOnly():
				t.Errorf("flags lost: secret %+v, status %+v", a["secret"], a["status"])
			case !a["tags"].Type.Equals(cty.Map(cty.String)):
				t.Errorf("tags type %#v", a["tags"].Type)
			case strings.Join(s.NonUpdatable, ",") != "name":
				t.Errorf("NonUpdatable = %v", s.NonUpdatable)
			}
			if !a["tags"].Default.RawEquals(cty.MapVal(map[string]cty.Value{"env": cty.StringVal("dev")})) || a["name"].Default != cty.NilVal {
				t.Errorf("defaults: tags %#v, name (required) %#v", a["tags"].Default, a["name"].Default)
			}
			if got := fmt.Sprint(s.Constraints); got != "[{required_with route.nexthop [route.0.destination]} {conflicts_with secret [tags]} {exactly_one_of secret [cidr]} {at_least_one_of secret [status]}]" {
				t.Errorf("constraints %s", got)
			}
			route := a["route"].Block
			if route != nil && !route.Attributes["nexthop"].Default.RawEquals(cty.StringVal("local")) {
				t.Errorf("a default inside a block: %#v", route.Attributes["nexthop"].Default)
			}
			if route == nil || route.Nesting != provider.NestingSet || route.MaxItems != 5 || !route.Attributes["destination"].ForceNew || route.Attributes["nexthop"].ForceNew {
				t.Fatalf("route = %+v", a["route"])
			}
			ds, ok, err := d.DataSource("acme_zones")
			if err != nil || !ok || !ds.Attributes["names"].ComputedOnly() {
				t.Fatalf("DataSource: %+v %v %v", ds, ok, err)
			}
			if got := fmt.Sprint(ds.Constraints); got != "[{conflicts_with id [names]}]" {
				t.Errorf("data source constraints %s", got)
			}
			if _, ok, err := d.Resource("acme_nothing"); ok || err != nil {
				t.Fatalf("an unknown type: %v %v", ok, err)
			}
		})
	}
}

func TestParse_BadInput(t *testing.T) {
	truncated := gz(t, []byte(small))
	truncated = truncated[:len(truncated)/2]
	tests := []struct {
		name string
		data []byte
		opts tfschema.Options
		want string
	}{
		{"not JSON", []byte("provider_schemas"), tfschema.Options{}, "malformed"},
		{"another document", []byte(`{"resources":[]}`), tfschema.Options{}, "format_version is missing"},
		{"format 2", []byte(`{"format_version":"2.0","provider_schemas":{}}`), tfschema.Options{}, `format_version "2.0" is not supported`},
		{"no provider_schemas", []byte(`{"format_version":"1.0"}`), tfschema.Options{}, "provider_schemas is missing"},
		{"cut short", []byte(small[:len(small)-40]), tfschema.Options{}, "ends early"},
		{"truncated gzip", truncated, tfschema.Options{}, "truncated"},
		{"trailing text", []byte(small + "{}"), tfschema.Options{}, "goes on after"},
		{"bad companion", []byte(small), tfschema.Options{ForceNew: []byte(`["cidr"]`)}, "force-new companion"},
		{"bad meta", []byte(small), tfschema.Options{Meta: []byte(`{"data_sources":{}}`)}, "meta companion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := tfschema.Parse(tt.data, tt.opts)
			if d != nil || !errors.Is(err, tfschema.ErrFormat) || !formation.HasCode(err, formation.CodeInvalidParameter) {
				t.Fatalf("Parse = %v, %v; want a CodeInvalidParameter error wrapping ErrFormat", d, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

// A type whose JSON is not a schema is refused when it is used, with the
// type named; the document's other types still work.
func TestDocument_BadTypeIsReportedWhenUsed(t *testing.T) {
	doc := strings.Replace(small, `"type":["map","string"]`, `"type":["mapp","string"]`, 1)
	d, err := tfschema.Parse([]byte(doc), tfschema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.Resource("acme_vpc"); !errors.Is(err, tfschema.ErrFormat) || !strings.Contains(err.Error(), "acme_vpc") {
		t.Fatalf("Resource = %v", err)
	}
	if _, ok, err := d.DataSource("acme_zones"); !ok || err != nil {
		t.Fatalf("DataSource = %v %v", ok, err)
	}
}

func TestOpen_FindsCompanions(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "acme.schema.json.gz")
	for name, data := range map[string][]byte{
		path:                                     gz(t, []byte(small)),
		filepath.Join(dir, "acme.forcenew.json"): []byte(`{"acme_vpc":["cidr"]}`),
	} {
		if err := os.WriteFile(name, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	d, err := tfschema.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s, _, _ := d.Resource("acme_vpc")
	if !s.Attributes["cidr"].ForceNew || len(s.NonUpdatable) != 0 {
		t.Fatalf("companions: cidr %+v, non-updatable %v", s.Attributes["cidr"], s.NonUpdatable)
	}
	if _, err := tfschema.Open(filepath.Join(dir, "missing.schema.json")); !formation.HasCode(err, formation.CodeInvalidParameter) {
		t.Fatalf("a missing file: %v", err)
	}
}

// catalog is the real huaweicloud schema, when ../shared is there.
func catalog(t testing.TB) string {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "catalog", "huaweicloud.schema.json.gz")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("the huaweicloud schema is not here (%s): ../shared is absent", path)
	}
	return path
}

func TestOpen_Huaweicloud(t *testing.T) {
	d, err := tfschema.Open(catalog(t))
	if err != nil {
		t.Fatal(err)
	}
	if n, m := len(d.ResourceTypes()), len(d.DataSourceTypes()); n != 1956 || m != 2524 {
		t.Fatalf("%d resource and %d data source types, want 1956 and 2524", n, m)
	}
	vpc, ok, err := d.Resource("huaweicloud_vpc")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if !vpc.Attributes["cidr"].Required || !vpc.Attributes["status"].ComputedOnly() || vpc.Attributes["timeouts"].Block == nil {
		t.Fatalf("huaweicloud_vpc: cidr %+v, status %+v, timeouts %+v", vpc.Attributes["cidr"], vpc.Attributes["status"], vpc.Attributes["timeouts"])
	}
	sub, _, _ := d.Resource("huaweicloud_vpc_subnet")
	if !sub.Attributes["vpc_id"].ForceNew {
		t.Fatalf("the force-new companion was not read: vpc_id %+v", sub.Attributes["vpc_id"])
	}
}

func BenchmarkOpen_Huaweicloud(b *testing.B) {
	path := catalog(b)
	for b.Loop() {
		d, err := tfschema.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := d.Resource("huaweicloud_compute_instance"); err != nil {
			b.Fatal(err)
		}
	}
}
