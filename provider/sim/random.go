package sim

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"math/big"
	"math/rand/v2"
	"strings"

	"github.com/formation-engine/formation/provider"
	"github.com/zclconf/go-cty/cty"
)

// The hashicorp/random provider's resource types, which templates use
// beside huaweicloud's (a generated admin password, a name suffix). Its
// schema is not in ../shared; these are its resources as version 3.6
// declares them (internal/provider/resource_*.go of
// terraform-provider-random): every argument, which are required,
// optional+computed with their defaults, or force a replacement, and the
// results. The simulator computes the results as the provider does, from
// the seed instead of a random source: a password of the length and
// character classes asked for, an integer within min and max, a
// permutation of the input, and so on. Ids stay the simulator's own
// (UUIDs): random_pet's name and random_integer's id are not modelled;
// random_uuid's result is its id.

// randomCatalog returns the random provider's resource schemas.
func randomCatalog() map[string]map[string]provider.Attribute {
	common := func(attrs map[string]provider.Attribute) map[string]provider.Attribute {
		attrs["id"] = a(cty.String, "C")
		attrs["keepers"] = a(cty.Map(cty.String), "OF")
		return attrs
	}
	return map[string]map[string]provider.Attribute{
		"random_password": common(randomStringAttrs(true)),
		"random_string":   common(randomStringAttrs(false)),
		"random_id": common(map[string]provider.Attribute{
			"byte_length": a(cty.Number, "RF"),
			"prefix":      a(cty.String, "OF"),
			"b64_url":     a(cty.String, "C"),
			"b64_std":     a(cty.String, "C"),
			"hex":         a(cty.String, "C"),
			"dec":         a(cty.String, "C"),
		}),
		"random_integer": common(map[string]provider.Attribute{
			"min":    a(cty.Number, "RF"),
			"max":    a(cty.Number, "RF"),
			"seed":   a(cty.String, "OF"),
			"result": a(cty.Number, "C"),
		}),
		"random_uuid": common(map[string]provider.Attribute{
			"result": a(cty.String, "C"),
		}),
		"random_pet": common(map[string]provider.Attribute{
			"length":    withDefault(a(cty.Number, "OCF"), cty.NumberIntVal(2)),
			"prefix":    a(cty.String, "OF"),
			"separator": withDefault(a(cty.String, "OCF"), cty.StringVal("-")),
		}),
		"random_shuffle": common(map[string]provider.Attribute{
			"input":        a(cty.List(cty.String), "RF"),
			"seed":         a(cty.String, "OF"),
			"result_count": a(cty.Number, "OF"),
			"result":       a(cty.List(cty.String), "C"),
		}),
	}
}

// randomStringAttrs are the attributes of random_password (sensitive) and
// random_string: the character classes default to true, their minimums
// to 0.
func randomStringAttrs(sensitive bool) map[string]provider.Attribute {
	result := a(cty.String, "C")
	result.Sensitive = sensitive
	class := withDefault(a(cty.Bool, "OCF"), cty.True)
	least := withDefault(a(cty.Number, "OCF"), cty.Zero)
	attrs := map[string]provider.Attribute{
		"length":           a(cty.Number, "RF"),
		"special":          class,
		"upper":            class,
		"lower":            class,
		"numeric":          class,
		"number":           class, // deprecated for numeric, which it follows
		"min_lower":        least,
		"min_upper":        least,
		"min_numeric":      least,
		"min_special":      least,
		"override_special": a(cty.String, "OF"),
		"result":           result,
	}
	if sensitive {
		attrs["bcrypt_hash"] = a(cty.String, "CS")
	}
	return attrs
}

