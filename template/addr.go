package template

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"github.com/formation-engine/formation"
)

// KeyKind says how an instance of a resource, data source or module call
// is keyed: not at all, by a count index, or by a for_each key.
type KeyKind uint8

// The key kinds.
const (
	NoKey     KeyKind = iota // no count or for_each: huaweicloud_vpc.v
	IntKey                   // count: huaweicloud_vpc.v[0]
	StringKey                // for_each: huaweicloud_vpc.v["a"]
)

// keySuffix writes a key as an address writes it: "", "[0]" or `["a"]`.
func keySuffix(kind KeyKind, key string) string {
	switch kind {
	case IntKey:
		return "[" + key + "]"
	case StringKey:
		return "[" + quoteKey(key) + "]"
	}
	return ""
}

// ModuleStep is one step of a module instance's address: the call's name
// (module.NAME) and the instance's key.
type ModuleStep struct {
	Name    string
	KeyKind KeyKind
	Key     string // the RFS index: "0" for count, the for_each key
}

// ModuleInstance is the address of a module instance: the steps from the
// root module down, nil for the root module itself. Its string form is
// Terraform's: module.net[0].module.subnet["a"].
type ModuleInstance []ModuleStep

// IsRoot reports whether m is the root module.
func (m ModuleInstance) IsRoot() bool { return len(m) == 0 }

// String writes the address, "" for the root module.
func (m ModuleInstance) String() string {
	if len(m) == 0 {
		return ""
	}
	var b strings.Builder
	for i, s := range m {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString("module.")
		b.WriteString(s.Name)
		b.WriteString(keySuffix(s.KeyKind, s.Key))
	}
	return b.String()
}

// prefix is the module instance's address followed by a dot, "" for the
// root: what comes before a resource address inside it.
func (m ModuleInstance) prefix() string {
	if len(m) == 0 {
		return ""
	}
	return m.String() + "."
}

// child returns the address of an instance of the module call name in m.
func (m ModuleInstance) child(name string, kind KeyKind, key string) ModuleInstance {
	out := make(ModuleInstance, len(m), len(m)+1)
	copy(out, m)
	return append(out, ModuleStep{Name: name, KeyKind: kind, Key: key})
}

// InstanceAddr is the address of a resource or data source instance taken
// apart: module.net[0].data.huaweicloud_vpcs.all, huaweicloud_vpc.v["a"].
// Every address Formation writes (Instance.Addr, plan changes, events,
// stack resources, the simulator's world) is an InstanceAddr's String.
type InstanceAddr struct {
	Module  ModuleInstance // nil for the root module
	Mode    formation.Mode // formation.ModeResource or formation.ModeData
	Type    string
	Name    string
	KeyKind KeyKind
	Key     string // the RFS index: "" without a key, "0" for count, the for_each key
}

// String writes the address as Terraform does.
func (a InstanceAddr) String() string {
	s := a.Module.prefix()
	if a.Mode == formation.ModeData {
		s += "data."
	}
	return s + a.Type + "." + a.Name + keySuffix(a.KeyKind, a.Key)
}

// ParseInstanceAddr takes an instance address apart; it is the inverse of
// InstanceAddr.String.
func ParseInstanceAddr(s string) (InstanceAddr, error) {
	a := InstanceAddr{Mode: formation.ModeResource}
	bad := func(why string) (InstanceAddr, error) {
		return InstanceAddr{}, fmt.Errorf("invalid instance address %q: %s", s, why)
	}
	rest := s
	for strings.HasPrefix(rest, "module.") {
		name, kind, key, after, ok := scanStep(rest[len("module."):])
		if !ok || name == "" || !strings.HasPrefix(after, ".") {
			return bad("a module step is module.NAME or module.NAME[KEY]")
		}
		a.Module = append(a.Module, ModuleStep{Name: name, KeyKind: kind, Key: key})
		rest = after[1:]
	}
	if r, ok := strings.CutPrefix(rest, "data."); ok {
		a.Mode, rest = formation.ModeData, r
	}
	typ, name, ok := strings.Cut(rest, ".")
	if !ok || typ == "" || strings.ContainsAny(typ, "[]\"") {
		return bad("expected TYPE.NAME")
	}
	a.Type = typ
	var after string
	a.Name, a.KeyKind, a.Key, after, ok = scanStep(name)
	if !ok || a.Name == "" || after != "" {
		return bad("expected TYPE.NAME with an optional [KEY]")
	}
	return a, nil
}

