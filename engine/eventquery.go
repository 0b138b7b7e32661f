package engine

import (
	"context"
	"encoding/binary"
	"slices"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/store"
)

// eventSource is an ordered run of one stack's events: the whole log
// (Events, keyed by sequence) or one index of it (EventIndex, by deployment
// or by type, keys ending in the sequence, events loaded from the log).
type eventSource struct {
	stackID string
	bucket  store.Bucket
	prefix  []byte
}

func logSource(stackID string) eventSource {
	return eventSource{stackID, store.Events, childPrefix(stackID)}
}

func deploymentSource(stackID, deploymentID string) eventSource {
	return eventSource{stackID, store.EventIndex, deploymentIndexPrefix(stackID, deploymentID)}
}

func typeSource(stackID string, t formation.EventType) eventSource {
	return eventSource{stackID, store.EventIndex, typeIndexPrefix(stackID, t)}
}

// scan visits the source's events from sequence from (inclusive; 0 means
// the newest with reverse, the oldest without) in the direction asked.
func (s eventSource) scan(tx store.Tx, from uint64, reverse bool, fn func(formation.Event) (bool, error)) error {
	var start []byte
	if from > 0 {
		start = binary.BigEndian.AppendUint64(append([]byte(nil), s.prefix...), from)
	}
	return tx.Scan(s.bucket, store.ScanOptions{Prefix: s.prefix, Start: start, Reverse: reverse}, func(k, v []byte) (bool, error) {
		var ev formation.Event
		if s.bucket != store.Events {
			seq := binary.BigEndian.Uint64(k[len(s.prefix):])
			if v = tx.Get(store.Events, eventKey(s.stackID, seq)); v == nil {
				return false, formation.Errorf(formation.CodeInternal, "engine.events", s.stackID, "index names event %d, which is not stored", seq)
			}
		}
		if err := decode(v, &ev); err != nil {
			return false, err
		}
		return fn(ev)
	})
}

// sources picks the cheapest runs that hold every event a query can match:
// one deployment's index, the per-type indexes of the types the filter
// allows, or the whole log.
func sources(stackID, deploymentID string, f eventFilter) []eventSource {
	if deploymentID != "" {
		return []eventSource{deploymentSource(stackID, deploymentID)}
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
// in one direction, merged in that direction's order.
func collect(tx store.Tx, srcs []eventSource, f eventFilter, from uint64, reverse bool, n int) ([]formation.Event, error) {
	var out []formation.Event
	for _, s := range srcs {
		got := 0
		err := s.scan(tx, from, reverse, func(ev formation.Event) (bool, error) {
			if f.match(&ev) {
				out = append(out, ev)
				got++
			}
			return got < n, nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(a, b formation.Event) int {
		if reverse {
			return compareDesc(a.Sequence, b.Sequence)
		}
		return -compareDesc(a.Sequence, b.Sequence)
	})
	return out[:min(n, len(out))], nil
}

// ListEventsRequest is ListStackEvents' input (spec §1.1, §3.4).
type ListEventsRequest struct {
	StackRef
	// DeploymentID limits the list to one deployment's events; an unknown
	// deployment is ErrNotFound.
	DeploymentID string
	// Filter is RFS's filter syntax, e.g.
	// "event_type==ERROR|event_type==LOG,resource_type==huaweicloud_vpc".
	Filter string
	// Field lists the attributes to return, e.g. "event_message,timestamp";
	// event_type is always returned. Empty returns all.
	Field string
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
func (e *Engine) ListStackEvents(ctx context.Context, req ListEventsRequest) (EventPage, error) {
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
		rec, err := loadStack(tx, op, req.StackRef)
		if err != nil {
			return err
		}
		if req.DeploymentID != "" && tx.Get(store.Deployments, childKey(rec.ID, req.DeploymentID)) == nil {
			return formation.Errorf(formation.CodeDeploymentNotFound, op, req.Name, "stack or the given deployment %s does not exist", req.DeploymentID)
		}
		srcs := sources(rec.ID, req.DeploymentID, f)
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
