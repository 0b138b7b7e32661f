package rfsapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/formation-engine/formation"
)

// readBody reads the whole body, refusing one longer than limit as soon as
// it passes the limit: a client cannot make the server hold more.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, tooLarge(limit)
	case err != nil:
		return nil, formation.Wrap(formation.CodeInvalidParameter, "rfsapi", "", err)
	}
	return b, nil
}

func tooLarge(limit int64) error {
	return formation.Errorf(formation.CodeTooLong, "rfsapi", "", "the request body is longer than %d bytes, more than the operation's parameters can take", limit)
}

// checkQuery parses a query string, refusing a parameter given twice
// (RF.10011197) and one the operation does not take (RF.10011002). The
// access_control_* parameters of GetStackTemplate are lists, repeated by
// design.
func checkQuery(raw string, allowed []string) (url.Values, error) {
	const op = "rfsapi"
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, formation.Wrap(formation.CodeInvalidParameter, op, "", err)
	}
	for k, vs := range q {
		switch {
		case !slices.Contains(allowed, k):
			return nil, formation.Errorf(formation.CodeUnrecognizedParameter, op, "", "unrecognized parameter(s): %s", k)
		case len(vs) > 1 && !strings.HasPrefix(k, "access_control_"):
			return nil, formation.Errorf(formation.CodeDuplicateQuery, op, "", "duplicate values cannot be assigned to the same query parameter: %s", k)
		}
	}
	return q, nil
}

// decode reads a JSON body into v, refusing fields v does not have
// (RF.10011002), trailing data, and a missing body where one is required.
func decode(body []byte, v any, required bool) error {
	const op = "rfsapi"
	if len(bytes.TrimSpace(body)) == 0 {
		if required {
			return formation.Errorf(formation.CodeMissingParameter, op, "", "missing required parameter(s): the request body")
		}
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return formation.Errorf(formation.CodeUnrecognizedParameter, op, "", "unrecognized parameter(s): %s", field)
		}
		return formation.Errorf(formation.CodeInvalidParameter, op, "", "the request body is not valid JSON for this operation: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return formation.Errorf(formation.CodeInvalidParameter, op, "", "the request body has data after its JSON object")
	}
	return nil
}
