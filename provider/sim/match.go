package sim

import (
	"fmt"
	"strings"
)

// Match selects provider calls, for faults and latency rules. Every field
// that is set must match; the zero Match matches every call.
type Match struct {
	// Op is the operation; "" matches any.
	Op Op
	// Type is the resource or data source type, matched exactly; ""
	// matches any.
	Type string
	// Address is a pattern for the resource address, where '*' matches
	// any run of characters (dots and brackets included) and every other
	// character matches itself: "huaweicloud_vpc.*", "*.web[*]",
	// `*["blue"]`. "" matches any.
	Address string
}

// validate checks the match's fields.
func (m Match) validate() error {
	if m.Op != "" && !m.Op.Valid() {
		return fmt.Errorf("unknown op %q", m.Op)
	}
	return nil
}

// matches reports whether a call of op on a resource of type typ at address
// is selected.
func (m Match) matches(op Op, typ, address string) bool {
	return (m.Op == "" || m.Op == op) &&
		(m.Type == "" || m.Type == typ) &&
		(m.Address == "" || glob(m.Address, address))
}

// glob reports whether s matches pattern, where '*' matches any run of
// characters and everything else matches itself. Unlike path.Match, '[' and
// '?' are literal, because resource addresses contain brackets.
func glob(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(s, part)
		if i < 0 {
			return false
		}
		s = s[i+len(part):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}
