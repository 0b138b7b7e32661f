package tfconform

import (
	"fmt"
	"sort"
	"strings"
)

// Case is one conformance case: a root module whose outputs are compared
// with Terraform's. An expression case is the module `output "v" { value =
// Expr }`; a module case gives its whole source, and every output counts.
type Case struct {
	Name   string
	Expr   string // an expression case
	Module string // a module case: the whole root module
	// Children are the modules a module case calls, by directory name:
	// module "x" { source = "./modules/x" } calls Children["x"].
	Children map[string]string
}

// Files are the case's files by path: main.tf (main.tf.json for a JSON
// source) and modules/NAME/main.tf for each child.
func (c Case) Files() map[string]string {
	src := c.Source()
	name := "main.tf"
	if strings.HasPrefix(strings.TrimSpace(src), "{") {
		name = "main.tf.json"
	}
	files := map[string]string{name: src}
	for dir, child := range c.Children {
		files["modules/"+dir+"/main.tf"] = child
	}
	return files
}

// Source is the case's root module.
func (c Case) Source() string {
	if c.Module != "" {
		return c.Module
	}
	return fmt.Sprintf("output \"v\" {\n  value = %s\n}\n", c.Expr)
}

// calls are function calls by family and function: each argument list
// makes one case, fn(args).
var calls = map[string]map[string][]string{
	"numeric": {
		"abs":      {"-3", "0", "2.5", "-0.5", `"4"`, "null"},
		"ceil":     {"1.2", "-1.2", "5", "0.0001", `"2.1"`},
		"floor":    {"1.8", "-1.2", "5", "-0.0001"},
		"log":      {"8, 2", "100, 10", "1, 10", "16, 4", "0, 2"},
		"max":      {"1, 5, 3", "-1", "2.5, 2.25", `"3", 4`, ""},
		"min":      {"1, 5, 3", "-1", "2.5, 2.25", "[1, 2]..."},
		"parseint": {`"100", 10`, `"FF", 16`, `"-1010", 2`, `"zz", 36`, `"12", 3`, `"1.5", 10`, `"7", 1`},
		"pow":      {"2, 10", "3, 0", "2, -1", "-2, 3", "10, 0.5"},
		"signum":   {"-7", "0", "3.2"},
		"sum":      {"[1, 2, 3]", "[0.5, 0.25]", "[]", `["1", 2]`, "toset([1, 2])", "[null, 1]"},
	},
	"string": {
		"chomp":       {`"hello\n"`, `"hello\r\n"`, `"hello\n\n"`, `"hello"`},
		"endswith":    {`"hello world", "world"`, `"hello", "x"`, `"", ""`},
		"format":      {`"Hello, %s!", "Ander"`, `"%d items", 3`, `"%.2f", 3.14159`, `"%5s|", "a"`, `"%-5s|", "a"`, `"%q", "x"`, `"%t", true`, `"%x", 255`, `"%o", 8`, `"%e", 1500`, `"%b", 5`, `"%%"`, `"%v", [1]`, `"%#v", {a = 1}`, `"%s"`, `"%d", "x"`, `"%08.3f", 3.5`, `"%[2]s %[1]s", "a", "b"`},
		"formatlist":  {`"Hello, %s!", ["a", "b"]`, `"%s=%s", ["a", "b"], ["1", "2"]`, `"%s-%d", "x", [1, 2]`, `"%s", []`},
		"indent":      {`2, "a\nb\nc"`, `4, "x"`, `0, "a\nb"`},
		"join":        {`", ", ["a", "b", "c"]`, `"-", []`, `"", ["a", "b"]`, `",", ["a"], ["b", "c"]`, `",", [1, 2]`},
		"lower":       {`"HELLO"`, `"ÀÉÎ"`, `""`},
		"regex":       {`"[a-z]+", "53453453.345345aaabbbccc23454"`, `"(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)", "2019-02-01"`, `"^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?", "https://terraform.io/docs/"`, `"[a-z]+", "1234"`, `"(a)(b)?", "a"`},
		"regexall":    {`"[a-z]+", "1234abcd5678efgh9"`, `"[a-z]+", "123"`, `"(\\d+)-(\\d+)", "1-2 3-4"`},
		"replace":     {`"1 + 2 + 3", "+", "-"`, `"hello world", "/w.*d/", "everybody"`, `"aaa", "a", "b"`, `"abc", "/(b)/", "[$1]"`, `"abc", "", "-"`, `"x.y.z", ".", "/"`, `"hello", "/l+/", "L"`},
		"split":       {`",", "foo,bar,baz"`, `",", "foo"`, `",", ""`, `"", "abc"`, `", ", "a, b, c"`},
		"startswith":  {`"hello world", "hello"`, `"hello", "world"`, `"", ""`},
		"strcontains": {`"hello world", "wor"`, `"hello", "x"`, `"", ""`},
		"strrev":      {`"hello"`, `"a☃b"`, `""`},
		"substr":      {`"hello world", 1, 4`, `"hello", 0, -1`, `"hello", -3, -1`, `"hello", 10, 1`, `"héllo", 1, 2`, `"hello", 2, 100`},
		"title":       {`"hello world"`, `"HELLO"`, `"o'neil mc-donald"`},
		"trim":        {`"?!hello?!", "!?"`, `"  x  ", " "`, `"abc", ""`},
		"trimprefix":  {`"helloworld", "hello"`, `"helloworld", "world"`, `"aaa", "a"`},
		"trimspace":   {`"  hello\n\n"`, `"\t x \r\n"`, `""`},
		"trimsuffix":  {`"helloworld", "world"`, `"helloworld", "hello"`, `"aaa", "a"`},
		"upper":       {`"hello"`, `"àéî"`, `"ß"`},
	},
	"collection": {
		"alltrue":         {`[true, true]`, `[true, false]`, `[]`, `["true"]`, `[true, null]`, `[null]`, `[false, null]`},
		"anytrue":         {`[true, false]`, `[false]`, `[]`, `["true", false]`, `[null, true]`, `[null]`},
		"chunklist":       {`["a", "b", "c", "d", "e"], 2`, `["a", "b"], 0`, `[], 3`, `[1, 2, 3], 1`, `[1], -1`},
		"coalesce":        {`"a", "b"`, `"", "b"`, `1, 2`, `null, "x"`, `null, 2, "3"`, `"", ""`, `[], ["a"]`},
		"coalescelist":    {`["a", "b"], ["c", "d"]`, `[], ["c", "d"]`, `[], []`},
		"compact":         {`["a", "", "b", null, "c"]`, `[]`, `[""]`},
		"concat":          {`["a", ""], ["b", "c"]`, `[], []`, `[1], ["a"]`, `[[1]], [[2]]`},
		"contains":        {`["a", "b", "c"], "a"`, `["a", "b", "c"], "d"`, `[1, 2], 2`, `[1, 2], "1"`, `toset(["a"]), "a"`, `["a", null], null`},
		"distinct":        {`["a", "b", "a", "c", "d", "b"]`, `[]`, `[1, "1"]`, `[[1], [1], [2]]`},
		"element":         {`["a", "b", "c"], 1`, `["a", "b", "c"], 3`, `["a", "b", "c"], -1`, `[], 0`, `["a"], 1.5`},
		"flatten":         {`[["a", "b"], [], ["c"]]`, `[[["a", "b"], []], ["c"]]`, `[]`, `[1, [2, [3]]]`, `[toset(["a"]), ["b"]]`},
		"index":           {`["a", "b", "c"], "b"`, `["a", "b"], "z"`, `[1, 2, 3], 3`, `[1, 2], "2"`},
		"keys":            {`{a = 1, c = 2, d = 3}`, `{}`, `{b = 1, a = 2}`, `tomap({x = "1"})`},
		"length":          {`[]`, `["a", "b"]`, `{a = "b"}`, `"hello"`, `"👾🕹️"`, `toset([1, 1, 2])`, `null`},
		"lookup":          {`{a = "ay", b = "bee"}, "a", "what?"`, `{a = "ay", b = "bee"}, "c", "what?"`, `{a = "ay"}, "a"`, `{a = "ay"}, "c"`, `{a = 1}, "c", null`, `tomap({a = 1}), "a", "x"`, `tomap({a = "1"}), "b", 2`, `{a = {b = 1}}, "a"`},
		"matchkeys":       {`["i-123", "i-abc", "i-def"], ["us-west", "us-east", "us-east"], ["us-east"]`, `["a", "b"], ["1", "2"], []`, `["a"], ["1", "2"], ["1"]`},
		"merge":           {`{a = "b", c = "d"}, {e = "f", c = "z"}`, `{a = "b"}, {e = "f"}`, `{}, {}`, `{a = 1}, null`, `tomap({a = 1}), tomap({b = "x"})`, ``, `{a = 1}, {a = {b = 2}}`},
		"one":             {`[]`, `["hello"]`, `["a", "b"]`, `toset([])`, `toset(["x"])`, `[null]`},
		"range":           {`3`, `1, 4`, `1, 8, 2`, `1, 4, 0.5`, `4, 1`, `10, 5, -2`, `0`, `1, 1`},
		"reverse":         {`[1, 2, 3]`, `[]`, `["a"]`},
		"setintersection": {`["a", "b"], ["b", "c"], ["b", "d"]`, `["a"], []`, `[1, 2], [2, 3]`},
		"setproduct":      {`["development", "staging"], ["app1", "app2"]`, `["a"], []`, `[1, 2], ["x"]`},
		"setsubtract":     {`["a", "b", "c"], ["a", "c"]`, `[], ["a"]`, `[1, 2, 3], [2]`},
		"setunion":        {`["a", "b"], ["b", "c"], ["d"]`, `[], []`, `[1], ["1"]`},
		"slice":           {`["a", "b", "c", "d"], 1, 3`, `["a", "b"], 0, 0`, `["a", "b"], 1, 0`, `["a", "b"], 0, 3`},
		"sort":            {`["e", "d", "a", "x"]`, `["10", "9", "1"]`, `[]`, `[3, 1, 2]`},
		"transpose":       {`{a = ["1", "2"], b = ["2", "3"]}`, `{}`, `{a = []}`},
		"values":          {`{a = 3, c = 2, d = 1}`, `{}`, `tomap({b = "1", a = "2"})`},
		"zipmap":          {`["a", "b"], [1, 2]`, `[], []`, `["a"], [1, 2]`, `["a", "a"], [1, 2]`},
	},
	"encoding": {
		"base64decode":     {`"SGVsbG8gV29ybGQ="`, `"aGk"`, `"!!"`, `"/w=="`},
		"base64encode":     {`"Hello World"`, `""`, `"☃"`},
		"base64gzip":       {`"test"`, `""`, `"hello world hello world"`},
		"csvdecode":        {`"a,b,c\n1,2,3\n4,5,6"`, `"a\n1"`, `"a,b\n1"`, `""`},
		"jsondecode":       {`"{\"hello\": \"world\"}"`, `"true"`, `"[1, \"a\", null]"`, `"1.5e3"`, `"{"`, `"{\"a\": {\"b\": [1, 2]}}"`, `"null"`},
		"jsonencode":       {`{hello = "world"}`, `[1, "a", null]`, `"<>&"`, `1.5`, `null`, `{a = [], b = {}}`, `tolist([])`, `3e20`},
		"textdecodebase64": {`"SABlAGwAbABvACAAVwBvAHIAbABkAA==", "UTF-16LE"`, `"SGVsbG8=", "UTF-8"`, `"SGVsbG8=", "NOT-AN-ENCODING"`},
		"textencodebase64": {`"Hello World", "UTF-16LE"`, `"Hello", "UTF-8"`, `"Hello", "x-nope"`, `"Hi", "ISO-8859-1"`},
		"urlencode":        {`"Hello World!"`, `"foo:bar@localhost?foo=bar&bar=baz"`, `"mail@example.com"`, `"~-._"`, `"☃"`},
		"yamldecode":       {`"hello: world"`, `"- a\n- b"`, `"a: 1\nb: true\nc: null"`, `"1.5"`, `"[1, 2"`, `"a: {b: [1, 2]}"`, `"\"x\""`},
		"yamlencode":       {`{a = "b", c = "d"}`, `{a = [1, 2, 3], b = "c"}`, `["a", "b"]`, `"hello"`, `1`, `null`, `true`, `{}`},
	},
	"hash": {
		"base64sha256": {`"hello world"`, `""`},
		"base64sha512": {`"hello world"`, `""`},
		"md5":          {`"hello world"`, `""`, `"☃"`},
		"sha1":         {`"hello world"`, `""`},
		"sha256":       {`"hello world"`, `""`},
		"sha512":       {`"hello world"`, `""`},
		"uuidv5":       {`"dns", "www.terraform.io"`, `"url", "https://www.terraform.io/"`, `"oid", "1.3.6.1.4.1.343"`, `"x500", "CN=Example,C=GB"`, `"6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.terraform.io"`, `"{6ba7b810-9dad-11d1-80b4-00c04fd430c8}", "x"`, `"urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8", "x"`, `"not-a-uuid", "x"`},
	},
	"network": {
		"cidrhost":    {`"10.12.112.0/20", 16`, `"10.12.112.0/20", 268`, `"fd00:fd12:3456:7890:00a2::/72", 34`, `"10.0.0.0/30", 4`, `"10.0.0.0/30", -1`, `"010.0.0.0/8", 1`, `"10.0.0.0/8", 1.5`, `"1.2.3.4", 1`},
		"cidrnetmask": {`"172.16.0.0/12"`, `"10.0.0.0/32"`, `"0.0.0.0/0"`, `"fd00::/8"`, `"bad"`},
		"cidrsubnet":  {`"172.16.0.0/12", 4, 2`, `"10.1.2.0/24", 4, 15`, `"fd00:fd12:3456:7890::/56", 16, 162`, `"10.0.0.0/8", 4, 16`, `"10.0.0.0/30", 4, 0`, `"10.0.0.0/8", 0, 0`},
		"cidrsubnets": {`"10.1.0.0/16", 4, 4, 8, 4`, `"fd00:fd12:3456:7890::/56", 16, 16, 16, 32`, `"10.0.0.0/8"`, `"10.0.0.0/30", 1, 1, 1`, `"10.0.0.0/8", 33`},
	},
	"namespaced": {
		"core::upper":  {`"namespaced"`},
		"core::length": {`[1, 2]`},
	},
	"time": {
		"formatdate":    {`"DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z"`, `"EEEE, DD-MMM-YY hh:mm:ss ZZZ", "2018-01-02T23:12:01Z"`, `"EEE, DD MMM YYYY hh:mm:ss ZZZ", "2018-01-02T23:12:01-08:00"`, `"MMM DD, YYYY", "2018-01-02T23:12:01Z"`, `"HH:mm:ssAA", "2018-01-02T23:12:01Z"`, `"'quoted' YYYY", "2018-01-02T23:12:01Z"`, `"YYYY", "not a time"`, `"h:m:s a", "2018-01-02T03:04:05Z"`},
		"timeadd":       {`"2017-11-22T00:00:00Z", "10m"`, `"2017-11-22T00:00:00Z", "-1h30m"`, `"2017-11-22T00:00:00Z", "1.5h"`, `"2017-11-22T00:00:00Z", "1d"`, `"2017-11-22T00:00:00+02:00", "1s"`},
		"plantimestamp": {`"extra"`},
		"timecmp":       {`"2017-11-22T00:00:00Z", "2017-11-22T00:00:00Z"`, `"2017-11-22T00:00:00Z", "2017-11-22T01:00:00+01:00"`, `"2017-11-22T00:00:01Z", "2017-11-22T00:00:00Z"`, `"2017-11-22T00:00:00Z", "2017-11-23T00:00:00Z"`, `"bad", "2017-11-22T00:00:00Z"`},
	},
	"conversion": {
		"tobool":       {`true`, `"true"`, `"false"`, `"yes"`, `null`, `1`},
		"tolist":       {`["a", "b"]`, `toset(["b", "a"])`, `["a", 1]`, `[1, {}]`, `[]`},
		"tomap":        {`{a = 1, b = "2"}`, `{}`, `{a = [1], b = "x"}`},
		"tonumber":     {`1`, `"1.5"`, `"hello"`, `null`, `"0x10"`, `"1e3"`},
		"toset":        {`["c", "b", "b"]`, `["a", 1]`, `[]`, `[[1], [1]]`},
		"tostring":     {`"a"`, `1`, `true`, `null`, `[1]`, `1.50`},
		"sensitive":    {`"secret"`},
		"nonsensitive": {`sensitive("x")`, `"y"`},
		"issensitive":  {`sensitive("x")`, `"y"`, `nonsensitive(sensitive(1))`},
	},
}