// scanStep reads NAME or NAME[KEY] at the start of s and returns what
// follows it; a string key is unquoted.
func scanStep(s string) (name string, kind KeyKind, key, rest string, ok bool) {
	end := strings.IndexAny(s, ".[")
	if end < 0 {
		return s, NoKey, "", "", true
	}
	name = s[:end]
	if s[end] == '.' {
		return name, NoKey, "", s[end:], true
	}
	s = s[end+1:]
	if strings.HasPrefix(s, `"`) {
		key, n, ok := unquoteKey(s)
		if !ok || !strings.HasPrefix(s[n:], "]") {
			return "", 0, "", "", false
		}
		return name, StringKey, key, s[n+1:], true
	}
	close := strings.IndexByte(s, ']')
	if close < 0 {
		return "", 0, "", "", false
	}
	if _, err := strconv.ParseUint(s[:close], 10, 63); err != nil {
		return "", 0, "", "", false
	}
	return name, IntKey, s[:close], s[close+1:], true
}

// unquoteKey reads the string literal quoteKey writes at the start of s,
// returning its value and the number of bytes it spans.
func unquoteKey(s string) (string, int, bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			return b.String(), i + 1, true
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				if i+4 >= len(s) {
					return "", 0, false
				}
				r, err := strconv.ParseUint(s[i+1:i+5], 16, 32)
				if err != nil {
					return "", 0, false
				}
				b.WriteRune(rune(r))
				i += 4
			default:
				b.WriteByte(s[i])
			}
		case (c == '$' || c == '%') && i+2 < len(s) && s[i+1] == c && s[i+2] == '{':
			b.WriteByte(c) // $${ is a literal ${
			i++
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, false
}

// instanceAddr is the Terraform address of an instance: "type.name",
// "type.name[0]", `type.name["vpc1"]`, with "data." in front for a data
// source. key is "" without count or for_each.
func instanceAddr(block string, isCount bool, key string) string {
	switch {
	case key == "" && !isCount:
		return block
	case isCount:
		return block + "[" + key + "]"
	default:
		return block + "[" + quoteKey(key) + "]"
	}
}

