package template_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/template"
	"github.com/zclconf/go-cty/cty"
)

// evalExpr evaluates expr as the value of an output.
func evalExpr(t *testing.T, expr string, opts template.Options) (cty.Value, error) {
	t.Helper()
	tpl, err := template.Parse("output \"o\" {\n  value = "+expr+"\n}\n", opts)
	if err != nil {
		return cty.NilVal, err
	}
	cfg, err := tpl.Expand(t.Context(), template.Input{})
	if err != nil {
		return cty.NilVal, err
	}
	outs, diags := cfg.Outputs(context.Background(), nil)
	if diags.HasErrors() {
		return cty.NilVal, &formation.Error{Code: formation.CodeInvalidTemplate, Err: diags}
	}
	return outs[0].Value, nil
}

func TestFunctions(t *testing.T) {
	s := cty.StringVal
	n := cty.NumberIntVal
	list := func(vs ...cty.Value) cty.Value { return cty.ListVal(vs) }
	tuple := func(vs ...cty.Value) cty.Value { return cty.TupleVal(vs) }
	tests := []struct {
		family, expr string
		want         cty.Value
	}{
		{"numeric", "abs(-3)", n(3)},
		{"numeric", "ceil(1.2) + floor(1.8)", n(3)},
		{"numeric", "max(1, 7, 3) - min(4, 2)", n(5)},
		{"numeric", `parseint("ff", 16)`, n(255)},
		{"numeric", "pow(2, 10)", n(1024)},
		{"numeric", "signum(-9)", n(-1)},
		{"numeric", "sum([1, 2, 3.5])", cty.NumberFloatVal(6.5)},
		{"numeric", "log(8, 2)", n(3)},
		{"strings", `"${upper("a")}${lower("B")}" == "Ab"`, cty.True},
		{"strings", `format("%s-%03d", "vpc", 7)`, s("vpc-007")},
		{"strings", `formatlist("%s!", ["a", "b"])`, list(s("a!"), s("b!"))},
		{"strings", `join("/", split(",", "a,b,c"))`, s("a/b/c")},
		{"strings", `replace("a-b-c", "-", "_")`, s("a_b_c")},
		{"strings", `replace("a1b22", "/[0-9]+/", "#")`, s("a#b#")},
		{"strings", `regex("v(\\d+)", "v42")`, tuple(s("42"))},
		{"strings", `substr("hello", 1, 3)`, s("ell")},
		{"strings", `title("hello world")`, s("Hello World")},
		{"strings", `trimspace("  x ")`, s("x")},
		{"strings", `trimprefix("vpc-a", "vpc-")`, s("a")},
		{"strings", `trimsuffix("a.tf", ".tf")`, s("a")},
		{"strings", `trim("--a--", "-")`, s("a")},
		{"strings", `chomp("x\n")`, s("x")},
		{"strings", `indent(2, "a\nb")`, s("a\n  b")},
		{"strings", `strrev("abc")`, s("cba")},
		{"strings", `startswith("vpc-1", "vpc") && endswith("vpc-1", "1") && strcontains("vpc-1", "c-")`, cty.True},
		{"strings", `"${"a"}-%{if true}b%{endif}"`, s("a-b")},
		{"strings", "<<-EOT\n    hello\n    EOT", s("hello\n")},
		{"collections", `length([1, 2]) + length({a = 1}) + length("héllo")`, n(8)},
		{"collections", `concat([1], [2, 3])`, tuple(n(1), n(2), n(3))},
		{"collections", `contains(["a", "b"], "b")`, cty.True},
		{"collections", `distinct(["a", "a", "b"])`, list(s("a"), s("b"))},
		{"collections", `element(["a", "b"], 3)`, s("b")},
		{"collections", `flatten([[1], [2, [3]]])`, tuple(n(1), n(2), n(3))},
		{"collections", `index(["a", "b"], "b")`, n(1)},
		{"collections", `keys({b = 1, a = 2})`, tuple(s("a"), s("b"))},
		{"collections", `values({b = 1, a = 2})`, tuple(n(2), n(1))},
		{"collections", `lookup({a = "x"}, "b", "default")`, s("default")},
		{"collections", `merge({a = 1}, {b = 2})`, cty.ObjectVal(map[string]cty.Value{"a": n(1), "b": n(2)})},
		{"collections", `one(["x"])`, s("x")},
		{"collections", `one([])`, cty.NullVal(cty.DynamicPseudoType)},
		{"collections", `range(3)`, list(n(0), n(1), n(2))},
		{"collections", `reverse([1, 2])`, tuple(n(2), n(1))},
		{"collections", `slice(["a", "b", "c"], 1, 3)`, tuple(s("b"), s("c"))},
		{"collections", `slice(tolist(["a", "b", "c"]), 0, 1)`, list(s("a"))},
		{"collections", `sort(["b", "a"])`, list(s("a"), s("b"))},
		{"collections", `chunklist([1, 2, 3], 2)`, list(list(n(1), n(2)), list(n(3)))},
		{"collections", `compact(["a", "", "b"])`, list(s("a"), s("b"))},
		{"collections", `coalesce("", "x")`, s("x")},
		{"collections", `coalesce(null, 2)`, n(2)},
		{"collections", `coalescelist([], ["y"])`, tuple(s("y"))},
		{"collections", `zipmap(["a"], [1])`, cty.ObjectVal(map[string]cty.Value{"a": n(1)})},
		{"collections", `alltrue([true, true]) && !anytrue([false])`, cty.True},
		{"collections", `matchkeys(["i1", "i2"], ["a", "b"], ["b"])`, list(s("i2"))},
		{"collections", `transpose({a = ["x"], b = ["x", "y"]})`, cty.MapVal(map[string]cty.Value{"x": list(s("a"), s("b")), "y": list(s("b"))})},
		{"collections", `setunion(["a"], ["b"])`, cty.SetVal([]cty.Value{s("a"), s("b")})},
		{"collections", `setintersection(["a", "b"], ["b"])`, cty.SetVal([]cty.Value{s("b")})},
		{"collections", `setsubtract(["a", "b"], ["b"])`, cty.SetVal([]cty.Value{s("a")})},
		{"collections", `length(setproduct(["a", "b"], [1, 2]))`, n(4)},
		{"collections", `[for i, v in ["a", "b"] : "${i}${v}" if v != "c"]`, tuple(s("0a"), s("1b"))},
		{"collections", `{ for k, v in { a = 1 } : upper(k) => v * 2 }`, cty.ObjectVal(map[string]cty.Value{"A": n(2)})},
		{"collections", `[{ n = 1 }, { n = 2 }][*].n`, tuple(n(1), n(2))},
		{"collections", `true ? "y" : "n"`, s("y")},
		{"encoding", `jsonencode({a = [1, "x"]})`, s(`{"a":[1,"x"]}`)},
		{"encoding", `jsondecode("{\"a\": 1}").a`, n(1)},
		{"encoding", `base64encode("hello")`, s("aGVsbG8=")},
		{"encoding", `base64decode("aGVsbG8=")`, s("hello")},
		{"encoding", `csvdecode("a,b\n1,2")[0].b`, s("2")},
		{"encoding", `urlencode("a b&c")`, s("a+b%26c")},
		{"encoding", `length(base64gzip("hello")) > 0`, cty.True},
		{"hashing", `md5("hello")`, s("5d41402abc4b2a76b9719d911017c592")},
		{"hashing", `sha1("hello")`, s("aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d")},
		{"hashing", `sha256("hello")`, s("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")},
		{"hashing", `substr(sha512("hello"), 0, 16)`, s("9b71d224bd62f378")},
		{"hashing", `base64sha256("hello")`, s("LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=")},
		{"hashing", `uuidv5("dns", "example.com")`, s("cfbff0d1-9375-5685-968c-48ce8b15ae17")},
		{"hashing", `length(uuid())`, n(36)},
		{"conversion", `tonumber("10") + 1`, n(11)},
		{"conversion", `tostring(5)`, s("5")},
		{"conversion", `tobool("true")`, cty.True},
		{"conversion", `tolist(["a"])`, list(s("a"))},
		{"conversion", `toset(["a", "a"])`, cty.SetVal([]cty.Value{s("a")})},
		{"conversion", `tomap({a = "b"})`, cty.MapVal(map[string]cty.Value{"a": s("b")})},
		{"conversion", `try(tonumber("x"), 7)`, n(7)},
		{"conversion", `can(tonumber("x"))`, cty.False},
		{"conversion", `nonsensitive(sensitive("s"))`, s("s")},
		{"conversion", `nonsensitive("s")`, s("s")},
		{"conversion", `issensitive(sensitive("s"))`, cty.True},
		{"conversion", `issensitive(nonsensitive(sensitive(["s"])))`, cty.False},
		{"time", `formatdate("YYYY-MM-DD", "2024-03-05T10:00:00Z")`, s("2024-03-05")},
		{"time", `timeadd("2024-03-05T10:00:00Z", "1h")`, s("2024-03-05T11:00:00Z")},
		{"time", `timecmp("2024-03-05T10:00:00Z", "2024-03-05T11:00:00Z")`, n(-1)},
		{"time", `timestamp()`, s("2001-02-03T04:05:06Z")},
		{"network", `cidrhost("10.12.112.0/20", 16)`, s("10.12.112.16")},
		{"network", `cidrhost("10.12.112.0/20", 268)`, s("10.12.113.12")},
		{"network", `cidrhost("10.12.112.0/20", -1)`, s("10.12.127.255")},
		{"network", `cidrhost("fd00:fd12:3456:7890:00a2::/72", 34)`, s("fd00:fd12:3456:7890::22")},
		{"network", `cidrnetmask("172.16.0.0/12")`, s("255.240.0.0")},
		{"network", `cidrsubnet("172.16.0.0/12", 4, 2)`, s("172.18.0.0/16")},
		{"network", `cidrsubnet("10.1.2.0/24", 4, 15)`, s("10.1.2.240/28")},
		{"network", `cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)`, s("fd00:fd12:3456:7800:a200::/72")},
		{"network", `cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)`, list(s("10.1.0.0/20"), s("10.1.16.0/20"), s("10.1.32.0/24"), s("10.1.48.0/20"))},
		{"network", `cidrsubnets("fd00:fd12:3456:7890::/56", 16, 16, 16, 32)`, list(s("fd00:fd12:3456:7800::/72"), s("fd00:fd12:3456:7800:100::/72"), s("fd00:fd12:3456:7800:200::/72"), s("fd00:fd12:3456:7800:300::/88"))},
	}
	opts := template.Options{Now: func() time.Time { return time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC) }}
	for _, tt := range tests {
		t.Run(tt.family+"/"+tt.expr, func(t *testing.T) {
			got, err := evalExpr(t, tt.expr, opts)
			if err != nil {
				t.Fatal(err)
			}
			if !got.RawEquals(tt.want) {
				t.Fatalf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestFunctions_Errors(t *testing.T) {
	tests := []struct {
		expr, summary, detail string
		col                   int
	}{
		{`cidrhost("10.0.0.0/30", 4)`, "Error in function call", "prefix of 30 does not accommodate a host numbered 4", 11},
		{`cidrsubnet("10.0.0.0/30", 4, 0)`, "Error in function call", "insufficient address space to extend prefix of 30 by 4", 11},
		{`cidrsubnet("10.0.0.0/16", 2, 4)`, "Error in function call", "prefix extension of 2 does not accommodate a subnet numbered 4", 11},
		{`cidrsubnets("10.0.0.0/24", 1, 1, 1)`, "Invalid function argument", "not enough remaining address space", 44},
		{`cidrnetmask("fd00::/8")`, "Error in function call", "IPv6 addresses cannot have a netmask", 11},
		{`cidrhost("not-a-cidr", 1)`, "Error in function call", "invalid CIDR expression", 11},
		{`one([1, 2])`, "Error in function call", "either zero or one elements", 11},
		{`coalesce("", null)`, "Error in function call", "no non-null, non-empty-string arguments", 11},
		{`index(["a"], "b")`, "Error in function call", "item not found", 11},
		{`sum([])`, "Error in function call", "cannot sum an empty list", 11},
		{`base64decode("!!")`, "Error in function call", "failed to decode base64", 11},
		{`timecmp("x", "2024-03-05T10:00:00Z")`, "Invalid function argument", "not a valid RFC3339 timestamp", 20},
		{`uuidv5("bogus", "x")`, "Error in function call", "doesn't support namespace bogus", 11},
		{`jsondecode("{")`, "Error in function call", "EOF", 11},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			_, err := evalExpr(t, tt.expr, template.Options{})
			wantDiag(t, err, formation.CodeInvalidTemplate, tt.summary, tt.detail, "main.tf", 2, tt.col)
		})
	}
}

// Every file-system function RFS forbids is refused at Parse, naming the
// function, and none is callable.
func TestFunctions_Forbidden(t *testing.T) {
	for _, name := range []string{"abspath", "basename", "dirname", "file", "filebase64", "filebase64sha256", "filebase64sha512",
		"fileexists", "fileset", "filemd5", "filesha1", "filesha256", "filesha512", "pathexpand", "templatefile"} {
		t.Run(name, func(t *testing.T) {
			_, err := evalExpr(t, name+`("/etc/passwd")`, template.Options{})
			wantDiag(t, err, formation.CodeInvalidTemplate, "Function not allowed", `The function "`+name+`" is not allowed`, "main.tf", 2, 11)
		})
	}
}

func TestFunctions_TimestampUsesClock(t *testing.T) {
	got, err := evalExpr(t, "timestamp()", template.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`).MatchString(got.AsString()) {
		t.Errorf("timestamp() = %q", got.AsString())
	}
}
