package engine

import (
	"maps"
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

// projections are the attributes spec §3.4 lets a field list select, with
// how each is copied; "timestamp" selects the "time" attribute. event_type
// is always returned, and may be named too.
var projections = map[string]func(dst *formation.Event, src formation.Event){
	"elapsed_seconds":   func(d *formation.Event, s formation.Event) { d.ElapsedSeconds = s.ElapsedSeconds },
	"event_message":     func(d *formation.Event, s formation.Event) { d.EventMessage = s.EventMessage },
	"resource_id_key":   func(d *formation.Event, s formation.Event) { d.ResourceIDKey = s.ResourceIDKey },
	"resource_id_value": func(d *formation.Event, s formation.Event) { d.ResourceIDValue = s.ResourceIDValue },
	"resource_key":      func(d *formation.Event, s formation.Event) { d.ResourceKey = s.ResourceKey },
	"resource_type":     func(d *formation.Event, s formation.Event) { d.ResourceType = s.ResourceType },
	"resource_name":     func(d *formation.Event, s formation.Event) { d.ResourceName = s.ResourceName },
	"module_address":    func(d *formation.Event, s formation.Event) { d.ModuleAddress = s.ModuleAddress },
	"timestamp":         func(d *formation.Event, s formation.Event) { d.Time = s.Time },
	"event_type":        func(*formation.Event, formation.Event) {},
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
		if _, ok := projections[name]; !ok || !isFilterWord(name) {
			return nil, formation.Errorf(formation.CodeInvalidFilter, op, "", "field %q: %q is not a selectable attribute (%s)",
				s, name, strings.Join(slices.Sorted(maps.Keys(projections)), ", "))
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
	for name := range fields {
		projections[name](&out, e)
	}
	return out
}
