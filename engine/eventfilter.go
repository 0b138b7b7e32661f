package engine

import (
	"slices"
	"strings"

	"github.com/formation-engine/formation"
)

// Limits of ListStackEvents' filter and field parameters (spec §3.4).
const (
	MaxEventFilterLength = 512
	MaxEventFieldLength  = 128
)

// eventFilter is a parsed RFS events filter: a conjunction of terms, each a
// disjunction of values of one parameter. "event_type==ERROR|event_type==LOG,
// resource_type==huaweicloud_vpc" is two terms: event_type in {ERROR, LOG}
// and resource_type in {huaweicloud_vpc}. The zero filter matches every
// event.
type eventFilter struct {
	terms []filterTerm
}

type filterTerm struct {
	param  string
	values []string
}

// filterParams are the parameters a filter may test.
var filterParams = map[string]bool{"event_type": true, "resource_type": true, "resource_name": true}

// parseEventFilter parses the filter syntax of spec §3.4: AND is ',', OR is
// '|' and binds tighter, the only operator is '==', names and values are
// [A-Za-z0-9_]+, every OR alternative of a term tests the same parameter, and
// a parameter appears in one term only. A filter containing ';' is ignored,
// as RFS does.
func parseEventFilter(op, s string) (eventFilter, error) {
	bad := func(format string, args ...any) error {
		return formation.Errorf(formation.CodeInvalidFilter, op, "", "filter %q: "+format, append([]any{s}, args...)...)
	}
	switch {
	case len(s) > MaxEventFilterLength:
		return eventFilter{}, formation.Errorf(formation.CodeInvalidFilter, op, "", "filter is %d characters long, more than %d", len(s), MaxEventFilterLength)
	case s == "" || strings.Contains(s, ";"):
		return eventFilter{}, nil
	}
	var f eventFilter
	seen := map[string]bool{}
	for _, and := range strings.Split(s, ",") {
		var term filterTerm
		for _, alt := range strings.Split(and, "|") {
			name, value, ok := strings.Cut(alt, "==")
			switch {
			case !ok:
				return eventFilter{}, bad("%q is not of the form name==value", alt)
			case !isFilterWord(name) || !isFilterWord(value):
				return eventFilter{}, bad("names and values may contain only letters, digits and '_' (in %q)", alt)
			case !filterParams[name]:
				return eventFilter{}, bad("%q cannot be filtered on; use event_type, resource_type or resource_name", name)
			case term.param != "" && term.param != name:
				return eventFilter{}, bad("the alternatives of %q test different parameters", and)
			}
			term.param = name
			term.values = append(term.values, value)
		}
		if seen[term.param] {
			return eventFilter{}, bad("%s appears in more than one AND term", term.param)
		}
		seen[term.param] = true
		f.terms = append(f.terms, term)
	}
	return f, nil
}

func isFilterWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// matchRaw reports whether an event matches, given the stored bytes of its
// three filterable fields; comparing string(b) == v does not allocate.
func (f eventFilter) matchRaw(typ, rtype, rname []byte) bool {
	for _, t := range f.terms {
		var field []byte
		switch t.param {
		case "event_type":
			field = typ
		case "resource_type":
			field = rtype
		default:
			field = rname
		}
		hit := false
		for _, v := range t.values {
			if string(field) == v {
				hit = true
				break
			}
		}
		if !hit {
			return false
		}
	}
	return true
}

// eventTypes returns the event types the filter allows, or nil when it does
// not restrict the type; the query then walks the per-type index.
func (f eventFilter) eventTypes() []formation.EventType {
	for _, t := range f.terms {
		if t.param == "event_type" {
			out := make([]formation.EventType, 0, len(t.values))
			for _, v := range t.values {
				if !slices.Contains(out, formation.EventType(v)) {
					out = append(out, formation.EventType(v))
				}
			}
			return out
		}
	}
	return nil
}

// eventFields is a parsed field list: which attributes ListStackEvents
// returns. nil returns all. event_type is always returned, and so are
// Formation's own sequence and deployment_id, which RFS does not have.
type eventFields map[string]bool

// selectableFields are the names spec §3.4 allows; "timestamp" selects the
// "time" attribute.
var selectableFields = []string{
	"elapsed_seconds", "event_message", "resource_id_key", "resource_id_value",
	"resource_key", "resource_type", "resource_name", "timestamp", "event_type",
}

func parseEventFields(op, s string) (eventFields, error) {
	switch {
	case len(s) > MaxEventFieldLength:
		return nil, formation.Errorf(formation.CodeInvalidFilter, op, "", "field is %d characters long, more than %d", len(s), MaxEventFieldLength)
	case s == "":
		return nil, nil
	}
	fields := eventFields{}
	for _, name := range strings.Split(s, ",") {
		if !isFilterWord(name) || !slices.Contains(selectableFields, name) {
			return nil, formation.Errorf(formation.CodeInvalidFilter, op, "", "field %q: %q is not a selectable attribute (%s)",
				s, name, strings.Join(selectableFields, ", "))
		}
		fields[name] = true
	}
	return fields, nil
}

// project clears the attributes the field list does not select.
func (fields eventFields) project(e formation.Event) formation.Event {
	if fields == nil {
		return e
	}
	out := formation.Event{Sequence: e.Sequence, DeploymentID: e.DeploymentID, EventType: e.EventType}
	if fields["timestamp"] {
		out.Time = e.Time
	}
	if fields["event_message"] {
		out.EventMessage = e.EventMessage
	}
	if fields["resource_type"] {
		out.ResourceType = e.ResourceType
	}
	if fields["resource_name"] {
		out.ResourceName = e.ResourceName
	}
	if fields["resource_key"] {
		out.ResourceKey = e.ResourceKey
	}
	if fields["resource_id_key"] {
		out.ResourceIDKey = e.ResourceIDKey
	}
	if fields["resource_id_value"] {
		out.ResourceIDValue = e.ResourceIDValue
	}
	if fields["elapsed_seconds"] {
		out.ElapsedSeconds = e.ElapsedSeconds
	}
	return out
}
