package template

import (
	"cmp"
	"strconv"
	"strings"
)

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
// orders and the renderings list them: managed resources before data
// sources, then by type, name, and instance key, count indexes numerically
// (vpc[2] before vpc[10]) and for_each keys as strings (vpc["a"] before
// vpc["a b"]). It returns -1, 0 or
// +1 like strings.Compare, and falls back to plain string order for
// anything that is not an address.
func CompareAddrs(a, b string) int {
	if a == b {
		return 0
	}
	pa, pb := splitAddr(a), splitAddr(b)
	if pa.data != pb.data {
		if pa.data {
			return 1
		}
		return -1
	}
	if c := strings.Compare(pa.base, pb.base); c != 0 {
		return c
	}
	if (pa.key == "") != (pb.key == "") {
		if pa.key == "" {
			return -1
		}
		return 1
	}
	if pa.numeric && pb.numeric {
		if c := cmp.Compare(pa.n, pb.n); c != 0 {
			return c
		}
	} else if pa.numeric != pb.numeric {
		if pa.numeric {
			return -1
		}
		return 1
	}
	if c := strings.Compare(pa.key, pb.key); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

type addrParts struct {
	data    bool
	base    string // "type.name"
	key     string // between the brackets, as written
	numeric bool
	n       int64
}

func splitAddr(s string) addrParts {
	var p addrParts
	if rest, ok := strings.CutPrefix(s, "data."); ok {
		p.data, s = true, rest
	}
	p.base = s
	if i := strings.IndexByte(s, '['); i > 0 && strings.HasSuffix(s, "]") {
		p.base, p.key = s[:i], s[i+1:len(s)-1]
		if n, err := strconv.ParseInt(p.key, 10, 64); err == nil {
			p.numeric, p.n = true, n
		} else if len(p.key) >= 2 && p.key[0] == '"' && p.key[len(p.key)-1] == '"' {
			p.key = p.key[1 : len(p.key)-1] // "a" before "a b", as the keys themselves sort
		}
	}
	return p
}
