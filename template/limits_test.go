package template_test

import (
	"errors"
	"testing"

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
