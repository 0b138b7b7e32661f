package formation

import (
	"bytes"
	"time"
)

// TimeLayout is how RFS renders stack, plan and event times: RFC3339 to the
// second, in UTC ("2023-05-15T12:23:38Z").
const TimeLayout = "2006-01-02T15:04:05Z"

// Time is a time.Time that renders in JSON the RFS way (TimeLayout) and is
// left out of JSON when zero (fields are tagged omitzero). Values are kept to
// the second and in UTC, so what is stored is exactly what is rendered.
type Time struct{ time.Time }

// NewTime truncates t to the second and moves it to UTC.
func NewTime(t time.Time) Time {
	if t.IsZero() {
		return Time{}
	}
	return Time{t.UTC().Truncate(time.Second)}
}

// String renders the time in TimeLayout, or "" when zero.
func (t Time) String() string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}

// MarshalJSON renders the time in TimeLayout; the zero time renders as null.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.String() + `"`), nil
}

// UnmarshalJSON accepts TimeLayout (and any RFC3339 time, truncated to the
// second) or null.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*t = Time{}
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return &Error{Code: CodeInvalidParameter, Op: "formation.Time", Message: "time is not a JSON string: " + string(b)}
	}
	parsed, err := time.Parse(time.RFC3339, string(b[1:len(b)-1]))
	if err != nil {
		return &Error{Code: CodeInvalidParameter, Op: "formation.Time", Err: err}
	}
	*t = NewTime(parsed)
	return nil
}
