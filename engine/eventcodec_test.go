package engine

import (
	"errors"
	"testing"
	"time"

	"github.com/formation-engine/formation"
)

func TestEventCodec_RoundTripAndFilter(t *testing.T) {
	full := formation.Event{
		Sequence: 42, DeploymentID: "11111111-1111-4111-8111-111111111111",
		Time: formation.NewTime(time.Date(2026, 11, 22, 8, 0, 5, 0, time.UTC)), EventType: formation.EventCreationComplete,
		EventMessage: "huaweicloud_vpc.vpc: Creation complete after 8s [id=v-1]", ResourceType: "huaweicloud_vpc",
		ResourceName: "vpc", ResourceKey: "0", ResourceIDKey: "id", ResourceIDValue: "v-1", ElapsedSeconds: 8,
	}
	inModule := full
	inModule.ModuleAddress, inModule.EventMessage = `module.net["a"]`, `module.net["a"].huaweicloud_vpc.vpc: Creation complete after 8s [id=v-1]`
	for _, ev := range []formation.Event{full, inModule, {Sequence: 1, EventType: formation.EventLog}} {
		got, ok, err := decodeEvent(encodeEvent(&ev), nil)
		if err != nil || !ok || got != ev {
			t.Fatalf("round trip of %+v gave %+v, %v, %v", ev, got, ok, err)
		}
	}
	f, _ := parseEventFilter("test", "event_type==ERROR")
	if _, ok, err := decodeEvent(encodeEvent(&full), &f); ok || err != nil {
		t.Fatalf("a non-matching event decoded as matching (%v, %v)", ok, err)
	}
	f, _ = parseEventFilter("test", "resource_name==vpc")
	if got, ok, err := decodeEvent(encodeEvent(&full), &f); !ok || err != nil || got != full {
		t.Fatalf("a matching event: %+v, %v, %v", got, ok, err)
	}
	// An event stored before modules ends after elapsed_seconds: the
	// module address is what follows it, when anything does.
	raw := encodeEvent(&full)
	withModule, root := encodeEvent(&inModule), inModule
	root.ModuleAddress = ""
	if old := encodeEvent(&root); string(withModule[:len(old)]) != string(old) || len(withModule) != len(old)+1+len(inModule.ModuleAddress) {
		t.Fatalf("the module address is not a trailing field: %q, %q", old, withModule)
	}
	for _, bad := range [][]byte{nil, {9}, raw[:len(raw)/2], raw[:1], withModule[:len(withModule)-1]} {
		if _, _, err := decodeEvent(bad, nil); !errors.Is(err, formation.ErrInternal) {
			t.Fatalf("malformed %v decoded without an internal error: %v", bad, err)
		}
	}
}
