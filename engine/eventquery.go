package engine

import (
	"bytes"
	"context"
	"encoding/binary"
	"slices"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/store"
)

// eventSource is an ordered run of one stack's events: the whole log
// (Events, keyed by sequence), one index of it (EventIndex, by type, or by
// deployment for deployments recorded before deploymentRecord.FirstEvent,
// keys ending in the sequence), or one deployment's part of the log.
type eventSource struct {
	stackID string
	bucket  store.Bucket
	prefix  []byte
	// deployment, when set, keeps only that deployment's events, which
	// the log holds from first to last (0: to the newest).
	deployment  string
	first, last uint64
}

func logSource(stackID string) eventSource {
	return eventSource{stackID: stackID, bucket: store.Events, prefix: childPrefix(stackID)}
}

// deploymentSource is the run of a stack's events that holds dep's: the
// log between its first and last events. A deployment recorded before
// those were kept has its events in the deployment index, unless it was
// still running when they began to be kept: then its later events are in
// no index, and the whole log up to its end is read.
func deploymentSource(stackID string, dep *deploymentRecord) eventSource {
	if dep.FirstEvent == 0 && dep.LastEvent == 0 && dep.done() {
		return eventSource{stackID: stackID, bucket: store.EventIndex, prefix: deploymentIndexPrefix(stackID, dep.ID)}
	}
	src := logSource(stackID)
	src.deployment, src.first, src.last = dep.ID, max(dep.FirstEvent, 1), dep.LastEvent
	return src
}

func typeSource(stackID string, t formation.EventType) eventSource {
	return eventSource{stackID: stackID, bucket: store.EventIndex, prefix: typeIndexPrefix(stackID, t)}
}

// scan visits the source's events that match f from sequence from
// (inclusive; 0 means the newest with reverse, the oldest without) in the
// direction asked. want is how many fn is likely to take.
func (s eventSource) scan(tx store.Tx, f eventFilter, from uint64, reverse bool, want int, fn func(formation.Event) (bool, error)) error {
	if reverse {
		return s.scanBack(tx, f, from, want, fn)
	}
	from = max(from, s.first)
	var start []byte
	if from > 0 {
		start = s.key(from)
	}
	return tx.Scan(s.bucket, store.ScanOptions{Prefix: s.prefix, Start: start}, func(k, v []byte) (bool, error) {
		if s.last > 0 && binary.BigEndian.Uint64(k[len(s.prefix):]) > s.last {
			return false, nil
		}
		return s.visit(tx, &f, k, v, fn)
	})
}

// key is the source's key of sequence seq.
func (s eventSource) key(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(nil), s.prefix...), seq)
}

// visit hands the event of one of the source's entries to fn if it
// matches f. An index entry holds the event (the type index) or names it
// (the deployment index, and type indexes written before they held it).
func (s eventSource) visit(tx store.Tx, f *eventFilter, k, v []byte, fn func(formation.Event) (bool, error)) (bool, error) {
	if s.bucket != store.Events && len(v) == 0 {
		seq := binary.BigEndian.Uint64(k[len(s.prefix):])
		if v = tx.Get(store.Events, eventKey(s.stackID, seq)); v == nil {
			return false, formation.Errorf(formation.CodeInternal, "engine.events", s.stackID, "index names event %d, which is not stored", seq)
		}
	}
	ev, ok, err := decodeEvent(v, f)
	if err != nil || !ok || s.deployment != "" && ev.DeploymentID != s.deployment {
		return err == nil, err
	}
	return fn(ev)
}

// The windows of scanBack: the first spans firstWindow sequence numbers
// (of the whole log, just the events wanted), each next one twice the
// last, up to maxWindow.
const firstWindow, maxWindow = 128, 4096