// exprs are expressions of the language itself, by family.
var exprs = map[string][]string{
	"operators": {
		`1 + 2`, `5 - 7`, `2 * 3.5`, `7 / 2`, `7 % 3`, `-7 % 3`, `7.5 % 2`, `1 / 0`, `-1 / 0`, `0 / 0`,
		`"1" + 2`, `"a" + 1`, `1 == 1.0`, `"1" == 1`, `[1] == [1]`, `{a = 1} == {a = 1}`, `null == null`,
		`1 != 2`, `1 < 2`, `2 <= 2`, `3 > 4`, `"2" > 1`, `true && false`, `true || false`, `!true`,
		`null && true`, `-(-3)`, `1 + 2 * 3`, `(1 + 2) * 3`, `10 - 2 - 3`, `2 * 3 % 4`, `0.1 + 0.2`,
		`100000000000000000000 + 1`, `1e308 * 10`, `9007199254740993`, `tostring(0.1 + 0.2)`,
		`true == "true"`, `[] == []`, `tolist([]) == []`, `{} == {}`, `toset([1, 2]) == toset([2, 1])`,
		`"abc" < "abd"`, `1 && true`,
	},
	"conditional": {
		`true ? "a" : "b"`, `false ? "a" : "b"`, `true ? 1 : "b"`, `false ? 1 : "b"`, `true ? [1] : []`,
		`false ? {a = 1} : {b = 2}`, `null ? 1 : 2`, `"true" ? 1 : 2`, `1 ? 1 : 2`, `true ? null : "x"`,
		`false ? null : [1, 2]`, `true ? [] : ["a"]`, `true ? {a = 1} : {a = "x"}`, `true ? tolist(["a"]) : ["b", 1]`,
		`false ? 1 : null`,
	},
	"for": {
		`[for s in ["a", "b"] : upper(s)]`, `[for i, s in ["a", "b"] : "${i}=${s}"]`, `{for s in ["a", "b"] : s => upper(s)}`,
		`{for k, v in {a = 1, b = 2} : v => k}`, `[for s in ["a", "b", "c"] : s if s != "b"]`, `{for s in ["a", "a", "b"] : s => s...}`,
		`{for s in ["a", "a"] : s => s}`, `[for k, v in {b = 1, a = 2} : k]`, `[for v in toset(["b", "a"]) : v]`,
		`{for i, v in [10, 20] : tostring(i) => v}`, `[for x in [] : x]`, `{for x in [] : x => x}`, `[for x in null : x]`,
		`[for x in [1, 2, 3] : x * x if x % 2 == 1]`, `[for x in "abc" : x]`, `{for k, v in {a = [1, 2]} : k => length(v)}`,
		`[for o in [{n = "a"}, {n = "b"}] : o.n]`, `{for x in [1, 2] : x => x}`, `[for x in [1, 2] : x if "yes"]`,
		`flatten([for a in ["x", "y"] : [for b in [1, 2] : "${a}${b}"]])`, `{for k, v in {a = 1} : upper(k) => v + 1}`,
	},
	"splat": {
		`[{a = 1}, {a = 2}][*].a`, `[{a = [1, 2]}, {a = [3]}][*].a[0]`, `[][*].a`, `null[*]`, `"x"[*]`,
		`{a = 1}[*].a`, `[{a = 1}, {b = 2}][*].a`, `[{a = {b = 1}}][*].a.b`, `[{a = 1}, {a = 2}].*.a`,
		`tolist([{a = 1}])[*].a`, `toset([{a = 1}])[*].a`, `[[1, 2], [3]][*][0]`,
	},
	"template": {
		`"Hello, ${"world"}!"`, `"${1 + 1}"`, `"a%{if true}b%{endif}c"`, `"%{if false}x%{else}y%{endif}"`,
		`"%{for s in ["a", "b"]}${s},%{endfor}"`, `"%{for i, s in ["a", "b"]}${i}${s}%{endfor}"`, `"$${literal}"`, `"%%{literal}"`,
		`"x ${true} y"`, `"${null}"`, `"${[1]}"`, `"a\tb\\c\"d"`, `"\u00e9\U0001F600"`, `"${"a"}${"b"}"`,
		`"%{~ if true ~} x %{~ endif ~}"`, `"  ${~ "a" ~}  "`, `"%{for x in [1, 2] ~} ${x} %{~ endfor}"`, `"${1.5}"`, `"${1e3}"`,
		"<<EOT\nhello\nworld\nEOT\n", "<<-EOT\n    indented\n      more\n    EOT\n", "<<EOT\n${upper(\"x\")}\nEOT\n",
	},
	"index": {
		`["a", "b"][1]`, `["a", "b"][2]`, `["a", "b"]["1"]`, `["a", "b"][-1]`, `{a = 1}["a"]`, `{a = 1}["b"]`, `{a = 1}.a`, `{a = 1}.b`,
		`tomap({a = 1})["a"]`, `[[1, 2]][0][1]`, `{a = {b = "c"}}.a.b`, `["a"][0.5]`, `["a", "b"].1`, `"abc"[0]`, `null[0]`,
		`toset(["a"])[0]`, `{"a b" = 1}["a b"]`, `{1 = "x"}["1"]`, `{a = 1}[null]`,
	},
	"collections": {
		`[]`, `[1, "a", true]`, `{}`, `{a = 1, b = [2]}`, `{"a" = 1}`, `{(upper("k")) = 1}`, `{a = 1, a = 2}`,
		`[1, 2, 3][0]`, `tolist(["a", "b"])`, `tomap({a = "1"})`, `toset([3, 1, 2])`, `[for x in toset(["b", "a"]) : x]`,
		`{a = null}`, `[null]`, `{for k in ["a"] : k => null}`, `merge({a = 1}, {b = [1]})`, `concat([1], ["a"])`,
		`[[]]`, `[{}]`, `{a = {}}`, `tolist([1, "a"])`, `tomap({a = 1, b = "x"})`, `tomap({a = 1, b = [1]})`,
	},
	"try": {
		`try(1, 2)`, `try({}.a, "fallback")`, `try(tonumber("x"), 0)`, `try([][0], null)`, `try({a = 1}.b, {a = 1}.a)`,
		`can({}.a)`, `can(1)`, `can(tonumber("x"))`, `try(["a"][1], ["b"][1])`, `try(null)`, `try()`, `can(regex("[", "x"))`,
		`try(jsondecode("{"), {})`, `try(local.nope, 1)`,
	},
	"types": {
		`1.0`, `1.50`, `-0`, `0.000001`, `1e-7`, `12345678901234567890`, `1.7976931348623157e308`, `"1"`, `true`,
		`null`, `tostring(null)`, `0.1`, `1/3`, `2/3`, `10/3`, `1e21`, `1e20`, `123456789.123456789`, `-1.5e-10`,
		`pow(2, 64)`, `pow(2, 53) + 1`, `floor(1e30)`, `0.30000000000000004`, `tonumber("3.14159265358979323846")`,
	},
}