// randomResults computes the results of a random provider resource
// planned as v (known arguments), as the provider's Create does; nil for
// other types. rng derives from the seed and the resource.
func randomResults(typ, id string, v map[string]cty.Value, rng *rand.Rand) map[string]cty.Value {
	num := func(name string) int {
		av := unmark(v[name])
		if av == cty.NilVal || !av.IsKnown() || av.IsNull() || !av.Type().Equals(cty.Number) {
			return 0
		}
		n, _ := av.AsBigFloat().Int64()
		return int(n)
	}
	str := func(name string) string {
		av := unmark(v[name])
		if av == cty.NilVal || !av.IsKnown() || av.IsNull() || !av.Type().Equals(cty.String) {
			return ""
		}
		return av.AsString()
	}
	switch typ {
	case "random_password", "random_string":
		return map[string]cty.Value{"result": cty.StringVal(randomString(v, num, str, rng)), "bcrypt_hash": cty.StringVal("$2a$10$" + randomChars(53, lowerChars+upperChars+numericChars, rng))}
	case "random_id":
		b := make([]byte, max(num("byte_length"), 1))
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		prefix := str("prefix")
		return map[string]cty.Value{
			"b64_url": cty.StringVal(prefix + base64.RawURLEncoding.EncodeToString(b)),
			"b64_std": cty.StringVal(prefix + base64.StdEncoding.EncodeToString(b)),
			"hex":     cty.StringVal(prefix + hex.EncodeToString(b)),
			"dec":     cty.StringVal(prefix + new(big.Int).SetBytes(b).String()),
		}
	case "random_integer":
		lo, hi := num("min"), num("max")
		n := lo
		if hi > lo {
			n += rng.IntN(hi - lo + 1)
		}
		return map[string]cty.Value{"result": cty.NumberIntVal(int64(n))}
	case "random_uuid":
		return map[string]cty.Value{"result": cty.StringVal(id)}
	case "random_shuffle":
		in := unmark(v["input"]).AsValueSlice()
		n := len(in)
		if rc := unmark(v["result_count"]); rc != cty.NilVal && !rc.IsNull() {
			n = num("result_count")
		}
		out := make([]cty.Value, 0, n)
		for len(in) > 0 && len(out) < n {
			for _, i := range rng.Perm(len(in)) {
				if len(out) == n {
					break
				}
				out = append(out, in[i])
			}
		}
		if len(out) == 0 {
			return map[string]cty.Value{"result": cty.ListValEmpty(cty.String)}
		}
		return map[string]cty.Value{"result": cty.ListVal(out)}
	}
	return nil
}

// The character classes of random_string and random_password.
const (
	lowerChars   = "abcdefghijklmnopqrstuvwxyz"
	upperChars   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	numericChars = "0123456789"
	specialChars = "!@#$%&*()-_=+[]{}<>:?"
)

// randomString is random_string's result: the minimum of each class
// first, the rest from every enabled class, shuffled.
func randomString(v map[string]cty.Value, num func(string) int, str func(string) string, rng *rand.Rand) string {
	special := specialChars
	if o := str("override_special"); o != "" {
		special = o
	}
	classes := []struct{ on, chars, least string }{
		{"upper", upperChars, "min_upper"},
		{"lower", lowerChars, "min_lower"},
		{"numeric", numericChars, "min_numeric"},
		{"special", special, "min_special"},
	}
	var all strings.Builder
	var out []byte
	for _, c := range classes {
		if on := unmark(v[c.on]); on == cty.NilVal || !on.IsKnown() || on.IsNull() || on.True() {
			all.WriteString(c.chars)
		}
		out = append(out, randomChars(num(c.least), c.chars, rng)...)
	}
	if rest := num("length") - len(out); rest > 0 && all.Len() > 0 {
		out = append(out, randomChars(rest, all.String(), rng)...)
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return string(out)
}

// randomChars is n characters drawn from chars.
func randomChars(n int, chars string, rng *rand.Rand) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[rng.IntN(len(chars))]
	}
	return string(b)
}

// randomSource is the generator of one random provider resource: from the
// seed, the type and the id, so an update recomputes the same values.
func (s seeder) randomSource(typ, id string) *rand.Rand {
	sum := s.sum("random", typ, id)
	return rand.New(rand.NewPCG(binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:16])))
}