// scanBack visits the source's events that match f from sequence from (0:
// the newest) back to the oldest, newest first. It reads forward windows of
// sequence numbers, the newest first, because etcd has no descending range
// (it reads and sorts a whole range to answer one, 100,000 events for the
// newest page of a stack of 100,000), while a window is one short forward
// read on every store. Windows grow, so that a sparse index (a stack's
// errors) is crossed in a few reads.
//
// The log holds every sequence number (and a deployment's run of it mostly
// that deployment's events), so its first window is the events wanted: a
// page of the newest ten events read 128 and copied them.
func (s eventSource) scanBack(tx store.Tx, f eventFilter, from uint64, want int, fn func(formation.Event) (bool, error)) error {
	hi := from
	if t, ok := tx.(*txn); ok && hi == 0 {
		hi = t.lastSeq[s.stackID] // appended in this transaction, not yet recorded
	}
	if hi == 0 {
		var err error
		if hi, err = lastEventSeq(tx, s.stackID); err != nil {
			return err
		}
	}
	if s.last > 0 {
		hi = min(hi, s.last)
	}
	floor := max(s.first, 1)
	type entry struct{ k, v []byte }
	var window []entry
	w := uint64(firstWindow)
	if s.bucket == store.Events {
		w = uint64(min(max(want, 1), firstWindow))
	}
	for ; hi >= floor; w = min(2*w, maxWindow) {
		lo := floor
		if hi >= floor+w {
			lo = hi - w + 1
		}
		end := s.key(hi)
		window = window[:0]
		err := tx.Scan(s.bucket, store.ScanOptions{Prefix: s.prefix, Start: s.key(lo)}, func(k, v []byte) (bool, error) {
			if bytes.Compare(k, end) > 0 {
				return false, nil
			}
			window = append(window, entry{bytes.Clone(k), bytes.Clone(v)})
			return true, nil
		})
		if err != nil {
			return err
		}
		for i := len(window) - 1; i >= 0; i-- {
			if more, err := s.visit(tx, &f, window[i].k, window[i].v, fn); err != nil || !more {
				return err
			}
		}
		hi = lo - 1
	}
	return nil
}

// sources picks the cheapest runs that hold every event a query can match:
// one deployment's index, the per-type indexes of the types the filter
// allows, or the whole log.
func sources(stackID string, dep *deploymentRecord, f eventFilter) []eventSource {
	if dep != nil {
		return []eventSource{deploymentSource(stackID, dep)}
	}
	if types := f.eventTypes(); types != nil {
		out := make([]eventSource, len(types))
		for i, t := range types {
			out[i] = typeSource(stackID, t)
		}
		return out
	}
	return []eventSource{logSource(stackID)}
}

// collect returns up to n matching events of the sources from sequence from
// in one direction, merged in that direction's order. With several sources
// (the per-type indexes of an OR filter) it merges lazily, reading each in
// chunks and always taking the next event in order, so it reads about n
// events whatever the mix of types.
func collect(tx store.Tx, srcs []eventSource, f eventFilter, from uint64, reverse bool, n int) ([]formation.Event, error) {
	if len(srcs) == 1 {
		return srcs[0].read(tx, f, from, reverse, n)
	}
	chunk := max(16, n/len(srcs)/4)
	type head struct {
		buf  []formation.Event
		next uint64 // where the next chunk starts; 0 when exhausted
	}
	heads := make([]head, len(srcs))
	for i := range heads {
		heads[i].next = from
	}
	first := true
	var out []formation.Event
	for len(out) < n {
		best := -1
		for i := range heads {
			h := &heads[i]
			if len(h.buf) == 0 && (h.next != 0 || first) {
				buf, err := srcs[i].read(tx, f, h.next, reverse, chunk)
				if err != nil {
					return nil, err
				}
				h.buf, h.next = buf, 0
				if len(buf) == chunk {
					last := buf[len(buf)-1].Sequence
					if reverse && last > 1 {
						h.next = last - 1
					} else if !reverse {
						h.next = last + 1
					}
				}
			}
			if len(h.buf) > 0 && (best < 0 || before(h.buf[0].Sequence, heads[best].buf[0].Sequence, reverse)) {
				best = i
			}
		}
		first = false
		if best < 0 {
			break
		}
		out = append(out, heads[best].buf[0])
		heads[best].buf = heads[best].buf[1:]
	}
	return out, nil
}

// before reports whether sequence a comes before b in the direction asked.
func before(a, b uint64, reverse bool) bool {
	if reverse {
		return a > b
	}
	return a < b
}

// read returns up to n matching events of one source from sequence from.
func (s eventSource) read(tx store.Tx, f eventFilter, from uint64, reverse bool, n int) ([]formation.Event, error) {
	var out []formation.Event
	err := s.scan(tx, f, from, reverse, n, func(ev formation.Event) (bool, error) {
		out = append(out, ev)
		return len(out) < n, nil
	})
	return out, err
}

