package rfsapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/formation-engine/formation"
)

// Key is an access key: the AK/SK pair the SDK signs with, and the
// projects it may use ("*": any).
type Key struct {
	AccessKey string   `json:"access_key"`
	SecretKey string   `json:"secret_key"`
	Projects  []string `json:"projects"`
}

func (k *Key) allows(project string) bool {
	return slices.Contains(k.Projects, project) || slices.Contains(k.Projects, "*")
}

// Keys are the access keys a Handler accepts.
type Keys struct {
	byAK map[string]*Key
}

// NewKeys checks keys: each with an access key, a secret key and at least
// one project, no access key twice.
func NewKeys(keys []Key) (*Keys, error) {
	const op = "rfsapi.NewKeys"
	ks := &Keys{byAK: map[string]*Key{}}
	for i := range keys {
		k := keys[i]
		switch {
		case k.AccessKey == "" || k.SecretKey == "":
			return nil, formation.Errorf(formation.CodeInvalidParameter, op, "", "key %d: access_key and secret_key are required", i+1)
		case len(k.Projects) == 0:
			return nil, formation.Errorf(formation.CodeInvalidParameter, op, k.AccessKey, "the key may use no project: list its projects, or \"*\"")
		case ks.byAK[k.AccessKey] != nil:
			return nil, formation.Errorf(formation.CodeInvalidParameter, op, k.AccessKey, "the access key is given twice")
		}
		for _, p := range k.Projects {
			if err := validProject(p); p != "*" && err != nil {
				return nil, formation.Wrap(formation.CodeInvalidParameter, op, k.AccessKey, err)
			}
		}
		ks.byAK[k.AccessKey] = &k
	}
	return ks, nil
}

// ReadKeys reads a credentials file: {"keys": [{"access_key", "secret_key",
// "projects": [...]}]}.
func ReadKeys(r io.Reader) (*Keys, error) {
	var doc struct {
		Keys []Key `json:"keys"`
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, formation.Wrap(formation.CodeInvalidParameter, "rfsapi.ReadKeys", "", err)
	}
	return NewKeys(doc.Keys)
}

// MaxClockSkew is how far X-Sdk-Date may be from the server's clock.
const MaxClockSkew = 15 * time.Minute

const (
	sdkAlgorithm = "SDK-HMAC-SHA256"
	sdkDate      = "20060102T150405Z"
)

func authFailed(format string, args ...any) error {
	return formation.Errorf(formation.CodeAuthFailed, "rfsapi", "", "Authentication failed: "+format, args...)
}

// verify checks the request's SDK-HMAC-SHA256 signature the way the SDK's
// core/auth/signer makes it, and returns the key that signed it.
func (ks *Keys) verify(r *http.Request, body []byte, now time.Time) (*Key, error) {
	auth := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, sdkAlgorithm+" ")
	if !ok {
		return nil, authFailed("the request is not signed with %s", sdkAlgorithm)
	}
	fields := map[string]string{}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		fields[k] = v
	}
	key := ks.byAK[fields["Access"]]
	if key == nil {
		return nil, authFailed("unknown access key")
	}
	date := r.Header.Get("X-Sdk-Date")
	t, err := time.Parse(sdkDate, date)
	if err != nil {
		return nil, authFailed("X-Sdk-Date %q is not a date like 20060102T150405Z", date)
	}
	if d := now.Sub(t); d > MaxClockSkew || d < -MaxClockSkew {
		return nil, authFailed("X-Sdk-Date is more than %v from the server's time", MaxClockSkew)
	}
	signed := strings.Split(fields["SignedHeaders"], ";")
	if !slices.Contains(signed, "x-sdk-date") {
		return nil, authFailed("X-Sdk-Date is not signed")
	}
	want := signature(key.SecretKey, date, canonicalRequest(r, signed, body))
	if !hmac.Equal([]byte(want), []byte(fields["Signature"])) {
		return nil, authFailed("the signature does not match")
	}
	return key, nil
}

func signature(secret, date, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	sts := sdkAlgorithm + "\n" + date + "\n" + hex.EncodeToString(sum[:])
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(sts))
	return hex.EncodeToString(m.Sum(nil))
}

// canonicalRequest is the SDK signer's: method, escaped path with a
// trailing slash, sorted escaped query, the signed headers' lowercase
// "name:value" lines, their names, and the body's SHA-256.
func canonicalRequest(r *http.Request, signed []string, body []byte) string {
	segs := strings.Split(r.URL.Path, "/")
	for i, s := range segs {
		segs[i] = escape(s)
	}
	path := strings.Join(segs, "/")
	if !strings.HasSuffix(path, "/") {
		path += "/"
	}
	q := r.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var query []string
	for _, k := range keys {
		vs := slices.Clone(q[k])
		sort.Strings(vs)
		for _, v := range vs {
			query = append(query, escape(k)+"="+escape(v))
		}
	}
	var headers strings.Builder
	for _, h := range signed {
		// As the signer: a header's values sorted. (The SDK never sends a
		// signed Host, so net/http moving it to r.Host does not matter.)
		vs := slices.Clone(r.Header.Values(h))
		sort.Strings(vs)
		for _, v := range vs {
			headers.WriteString(h + ":" + strings.TrimSpace(v) + "\n")
		}
	}
	hash := r.Header.Get("X-Sdk-Content-Sha256")
	if hash == "" {
		sum := sha256.Sum256(body)
		hash = hex.EncodeToString(sum[:])
	}
	return fmt.Sprintf("%s\n%s\n%s\n%s\n%s\n%s", r.Method, path, strings.Join(query, "&"), headers.String(), strings.Join(signed, ";"), hash)
}

// escape is the signer's: every byte but A-Z a-z 0-9 _ - ~ . as %XX.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '~' || c == '.' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
