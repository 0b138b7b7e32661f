package engine

import (
	"strings"
	"testing"

	"github.com/formation-engine/formation"
)

// FuzzParseEventFilter: any filter or field text either parses into
// something that obeys spec §3.4's rules or is refused with RF.10011070;
// nothing panics.
func FuzzParseEventFilter(f *testing.F) {
	for _, seed := range []string{
		"", "event_type==ERROR", "event_type==ERROR|event_type==LOG,resource_type==huaweicloud_vpc",
		"event_type==x;y", "a==b,,", "event_type!=LOG", "resource_name==a|resource_name==b,event_type==LOG",
		"event_type==LOG,event_type==ERROR", strings.Repeat("event_type==LOG|", 40),
	} {
		f.Add(seed, "event_message,timestamp")
	}
	f.Fuzz(func(t *testing.T, filter, field string) {
		flt, err := parseEventFilter("fuzz", filter)
		if err != nil {
			if !formation.HasCode(err, formation.CodeInvalidFilter) {
				t.Fatalf("filter %q: %v is not RF.10011070", filter, err)
			}
		} else {
			seen := map[string]bool{}
			for _, term := range flt.terms {
				if !filterParams[term.param] || seen[term.param] || len(term.values) == 0 {
					t.Fatalf("filter %q parsed into an invalid term %+v", filter, term)
				}
				seen[term.param] = true
				for _, v := range term.values {
					if !isFilterWord(v) {
						t.Fatalf("filter %q parsed value %q", filter, v)
					}
				}
			}
			if strings.Contains(filter, ";") && len(flt.terms) != 0 {
				t.Fatalf("filter %q contains ';' and was not ignored", filter)
			}
		}
		fields, err := parseEventFields("fuzz", field)
		if err != nil {
			if !formation.HasCode(err, formation.CodeInvalidFilter) {
				t.Fatalf("field %q: %v is not RF.10011070", field, err)
			}
			return
		}
		ev := formation.Event{Sequence: 1, EventType: formation.EventLog, EventMessage: "m", ResourceName: "r"}
		if got := fields.project(ev); got.EventType != ev.EventType || got.Sequence != ev.Sequence {
			t.Fatalf("field %q dropped event_type or sequence: %+v", field, got)
		}
	})
}
