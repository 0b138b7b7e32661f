package rfsapi_test

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/rfsapi"
)

func TestParseSourceVPC(t *testing.T) {
	id, nets, err := rfsapi.ParseSourceVPC("vpc-a1=10.0.0.0/16,192.168.1.7,10.1.2.3/16")
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/16"), netip.MustParsePrefix("192.168.1.7/32"), netip.MustParsePrefix("10.1.0.0/16")}
	if err != nil || id != "vpc-a1" || !slices.Equal(nets, want) {
		t.Fatalf("= %q, %v, %v; want vpc-a1, %v", id, nets, err, want)
	}
	for _, bad := range []string{"", "vpc-a1", "vpc-a1=", "=10.0.0.0/8", "VPC=10.0.0.0/8", "vpc=10.0.0.0/33", "vpc=10.0.0.0/8,nope"} {
		if _, _, err := rfsapi.ParseSourceVPC(bad); !formation.HasCode(err, formation.CodeInvalidParameter) {
			t.Errorf("%q: %v, want CodeInvalidParameter", bad, err)
		}
	}
}
