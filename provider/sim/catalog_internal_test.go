package sim

import "testing"

func TestCatalogDefaults_MatchTheirAttributes(t *testing.T) {
	schemas := Catalog()
	for typ, defaults := range catalogDefaults {
		s, ok := schemas[typ]
		if !ok {
			t.Errorf("defaults for %s, which the catalog lacks", typ)
			continue
		}
		for name, v := range defaults {
			a, ok := s.Attributes[name]
			switch {
			case !ok:
				t.Errorf("%s.%s: default for an undeclared attribute", typ, name)
			case !a.Computed:
				t.Errorf("%s.%s: default for an attribute that is not computed", typ, name)
			case !v.Type().Equals(a.Type):
				t.Errorf("%s.%s: default of type %s, attribute of type %s", typ, name, v.Type().FriendlyName(), a.Type.FriendlyName())
			}
		}
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"huaweicloud_vpc.vpc", "huaweicloud_vpc.vpc", true},
		{"huaweicloud_vpc.vpc", "huaweicloud_vpc.vpc2", false},
		{"huaweicloud_vpc.*", "huaweicloud_vpc.vpc[0]", true},
		{"*.web[*]", "huaweicloud_compute_instance.web[3]", true},
		{"*.web[*]", "huaweicloud_compute_instance.web", false},
		{`*["blue"]`, `huaweicloud_vpc.v["blue"]`, true},
		{"*", "", true},
		{"a*a", "a", false},
		{"a*a", "aa", true},
		{"*vpc*subnet*", "huaweicloud_vpc_subnet.s", true},
		{"[0]", "0", false}, // brackets are literal, unlike path.Match
	}
	for _, tt := range tests {
		if got := glob(tt.pattern, tt.s); got != tt.want {
			t.Errorf("glob(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}