// addExprs adds a family of expression cases; a family named twice would
// replace the first silently, so it panics.
func addExprs(family string, list []string) {
	if _, ok := exprs[family]; ok {
		panic("tfconform: expression family " + family + " added twice")
	}
	exprs[family] = list
}

// addModules adds module cases; a name used twice would replace the
// first case silently, so it panics.
func addModules(m map[string]string) {
	for name, src := range m {
		if _, ok := modules[name]; ok {
			panic("tfconform: module case " + name + " added twice")
		}
		modules[name] = src
	}
}

// Cases lists every case, sorted by name: the calls, the expressions and
// the modules.
func Cases() []Case {
	var out []Case
	for family, fns := range calls {
		for fn, argss := range fns {
			for i, args := range argss {
				out = append(out, Case{Name: fmt.Sprintf("%s/%s/%02d", family, fn, i), Expr: fn + "(" + args + ")"})
			}
		}
	}
	for family, list := range exprs {
		for i, e := range list {
			out = append(out, Case{Name: fmt.Sprintf("%s/%03d", family, i), Expr: e})
		}
	}
	out = append(out, combinations()...)
	for name, src := range modules {
		out = append(out, Case{Name: "module/" + name, Module: src})
	}
	for name, tree := range trees {
		out = append(out, Case{Name: "tree/" + name, Module: tree.root, Children: tree.children})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// combinations applies the common one-argument functions to a table of
// values of every type: where conversions, nulls and unknown shapes make
// implementations part ways.
func combinations() []Case {
	values := []string{
		`"abc"`, `""`, `"  A b  "`, `"42"`, `42`, `-1.5`, `0`, `true`, `null`, `[]`, `["b", "a"]`, `[1, 2]`,
		`{}`, `{a = "x"}`, `{a = 1, b = [2]}`, `toset(["x", "y"])`, `tomap({k = "v"})`, `[["a"], ["b"]]`, `"☃ snow"`,
		`"line1\nline2"`,
	}
	fns := []string{
		"length", "tostring", "tonumber", "tobool", "tolist", "toset", "tomap", "jsonencode", "upper", "lower",
		"trimspace", "strrev", "sort", "reverse", "keys", "values", "flatten", "distinct", "compact", "one",
		"base64encode", "md5", "abs", "yamlencode", "title", "sum", "alltrue", "anytrue", "chomp", "urlencode",
		"coalesce", "concat", "merge", "nonsensitive", "textencodebase64",
	}
	var out []Case
	for _, fn := range fns {
		for i, v := range values {
			call := fn + "(" + v + ")"
			if fn == "textencodebase64" {
				call = fn + "(" + v + `, "UTF-8")`
			}
			out = append(out, Case{Name: fmt.Sprintf("combo/%s/%02d", fn, i), Expr: call})
		}
	}
	return out
}

// caseID is a case's name as an output or directory name.
func caseID(name string) string {
	return "c_" + strings.NewReplacer("/", "_", "-", "_").Replace(name)
}
