package template

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

func stringFunc(desc string, impl func(s string) (string, error)) function.Function {
	return function.New(&function.Spec{
		Description:  desc,
		Params:       []function.Parameter{{Name: "str", Type: cty.String}},
		Type:         function.StaticReturnType(cty.String),
		RefineResult: func(b *cty.RefinementBuilder) *cty.RefinementBuilder { return b.NotNull() },
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			out, err := impl(args[0].AsString())
			if err != nil {
				return cty.NilVal, err
			}
			return cty.StringVal(out), nil
		},
	})
}

var base64EncodeFunc = stringFunc("Encodes a string with base64.", func(s string) (string, error) {
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
})

var base64DecodeFunc = stringFunc("Decodes a base64 string; the result must be UTF-8.", func(s string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return "", fmt.Errorf("failed to decode base64 data %q", s)
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("the result of decoding the provided string is not valid UTF-8")
	}
	return string(b), nil
})

var base64GzipFunc = stringFunc("Compresses a string with gzip and encodes the result with base64.", func(s string) (string, error) {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write([]byte(s)); err != nil {
		return "", err
	}
	// Terraform flushes before closing, which adds an empty stored block:
	// the same bytes, and so the same base64, as Terraform's.
	if err := w.Flush(); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
})

var urlEncodeFunc = stringFunc("Applies URL encoding to a string.", func(s string) (string, error) {
	return url.QueryEscape(s), nil
})

func hashMD5() hash.Hash    { return md5.New() }
func hashSHA1() hash.Hash   { return sha1.New() }
func hashSHA256() hash.Hash { return sha256.New() }
func hashSHA512() hash.Hash { return sha512.New() }

// hashFunc hashes a string's UTF-8 bytes, rendering the digest in hex, or
// in base64 when b64 is set (base64sha256, base64sha512).
func hashFunc(newHash func() hash.Hash, b64 bool) function.Function {
	return stringFunc("Hashes a string.", func(s string) (string, error) {
		h := newHash()
		h.Write([]byte(s))
		if b64 {
			return base64.StdEncoding.EncodeToString(h.Sum(nil)), nil
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	})
}

// uuidFunc returns a random version 4 UUID, a different one on every call,
// as terraform's uuid does.
var uuidFunc = function.New(&function.Spec{
	Description: "Returns a random UUID.",
	Type:        function.StaticReturnType(cty.String),
	Impl: func(_ []cty.Value, _ cty.Type) (cty.Value, error) {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return cty.NilVal, err
		}
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		return cty.StringVal(formatUUID(b)), nil
	},
})

var uuidNamespaces = map[string]string{
	"dns":  "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
	"url":  "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
	"oid":  "6ba7b812-9dad-11d1-80b4-00c04fd430c8",
	"x500": "6ba7b814-9dad-11d1-80b4-00c04fd430c8",
}

// uuidV5Func returns the name-based (SHA-1) UUID of name in a namespace:
// dns, url, oid, x500, or a UUID.
var uuidV5Func = function.New(&function.Spec{
	Description: "Returns a version 5 UUID of name in namespace.",
	Params: []function.Parameter{
		{Name: "namespace", Type: cty.String},
		{Name: "name", Type: cty.String},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		ns := args[0].AsString()
		if known, ok := uuidNamespaces[ns]; ok {
			ns = known
		}
		nsBytes, ok := parseUUID(ns)
		if !ok {
			return cty.NilVal, fmt.Errorf("uuidv5() doesn't support namespace %s", args[0].AsString())
		}
		h := sha1.New()
		h.Write(nsBytes[:])
		h.Write([]byte(args[1].AsString()))
		var b [16]byte
		copy(b[:], h.Sum(nil))
		b[6] = b[6]&0x0f | 0x50
		b[8] = b[8]&0x3f | 0x80
		return cty.StringVal(formatUUID(b)), nil
	},
})

func formatUUID(b [16]byte) string {
	s := hex.EncodeToString(b[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:32]
}

func parseUUID(s string) ([16]byte, bool) {
	var b [16]byte
	// The forms Terraform's UUID parser takes: plain, braced, as a URN, and
	// 32 hex digits without dashes.
	switch {
	case len(s) == 38 && s[0] == '{' && s[37] == '}':
		s = s[1:37]
	case len(s) == 45 && strings.EqualFold(s[:9], "urn:uuid:"):
		s = s[9:]
	case len(s) == 32:
		n, err := hex.Decode(b[:], []byte(s))
		return b, err == nil && n == 16
	}
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return b, false
	}
	raw := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	n, err := hex.Decode(b[:], []byte(raw))
	return b, err == nil && n == 16
}
