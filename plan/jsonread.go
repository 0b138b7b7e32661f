package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// reader reads a JSON document one value at a time, for Decode. Reading a
// stored plan through encoding/json's reflection, then each value again
// through cty's token decoder, cost ten times as much as planning it; the
// reader instead hands out the document's own bytes until a value is
// built from them.
type reader struct {
	data []byte
	pos  int
}

// next skips white space and returns the next byte, or 0 at the end.
func (r *reader) next() byte {
	for r.pos < len(r.data) {
		switch c := r.data[r.pos]; c {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return c
		}
	}
	return 0
}

func (r *reader) errorf(format string, args ...any) error {
	return fmt.Errorf("at offset %d: %s", r.pos, fmt.Sprintf(format, args...))
}

// consume reads the byte c.
func (r *reader) consume(c byte) error {
	if r.next() != c {
		return r.errorf("%q expected", c)
	}
	r.pos++
	return nil
}

// end checks that nothing but white space is left.
func (r *reader) end() error {
	if r.next() != 0 {
		return r.errorf("unexpected data after the value")
	}
	return nil
}

// object reads an object: field gets each key (valid until field returns)
// and must read the member's value.
func (r *reader) object(field func(key []byte) error) error {
	if err := r.consume('{'); err != nil {
		return err
	}
	if r.next() == '}' {
		r.pos++
		return nil
	}
	for {
		key, err := r.bytes()
		if err != nil {
			return err
		}
		if err := r.consume(':'); err != nil {
			return err
		}
		if err := field(key); err != nil {
			return err
		}
		switch r.next() {
		case ',':
			r.pos++
		case '}':
			r.pos++
			return nil
		default:
			return r.errorf("',' or '}' expected")
		}
	}
}

// array reads an array: elem must read each element.
func (r *reader) array(elem func() error) error {
	if err := r.consume('['); err != nil {
		return err
	}
	if r.next() == ']' {
		r.pos++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch r.next() {
		case ',':
			r.pos++
		case ']':
			r.pos++
			return nil
		default:
			return r.errorf("',' or ']' expected")
		}
	}
}

// scanString reads a string and returns what is between its quotes, and
// whether that needs unquoting (escapes, or bytes that are not UTF-8).
func (r *reader) scanString() (raw []byte, quoted bool, err error) {
	if r.next() != '"' {
		return nil, false, r.errorf("string expected")
	}
	start := r.pos + 1
	ascii := true
	for i := start; i < len(r.data); i++ {
		switch c := r.data[i]; {
		case c == '"':
			r.pos = i + 1
			raw = r.data[start:i]
			return raw, quoted || (!ascii && !utf8.Valid(raw)), nil
		case c == '\\':
			quoted = true
			i++
		case c < ' ':
			r.pos = i
			return nil, false, r.errorf("control character in a string")
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false, r.errorf("unterminated string")
}

// unquote decodes a string, quotes included, as encoding/json does (escapes,
// and invalid UTF-8 replaced): the rare string that needs it is left to it.
func (r *reader) unquote(quoted []byte) (string, error) {
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		return "", r.errorf("%v", err)
	}
	return s, nil
}

// string reads a string.
func (r *reader) string() (string, error) {
	start := r.pos
	raw, quoted, err := r.scanString()
	if err != nil || !quoted {
		return string(raw), err
	}
	return r.unquote(r.data[start:r.pos])
}

// bytes reads a string as bytes, which are the document's own unless the
// string needs unquoting.
func (r *reader) bytes() ([]byte, error) {
	start := r.pos
	raw, quoted, err := r.scanString()
	if err != nil || !quoted {
		return raw, err
	}
	s, err := r.unquote(r.data[start:r.pos])
	return []byte(s), err
}

// literal reads the literal lit (true, false or null) if it is next.
func (r *reader) literal(lit string) bool {
	r.next()
	if !bytes.HasPrefix(r.data[r.pos:], []byte(lit)) {
		return false
	}
	r.pos += len(lit)
	return true
}

// bool reads true or false.
func (r *reader) bool() (bool, error) {
	switch {
	case r.literal("true"):
		return true, nil
	case r.literal("false"):
		return false, nil
	}
	return false, r.errorf("true or false expected")
}

// number reads a number and returns its text.
func (r *reader) number() ([]byte, error) {
	r.next()
	start, i := r.pos, r.pos
	digits := func() bool {
		n := i
		for i < len(r.data) && r.data[i] >= '0' && r.data[i] <= '9' {
			i++
		}
		return i > n
	}
	if i < len(r.data) && r.data[i] == '-' {
		i++
	}
	intStart := i
	// The integer part is 0 or starts with 1-9: JSON (and so cty and
	// encoding/json) refuses leading zeros such as 01.
	ok := digits() && (r.data[intStart] != '0' || i == intStart+1)
	if ok && i < len(r.data) && r.data[i] == '.' {
		i++
		ok = digits()
	}
	if ok && i < len(r.data) && (r.data[i] == 'e' || r.data[i] == 'E') {
		i++
		if i < len(r.data) && (r.data[i] == '+' || r.data[i] == '-') {
			i++
		}
		ok = digits()
	}
	if !ok {
		return nil, r.errorf("number expected")
	}
	r.pos = i
	return r.data[start:i], nil
}

// int reads a number that is an integer.
func (r *reader) int() (int64, error) {
	text, err := r.number()
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(string(text), 10, 64)
	if err != nil {
		return 0, r.errorf("integer expected: %v", err)
	}
	return n, nil
}

// span reads any value and returns a reader of it alone, whose offsets are
// still the document's.
func (r *reader) span() (reader, error) {
	text, err := r.skip()
	return reader{data: r.data[:r.pos], pos: r.pos - len(text)}, err
}

// skip reads any value and returns its text.
func (r *reader) skip() ([]byte, error) {
	var err error
	switch c := r.next(); {
	case c == '{':
		start := r.pos
		err = r.object(func([]byte) error {
			_, err := r.skip()
			return err
		})
		return r.data[start:r.pos], err
	case c == '[':
		start := r.pos
		err = r.array(func() error {
			_, err := r.skip()
			return err
		})
		return r.data[start:r.pos], err
	case c == '"':
		start := r.pos
		_, _, err = r.scanString()
		return r.data[start:r.pos], err
	case c == '-' || (c >= '0' && c <= '9'):
		return r.number()
	}
	start := r.pos
	if !r.literal("true") && !r.literal("false") && !r.literal("null") {
		return nil, r.errorf("value expected")
	}
	return r.data[start:r.pos], nil
}