// quoteKey writes a for_each key as an HCL string literal.
func quoteKey(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case (c == '$' || c == '%') && i+1 < len(s) && s[i+1] == '{':
			b.WriteByte(c)
			b.WriteByte(c)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteString(strconv.FormatUint(uint64(c)>>4, 16))
			b.WriteString(strconv.FormatUint(uint64(c)&15, 16))
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// CompareAddrs orders instance addresses the way Instances, the graph
// orders and the renderings list them: the root module's instances first,
// then those of module instances (fewer steps first, then by call name and
// instance key); within a module, managed resources before data sources
// (Terraform lists data sources first, which the plan text follows), then
// by type, name, and instance key,
// count indexes numerically (vpc[2] before vpc[10]) and for_each keys as
// strings (vpc["a"] before vpc["a b"]). It returns -1, 0 or +1 like
// strings.Compare, and falls back to plain string order for anything that
// is not an address.
func CompareAddrs(a, b string) int {
	if a == b {
		return 0
	}
	pa, pb := splitAddr(a), splitAddr(b)
	if c := compareModules(pa.module, pb.module); c != 0 {
		return c
	}
	if pa.data != pb.data {
		if pa.data {
			return 1
		}
		return -1
	}
	if c := strings.Compare(pa.base, pb.base); c != 0 {
		return c
	}
	if c := compareKeys(pa.key, pb.key); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

// compareModules orders module instance paths given as text: the root
// ("") first, then by number of steps, then step by step by name and key.
func compareModules(a, b string) int {
	if a == b {
		return 0
	}
	if a == "" || b == "" {
		return cmp.Compare(len(a), len(b))
	}
	sa, sb := moduleSteps(a), moduleSteps(b)
	if c := cmp.Compare(len(sa), len(sb)); c != 0 {
		return c
	}
	for i := range sa {
		if c := strings.Compare(sa[i].name, sb[i].name); c != 0 {
			return c
		}
		if c := compareKeys(sa[i].key, sb[i].key); c != 0 {
			return c
		}
	}
	return strings.Compare(a, b)
}

type rawStep struct{ name, key string }

// moduleSteps splits a module path's text into steps, each key as
// written between its brackets.
func moduleSteps(s string) []rawStep {
	var out []rawStep
	for rest := s; strings.HasPrefix(rest, "module."); {
		rest = rest[len("module."):]
		end := moduleStepEnd(rest)
		step := rest[:end]
		name, key := step, ""
		if i := strings.IndexByte(step, '['); i > 0 {
			name, key = step[:i], step[i+1:len(step)-1]
		}
		out = append(out, rawStep{name: name, key: key})
		rest = strings.TrimPrefix(rest[end:], ".")
	}
	return out
}

// moduleStepEnd is the length of the step NAME or NAME[KEY] at the start
// of s, skipping over a quoted key (which may hold dots and brackets).
func moduleStepEnd(s string) int {
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote && c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case !inQuote && c == '.':
			return i
		}
	}
	return len(s)
}

// compareKeys orders instance keys as written between brackets: none
// first, count indexes numerically before for_each keys, for_each keys as
// strings.
func compareKeys(a, b string) int {
	if a == b {
		return 0
	}
	if (a == "") != (b == "") {
		if a == "" {
			return -1
		}
		return 1
	}
	na, errA := strconv.ParseInt(a, 10, 64)
	nb, errB := strconv.ParseInt(b, 10, 64)
	switch {
	case errA == nil && errB == nil:
		return cmp.Compare(na, nb)
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	}
	return strings.Compare(trimQuotes(a), trimQuotes(b)) // "a" before "a b", as the keys themselves sort
}

func trimQuotes(k string) string {
	if len(k) >= 2 && k[0] == '"' && k[len(k)-1] == '"' {
		return k[1 : len(k)-1]
	}
	return k
}

// ModuleOf returns the module instance of an instance address as
// written: "module.net[0]" for module.net[0].huaweicloud_vpc.v, "" in the
// root module.
func ModuleOf(addr string) string { return splitAddr(addr).module }

// BlockOf returns the block address of an instance address, the address
// without its key: module.net[0].huaweicloud_vpc.v for
// module.net[0].huaweicloud_vpc.v[2]. It is Instance.Resource, what
// VersionedValues.Version receives.
func BlockOf(addr string) string {
	p := splitAddr(addr)
	if p.key == "" {
		return addr
	}
	return addr[:len(addr)-len(p.key)-2]
}

type addrParts struct {
	module string // the module path as written, "" for the root
	data   bool
	base   string // "type.name"
	key    string // between the brackets, as written
}

func splitAddr(s string) addrParts {
	var p addrParts
	if strings.HasPrefix(s, "module.") {
		end := 0
		for strings.HasPrefix(s[end:], "module.") {
			n := len("module.") + moduleStepEnd(s[end+len("module."):])
			if end+n >= len(s) {
				end = len(s) // a module address alone
				break
			}
			end += n + 1 // the step and the dot after it
		}
		p.module, s = strings.TrimSuffix(s[:end], "."), s[end:]
	}
	if rest, ok := strings.CutPrefix(s, "data."); ok {
		p.data, s = true, rest
	}
	p.base = s
	if i := strings.IndexByte(s, '['); i > 0 && strings.HasSuffix(s, "]") {
		p.base, p.key = s[:i], s[i+1:len(s)-1]
	}
	return p
}