// loadDeployment reads the stack's deployment id, when one is given (nil
// otherwise); an unknown one is ErrNotFound.
func loadDeployment(tx store.Tx, op string, rec *stackRecord, id string) (*deploymentRecord, error) {
	if id == "" {
		return nil, nil
	}
	var dep deploymentRecord
	ok, err := getJSON(tx, store.Deployments, childKey(rec.ID, id), &dep)
	if err == nil && !ok {
		err = formation.Errorf(formation.CodeDeploymentNotFound, op, rec.Name, "stack or the given deployment %s does not exist", id)
	}
	if err != nil {
		return nil, err
	}
	return &dep, nil
}

// ListStackEventsRequest is ListStackEvents' input (spec §1.1, §3.4).
type ListStackEventsRequest struct {
	StackRef
	// DeploymentID limits the list to one deployment's events; an unknown
	// deployment is ErrNotFound.
	DeploymentID string `json:"deployment_id,omitempty"`
	// Filter is RFS's filter syntax, e.g.
	// "event_type==ERROR|event_type==LOG,resource_type==huaweicloud_vpc".
	Filter string `json:"filter,omitempty"`
	// Field lists the attributes to return, e.g. "event_message,timestamp";
	// event_type is always returned. Empty returns all.
	Field string `json:"field,omitempty"`
	ListOptions
}

// EventPage is one page of ListStackEvents, newest first.
type EventPage struct {
	StackEvents []formation.Event `json:"stack_events"`
	PageInfo    PageInfo          `json:"page_info"`
}

// ListStackEvents lists a stack's events, newest first, filtered, projected
// and paged as RFS does. Formation adds each event's sequence number and
// deployment id; follow on from the newest with Follow.
func (e *Engine) ListStackEvents(ctx context.Context, req ListStackEventsRequest) (EventPage, error) {
	const op = "engine.ListStackEvents"
	if err := req.validate(op); err != nil {
		return EventPage{}, err
	}
	if err := formation.ValidateID(op, "deployment_id", req.DeploymentID); err != nil {
		return EventPage{}, err
	}
	f, err := parseEventFilter(op, req.Filter)
	if err != nil {
		return EventPage{}, err
	}
	fields, err := parseEventFields(op, req.Field)
	if err != nil {
		return EventPage{}, err
	}
	limit, err := req.limit(op)
	if err != nil {
		return EventPage{}, err
	}
	c, err := req.cursor(op)
	if err != nil {
		return EventPage{}, err
	}
	var page EventPage
	err = e.view(ctx, op, func(tx store.Tx) error {
		rec, err := e.peekStack(tx, op, req.StackRef)
		if err != nil {
			return err
		}
		dep, err := loadDeployment(tx, op, rec, req.DeploymentID)
		if err != nil {
			return err
		}
		srcs := sources(rec.ID, dep, f)
		evs, info, err := eventPage(tx, srcs, f, c, limit)
		if err != nil {
			return err
		}
		page.PageInfo = info
		page.StackEvents = make([]formation.Event, len(evs))
		for i, ev := range evs {
			page.StackEvents[i] = fields.project(ev)
		}
		return nil
	})
	return page, err
}

// eventPage cuts one page, newest first, and works out whether there are
// matching events beyond it in either direction.
func eventPage(tx store.Tx, srcs []eventSource, f eventFilter, c *cursor, limit int) ([]formation.Event, PageInfo, error) {
	var evs []formation.Event
	var err error
	switch {
	case c == nil:
		evs, err = collect(tx, srcs, f, 0, true, limit)
	case c.backward:
		evs, err = collect(tx, srcs, f, c.pos+1, false, limit)
		slices.Reverse(evs)
	case c.pos <= 1:
		// nothing is older than the first event
	default:
		evs, err = collect(tx, srcs, f, c.pos-1, true, limit)
	}
	if err != nil || len(evs) == 0 {
		return nil, PageInfo{}, err
	}
	info := PageInfo{CurrentCount: len(evs)}
	newest, oldest := evs[0].Sequence, evs[len(evs)-1].Sequence
	if oldest > 1 {
		older, err := collect(tx, srcs, f, oldest-1, true, 1)
		if err != nil {
			return nil, PageInfo{}, err
		}
		if len(older) > 0 {
			info.NextMarker = marker(false, oldest)
		}
	}
	newer, err := collect(tx, srcs, f, newest+1, false, 1)
	if err != nil {
		return nil, PageInfo{}, err
	}
	if len(newer) > 0 {
		info.PreviousMarker = marker(true, newest)
	}
	return evs, info, nil
}
