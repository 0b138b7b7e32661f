package engine

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/formation-engine/formation"
)

// Events are stored in a compact binary form rather than JSON: a stack can
// hold millions, and a filtered ListStackEvents reads until it has a page.
// The fields a filter tests come first, so an event that does not match is
// rejected after three strings, without decoding the rest.
//
//	version byte (1)
//	event_type, resource_type, resource_name  (uvarint length + bytes each)
//	sequence (uvarint), time (varint Unix seconds; 0 for none)
//	deployment_id, event_message, resource_key, resource_id_key,
//	resource_id_value (strings), elapsed_seconds (varint)
//	module_address (string), only when not empty: events stored before
//	modules end after elapsed_seconds, and read as the root module's
const eventCodecVersion = 1

var errBadEvent = errors.New("stored event is malformed")

func encodeEvent(ev *formation.Event) []byte {
	return appendEvent(make([]byte, 0, 64+len(ev.EventMessage)+len(ev.ResourceIDValue)), ev)
}

// appendEvent appends encodeEvent(ev) to b.
func appendEvent(b []byte, ev *formation.Event) []byte {
	b = append(b, eventCodecVersion)
	for _, s := range []string{string(ev.EventType), ev.ResourceType, ev.ResourceName} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, ev.Sequence)
	var unix int64
	if !ev.Time.IsZero() {
		unix = ev.Time.Unix()
	}
	b = binary.AppendVarint(b, unix)
	for _, s := range []string{ev.DeploymentID, ev.EventMessage, ev.ResourceKey, ev.ResourceIDKey, ev.ResourceIDValue} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendVarint(b, ev.ElapsedSeconds)
	if ev.ModuleAddress != "" {
		b = binary.AppendUvarint(b, uint64(len(ev.ModuleAddress)))
		b = append(b, ev.ModuleAddress...)
	}
	return b
}

// eventReader decodes one stored event, front to back.
type eventReader struct {
	b   []byte
	err error
}

func (r *eventReader) str() string { return string(r.raw()) }

// raw returns the next string field without copying it.
func (r *eventReader) raw() []byte {
	n, k := binary.Uvarint(r.b)
	if k <= 0 || uint64(len(r.b)-k) < n {
		r.err, r.b = errBadEvent, nil
		return nil
	}
	s := r.b[k : k+int(n)]
	r.b = r.b[k+int(n):]
	return s
}

func (r *eventReader) uvarint() uint64 {
	v, k := binary.Uvarint(r.b)
	if k <= 0 {
		r.err, r.b = errBadEvent, nil
		return 0
	}
	r.b = r.b[k:]
	return v
}

func (r *eventReader) varint() int64 {
	v, k := binary.Varint(r.b)
	if k <= 0 {
		r.err, r.b = errBadEvent, nil
		return 0
	}
	r.b = r.b[k:]
	return v
}

// decodeEvent decodes a stored event; with f, it stops as soon as the
// filtered fields show the event does not match (ok false).
func decodeEvent(raw []byte, f *eventFilter) (ev formation.Event, ok bool, err error) {
	if len(raw) == 0 || raw[0] != eventCodecVersion {
		return ev, false, formation.Wrap(formation.CodeInternal, "engine.decodeEvent", "", errBadEvent)
	}
	r := eventReader{b: raw[1:]}
	typ, rtype, rname := r.raw(), r.raw(), r.raw()
	if r.err == nil && f != nil && !f.matchRaw(typ, rtype, rname) {
		return ev, false, nil // rejected without allocating
	}
	ev.EventType, ev.ResourceType, ev.ResourceName = formation.EventType(typ), string(rtype), string(rname)
	ev.Sequence = r.uvarint()
	if unix := r.varint(); unix != 0 {
		ev.Time = formation.NewTime(time.Unix(unix, 0))
	}
	ev.DeploymentID = r.str()
	ev.EventMessage = r.str()
	ev.ResourceKey = r.str()
	ev.ResourceIDKey = r.str()
	ev.ResourceIDValue = r.str()
	ev.ElapsedSeconds = r.varint()
	if len(r.b) > 0 {
		ev.ModuleAddress = r.str()
	}
	if r.err != nil {
		return ev, false, formation.Wrap(formation.CodeInternal, "engine.decodeEvent", "", r.err)
	}
	return ev, true, nil
}
