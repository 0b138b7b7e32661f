package tfschema

import (
	"encoding/json"
	"fmt"
)

// A skimmer walks the outer levels of a JSON document without decoding the
// values it skips: a provider's schema is megabytes of JSON of which a
// template needs a few types, so the document is indexed by type (each
// type's bytes) and a type is decoded only when it is asked for. Skipping
// checks what indexing relies on (strings end, brackets balance); what is
// inside a type is checked when it is decoded.
type skimmer struct {
	data []byte
}

// syntaxError says where the document stops being JSON.
func (s *skimmer) syntaxError(i int, what string) error {
	if i >= len(s.data) {
		return fmt.Errorf("the JSON ends early (after %d bytes) %s", len(s.data), what)
	}
	return fmt.Errorf("the JSON is malformed at byte %d: %s", i, what)
}

// ws skips white space from i.
func (s *skimmer) ws(i int) int {
	for i < len(s.data) {
		switch s.data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// stringEnd is the index just after the string starting at i (a quote).
func (s *skimmer) stringEnd(i int) (int, error) {
	for j := i + 1; j < len(s.data); j++ {
		switch s.data[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, s.syntaxError(len(s.data), "inside a string")
}

// str decodes the string at i and returns it with the index after it.
func (s *skimmer) str(i int) (string, int, error) {
	if i >= len(s.data) || s.data[i] != '"' {
		return "", 0, s.syntaxError(i, "a string is expected")
	}
	end, err := s.stringEnd(i)
	if err != nil {
		return "", 0, err
	}
	raw := s.data[i:end]
	for _, c := range raw[1 : len(raw)-1] {
		if c == '\\' {
			var out string
			if err := json.Unmarshal(raw, &out); err != nil {
				return "", 0, s.syntaxError(i, err.Error())
			}
			return out, end, nil
		}
	}
	return string(raw[1 : len(raw)-1]), end, nil
}

// skip returns the index just after the value starting at i.
func (s *skimmer) skip(i int) (int, error) {
	i = s.ws(i)
	if i >= len(s.data) {
		return 0, s.syntaxError(i, "where a value is expected")
	}
	switch s.data[i] {
	case '"':
		return s.stringEnd(i)
	case '{', '[':
		depth := 0
		for j := i; j < len(s.data); j++ {
			switch s.data[j] {
			case '"':
				end, err := s.stringEnd(j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, s.syntaxError(len(s.data), "inside an object or array")
	}
	j := i
	for j < len(s.data) {
		switch s.data[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			if j == i {
				return 0, s.syntaxError(i, "a value is expected")
			}
			return j, nil
		}
		j++
	}
	return j, nil
}

// members calls fn for each member of the object starting at i, with the
// member's name and the bounds of its value, and returns the index after
// the object.
func (s *skimmer) members(i int, fn func(name string, start, end int) error) (int, error) {
	i = s.ws(i)
	if i >= len(s.data) || s.data[i] != '{' {
		return 0, s.syntaxError(i, "an object is expected")
	}
	i = s.ws(i + 1)
	if i < len(s.data) && s.data[i] == '}' {
		return i + 1, nil
	}
	for {
		name, next, err := s.str(s.ws(i))
		if err != nil {
			return 0, err
		}
		i = s.ws(next)
		if i >= len(s.data) || s.data[i] != ':' {
			return 0, s.syntaxError(i, "':' is expected after a member name")
		}
		start := s.ws(i + 1)
		end, err := s.skip(start)
		if err != nil {
			return 0, err
		}
		if err := fn(name, start, end); err != nil {
			return 0, err
		}
		i = s.ws(end)
		if i >= len(s.data) {
			return 0, s.syntaxError(i, "inside an object")
		}
		switch s.data[i] {
		case ',':
			i++
		case '}':
			return i + 1, nil
		default:
			return 0, s.syntaxError(i, "',' or '}' is expected")
		}
	}
}
