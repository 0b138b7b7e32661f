package template_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
	"github.com/hashicorp/hcl/v2"
)

// RFS's forbidden huaweicloud resource types (spec §4), by name or by a
// service's prefix, are refused under RFS's limits at the block that
// declares them, and accepted once the limits are lifted. Data sources of
// the same names are not resources, and stay allowed.
func TestParse_ForbiddenResourceTypes(t *testing.T) {
	tests := []struct {
		name, src string
		forbidden bool
		line      int
	}{
		{"named", "resource \"huaweicloud_vpc\" \"v\" {}\n\nresource \"huaweicloud_compute_keypair\" \"k\" {\n  name = \"k\"\n}\n", true, 3},
		{"prefix", "resource \"huaweicloud_vod_media_asset\" \"m\" {}\n", true, 1},
		{"json", `{"resource":{"huaweicloud_obs_bucket_object":{"o":{"key":"k"}}}}`, true, 1},
		{"near name", "resource \"huaweicloud_compute_keypair_v2\" \"k\" {}\n", false, 0},
		{"allowed", "resource \"huaweicloud_obs_bucket\" \"b\" {}\n", false, 0},
		{"data source", "data \"huaweicloud_compute_keypair\" \"k\" {}\n", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := template.Parse(tt.src, template.Options{})
			if !tt.forbidden {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !formation.HasCode(err, formation.CodeInvalidTemplate) {
				t.Fatalf("err = %v, want %s", err, formation.CodeInvalidTemplate)
			}
			var diags hcl.Diagnostics
			if !errors.As(err, &diags) || len(diags) != 1 || diags[0].Subject == nil || diags[0].Subject.Start.Line != tt.line {
				t.Fatalf("want one diagnostic at line %d, got %v", tt.line, err)
			}
			if _, err := template.Parse(tt.src, template.Options{Limits: &template.Limits{}}); err != nil {
				t.Fatalf("refused with the limits lifted: %v", err)
			}
		})
	}
}

// A file set's entry names and paths are bounded as RFS bounds a zip's
// (spec §4: names ≤ 255 bytes, the deepest path ≤ 2048 bytes), under RFS's
// limits only.
func TestParseFS_NameAndPathLimits(t *testing.T) {
	main := &fstest.MapFile{Data: []byte("resource \"huaweicloud_vpc\" \"v\" {}\n")}
	other := &fstest.MapFile{Data: []byte("# another file\n")}
	deep := strings.Repeat(strings.Repeat("d", 200)+"/", 11) + "x.tf"
	tests := []struct {
		name string
		fsys fstest.MapFS
		ok   bool
	}{
		{"255-byte name", fstest.MapFS{"main.tf": main, strings.Repeat("a", 252) + ".tf": other}, true},
		{"256-byte name", fstest.MapFS{"main.tf": main, strings.Repeat("a", 253) + ".tf": other}, false},
		{"256-byte directory", fstest.MapFS{"main.tf": main, strings.Repeat("a", 256) + "/m.tf": other}, false},
		{"2048-byte path", fstest.MapFS{"main.tf": main, deep[len(deep)-2048:]: other}, true},
		{"2049-byte path", fstest.MapFS{"main.tf": main, deep[len(deep)-2049:]: other}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := template.ParseFS(tt.fsys, template.Options{})
			if tt.ok != (err == nil) || !tt.ok && !formation.HasCode(err, formation.CodeTooLong) {
				t.Fatalf("err = %v, want ok=%v or %s", err, tt.ok, formation.CodeTooLong)
			}
			if _, err := template.ParseFS(tt.fsys, template.Options{Limits: &template.Limits{}}); err != nil {
				t.Fatalf("refused with the limits lifted: %v", err)
			}
		})
	}
}
