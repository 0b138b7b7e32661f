package template

import (
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	ctyyaml "github.com/zclconf/go-cty-yaml"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// forbiddenFunctions are the file-system functions RFS refuses (spec §4),
// with what each would have done. A call to one is a diagnostic at Parse:
// none of them is implemented, so the engine can never read the host's
// file system on a template's behalf.
var forbiddenFunctions = map[string]string{
	"abspath":          "turns a path into an absolute path on the host",
	"basename":         "reads a file-system path",
	"dirname":          "reads a file-system path",
	"file":             "reads a file",
	"filebase64":       "reads a file",
	"filebase64sha256": "reads a file",
	"filebase64sha512": "reads a file",
	"fileexists":       "probes the file system",
	"fileset":          "lists files",
	"filemd5":          "reads a file",
	"filesha1":         "reads a file",
	"filesha256":       "reads a file",
	"filesha512":       "reads a file",
	"pathexpand":       "expands a home directory on the host",
	"templatefile":     "reads a template file",
}

// functions returns the function table of a template: the
// Terraform-compatible set go-cty's stdlib provides, try and can, the
// network functions on net/netip, encoding, hashing and time functions.
// now backs timestamp(); nil means time.Now.
func functions(now func() time.Time) map[string]function.Function {
	if now == nil {
		now = time.Now
	}
	funcs := coreFunctions(now)
	funcs["templatestring"] = templateStringFunc(&funcs)
	// Terraform 1.8+ also names every built-in function core::NAME, and
	// its built-in provider's functions provider::terraform::NAME.
	for name, fn := range funcs {
		funcs["core::"+name] = fn
	}
	return funcs
}

// builtinProviderSource is the source address of Terraform's built-in
// provider, the one whose functions Formation has.
const builtinProviderSource = "terraform.io/builtin/terraform"

// providerFunctions adds the functions of Terraform's built-in provider
// under each local name a module gives it in required_providers
// (provider::terraform::encode_tfvars), as Terraform offers a provider's
// functions only to modules that require it.
func (t *Template) providerFunctions() {
	for _, m := range t.mods {
		for name, rp := range m.requiredProviders {
			if !strings.EqualFold(rp.Source, builtinProviderSource) {
				continue
			}
			t.funcs["provider::"+name+"::encode_tfvars"] = encodeTfvarsFunc
			t.funcs["provider::"+name+"::decode_tfvars"] = decodeTfvarsFunc
			t.funcs["provider::"+name+"::encode_expr"] = encodeExprFunc
		}
	}
}

// coreFunctions is the built-in functions but templatestring, which
// needs the finished table.
func coreFunctions(now func() time.Time) map[string]function.Function {
	return map[string]function.Function{
		// numeric
		"abs":      stdlib.AbsoluteFunc,
		"ceil":     stdlib.CeilFunc,
		"floor":    stdlib.FloorFunc,
		"log":      stdlib.LogFunc,
		"max":      stdlib.MaxFunc,
		"min":      stdlib.MinFunc,
		"parseint": stdlib.ParseIntFunc,
		"pow":      stdlib.PowFunc,
		"signum":   stdlib.SignumFunc,
		"sum":      sumFunc,

		// strings
		"chomp":       stdlib.ChompFunc,
		"endswith":    endsWithFunc,
		"format":      stdlib.FormatFunc,
		"formatlist":  stdlib.FormatListFunc,
		"indent":      stdlib.IndentFunc,
		"join":        stdlib.JoinFunc,
		"lower":       stdlib.LowerFunc,
		"regex":       stdlib.RegexFunc,
		"regexall":    stdlib.RegexAllFunc,
		"replace":     replaceFunc,
		"split":       stdlib.SplitFunc,
		"startswith":  startsWithFunc,
		"strcontains": strContainsFunc,
		"strrev":      stdlib.ReverseFunc,
		"substr":      stdlib.SubstrFunc,
		"title":       stdlib.TitleFunc,
		"trim":        stdlib.TrimFunc,
		"trimprefix":  stdlib.TrimPrefixFunc,
		"trimspace":   stdlib.TrimSpaceFunc,
		"trimsuffix":  stdlib.TrimSuffixFunc,
		"upper":       stdlib.UpperFunc,

		// collections
		"alltrue":         allTrueFunc,
		"anytrue":         anyTrueFunc,
		"chunklist":       stdlib.ChunklistFunc,
		"coalesce":        coalesceFunc,
		"coalescelist":    stdlib.CoalesceListFunc,
		"compact":         stdlib.CompactFunc,
		"concat":          stdlib.ConcatFunc,
		"contains":        stdlib.ContainsFunc,
		"distinct":        stdlib.DistinctFunc,
		"element":         stdlib.ElementFunc,
		"flatten":         stdlib.FlattenFunc,
		"index":           indexFunc,
		"keys":            stdlib.KeysFunc,
		"length":          lengthFunc,
		"lookup":          lookupFunc,
		"matchkeys":       matchKeysFunc,
		"merge":           stdlib.MergeFunc,
		"one":             oneFunc,
		"range":           stdlib.RangeFunc,
		"reverse":         stdlib.ReverseListFunc,
		"setintersection": stdlib.SetIntersectionFunc,
		"setproduct":      stdlib.SetProductFunc,
		"setsubtract":     stdlib.SetSubtractFunc,
		"setunion":        stdlib.SetUnionFunc,
		"slice":           stdlib.SliceFunc,
		"sort":            stdlib.SortFunc,
		"transpose":       transposeFunc,
		"values":          stdlib.ValuesFunc,
		"zipmap":          stdlib.ZipmapFunc,

		// encoding and hashing
		"base64decode":     base64DecodeFunc,
		"base64encode":     base64EncodeFunc,
		"base64gzip":       base64GzipFunc,
		"base64sha256":     hashFunc(hashSHA256, true),
		"base64sha512":     hashFunc(hashSHA512, true),
		"csvdecode":        stdlib.CSVDecodeFunc,
		"jsondecode":       stdlib.JSONDecodeFunc,
		"jsonencode":       stdlib.JSONEncodeFunc,
		"md5":              hashFunc(hashMD5, false),
		"sha1":             hashFunc(hashSHA1, false),
		"sha256":           hashFunc(hashSHA256, false),
		"sha512":           hashFunc(hashSHA512, false),
		"textdecodebase64": textDecodeBase64Func,
		"textencodebase64": textEncodeBase64Func,
		"urlencode":        urlEncodeFunc,
		"uuid":             uuidFunc,
		"uuidv5":           uuidV5Func,
		"yamldecode":       ctyyaml.YAMLDecodeFunc,
		"yamlencode":       ctyyaml.YAMLEncodeFunc,

		// network
		"cidrhost":    cidrHostFunc,
		"cidrnetmask": cidrNetmaskFunc,
		"cidrsubnet":  cidrSubnetFunc,
		"cidrsubnets": cidrSubnetsFunc,

		// type conversion and errors
		"can":             tryfunc.CanFunc,
		"ephemeralasnull": ephemeralAsNullFunc,
		"issensitive":     issensitiveFunc,
		"nonsensitive":    nonsensitiveFunc,
		"sensitive":       sensitiveFunc,
		"tobool":          stdlib.MakeToFunc(cty.Bool),
		"tolist":          stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
		"tomap":           stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
		"tonumber":        stdlib.MakeToFunc(cty.Number),
		"toset":           stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
		"tostring":        stdlib.MakeToFunc(cty.String),
		"try":             tryfunc.TryFunc,

		// date and time
		"formatdate": stdlib.FormatDateFunc,
		"timeadd":    stdlib.TimeAddFunc,
		"timecmp":    timeCmpFunc,
		"timestamp":  timestampFunc(now),
		// Each Config fixes plantimestamp to its plan's time (withPlanTime);
		// this one, read by nothing a Config evaluates, answers at Parse.
		"plantimestamp": timestampFunc(now),
	}
}

// withPlanTime returns funcs with plantimestamp (and core::plantimestamp)
// fixed at t, as Terraform fixes it for a plan and the apply of that plan,
// and templatestring rendering with them.
func withPlanTime(funcs map[string]function.Function, t time.Time) map[string]function.Function {
	out := make(map[string]function.Function, len(funcs))
	for name, f := range funcs {
		out[name] = f
	}
	fixed := timestampFunc(func() time.Time { return t })
	out["plantimestamp"], out["core::plantimestamp"] = fixed, fixed
	ts := templateStringFunc(&out)
	out["templatestring"], out["core::templatestring"] = ts, ts
	return out
}
