package sim_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/zclconf/go-cty/cty"
)

// The random provider's types compute what the provider computes: from
// the seed, but of the length, classes and range asked for, and the same
// on every run of the same seed.
func TestRandom_Results(t *testing.T) {
	create := func(p *sim.Provider, typ string, config map[string]cty.Value) cty.Value {
		t.Helper()
		s, ok := p.Schema(typ)
		if !ok {
			t.Fatalf("no schema of %s", typ)
		}
		planned, err := s.PlannedValue(cty.ObjectVal(config))
		if err != nil {
			t.Fatal(err)
		}
		return mustCreate(t, p, provider.CreateRequest{TypeName: typ, Address: typ + ".x", Config: planned, Token: typ}).State
	}
	p := newSim(t, sim.Config{UseCatalog: true, Seed: 3})

	pw := create(p, "random_password", map[string]cty.Value{"length": cty.NumberIntVal(24), "special": cty.False, "min_numeric": cty.NumberIntVal(3)})
	result := str(pw, "result")
	letters, digits := 0, 0
	for _, r := range result {
		switch {
		case unicode.IsDigit(r):
			digits++
		case unicode.IsLetter(r):
			letters++
		}
	}
	if len(result) != 24 || letters+digits != 24 || digits < 3 {
		t.Errorf("random_password result %q: want 24 letters and digits, at least 3 digits", result)
	}
	if !pw.GetAttr("upper").True() || !pw.GetAttr("min_lower").RawEquals(cty.Zero) {
		t.Errorf("defaults: upper %#v, min_lower %#v", pw.GetAttr("upper"), pw.GetAttr("min_lower"))
	}
	if s, _ := p.Schema("random_password"); !s.Attributes["result"].Sensitive || !s.Attributes["bcrypt_hash"].Sensitive {
		t.Error("random_password's result and bcrypt_hash are sensitive")
	}

	n := create(p, "random_integer", map[string]cty.Value{"min": cty.NumberIntVal(10), "max": cty.NumberIntVal(12)})
	if r, _ := n.GetAttr("result").AsBigFloat().Int64(); r < 10 || r > 12 {
		t.Errorf("random_integer result %d outside [10, 12]", r)
	}
	id := create(p, "random_id", map[string]cty.Value{"byte_length": cty.NumberIntVal(4), "prefix": cty.StringVal("p-")})
	if h := str(id, "hex"); len(h) != 2+8 || !strings.HasPrefix(h, "p-") {
		t.Errorf("random_id hex %q: want p- and 8 hex digits", h)
	}
	u := create(p, "random_uuid", map[string]cty.Value{})
	if str(u, "result") != str(u, "id") || !uuidRE.MatchString(str(u, "result")) {
		t.Errorf("random_uuid %#v", u)
	}
	in := cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b"), cty.StringVal("c")})
	sh := create(p, "random_shuffle", map[string]cty.Value{"input": in, "result_count": cty.NumberIntVal(5)})
	if got := sh.GetAttr("result"); got.LengthInt() != 5 {
		t.Errorf("random_shuffle result %#v: want 5 of the input", got)
	}
	pet := create(p, "random_pet", map[string]cty.Value{})
	if !pet.GetAttr("length").RawEquals(cty.NumberIntVal(2)) || str(pet, "separator") != "-" {
		t.Errorf("random_pet defaults %#v", pet)
	}

	again := create(newSim(t, sim.Config{UseCatalog: true, Seed: 3}), "random_password", map[string]cty.Value{"length": cty.NumberIntVal(24), "special": cty.False, "min_numeric": cty.NumberIntVal(3)})
	if str(again, "result") != result {
		t.Errorf("the same seed made %q, then %q", result, str(again, "result"))
	}
}
