package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/store/storetest"
	"github.com/formation-engine/formation/template"
)

// seedEvents appends synthetic events to a stack, standing in for the
// deployments that produce them, and returns the stack id.
func seedEvents(t testing.TB, e *Engine, stack string, evs []formation.Event) {
	t.Helper()
	err := e.update(context.Background(), "test", func(tx *txn) error {
		rec, err := loadStack(tx, "test", StackRef{Name: stack})
		if err != nil {
			return err
		}
		ptrs := make([]*formation.Event, len(evs))
		for i := range evs {
			ptrs[i] = &evs[i]
		}
		return tx.appendEvents(rec.ID, ptrs...)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// seedDeployment stores a deployment record, running or done, as the
// engine keeps it: its events are the stack's from the next one appended
// after it first starts, to the newest once it is done.
func seedDeployment(t testing.TB, e *Engine, stack, id string, done bool) {
	t.Helper()
	err := e.update(context.Background(), "test", func(tx *txn) error {
		rec, err := loadStack(tx, "test", StackRef{Name: stack})
		if err != nil {
			return err
		}
		last, err := tx.eventSeq(rec.ID)
		if err != nil {
			return err
		}
		var dep deploymentRecord
		ok, err := getJSON(tx, store.Deployments, childKey(rec.ID, id), &dep)
		if err != nil {
			return err
		}
		if !ok {
			dep = deploymentRecord{ID: id, StackID: rec.ID, StackName: rec.Name, Kind: kindDelete, FirstEvent: last + 1}
		}
		if done {
			dep.Status, dep.LastEvent = formation.StackDeploymentComplete, last
		}
		tx.touch(rec.ID)
		return putJSON(tx, store.Deployments, childKey(rec.ID, id), &dep)
	})
	if err != nil {
		t.Fatal(err)
	}
}

const depA, depB = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"

// eventFixture: a stack with the creation LOG event (seq 1) and 12 more.
func eventFixture(t *testing.T) *Engine {
	t.Helper()
	e, _ := newMemEngine(t)
	if _, err := e.CreateStack(context.Background(), CreateStackRequest{Name: "s"}); err != nil {
		t.Fatal(err)
	}
	seedDeployment(t, e, "s", depA, false)
	seedDeployment(t, e, "s", depB, false)
	var evs []formation.Event
	for i := range 12 {
		dep := depA
		if i >= 6 {
			dep = depB
		}
		ev := formation.Event{DeploymentID: dep}
		switch i % 3 {
		case 0:
			ev.EventType, ev.EventMessage = formation.EventLog, fmt.Sprintf("log %d", i)
		case 1:
			ev.EventType, ev.ResourceType, ev.ResourceName, ev.ResourceKey = formation.EventCreationComplete, "huaweicloud_vpc", "vpc", "0"
			ev.ResourceIDKey, ev.ResourceIDValue, ev.ElapsedSeconds = "id", fmt.Sprintf("vpc-%d", i), int64(i)
		case 2:
			ev.EventType, ev.ResourceType, ev.ResourceName, ev.EventMessage = formation.EventError, "huaweicloud_vpc_subnet", "subnet", "quota exceeded"
		}
		evs = append(evs, ev)
	}
	seedEvents(t, e, "s", evs)
	seedDeployment(t, e, "s", depA, true)
	seedDeployment(t, e, "s", depB, true)
	return e
}

func seqs(p EventPage) []uint64 {
	var out []uint64
	for _, ev := range p.StackEvents {
		out = append(out, ev.Sequence)
	}
	return out
}

func listSeqs(t *testing.T, e *Engine, req ListStackEventsRequest) []uint64 {
	t.Helper()
	req.Name = "s"
	p, err := e.ListStackEvents(context.Background(), req)
	if err != nil {
		t.Fatalf("ListStackEvents(%+v): %v", req, err)
	}
	return seqs(p)
}

func TestListStackEvents_FilterRules(t *testing.T) {
	e := eventFixture(t)
	// seq 1: creation LOG; then seq 2+i for fixture event i:
	// LOG 2,5,8,11  CREATION_COMPLETE vpc 3,6,9,12  ERROR subnet 4,7,10,13
	cases := []struct {
		rule   string
		filter string
		want   []uint64
	}{
		{"no filter: everything, newest first", "", []uint64{13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
		{"one term", "event_type==ERROR", []uint64{13, 10, 7, 4}},
		{"OR within a term", "event_type==ERROR|event_type==LOG", []uint64{13, 11, 10, 8, 7, 5, 4, 2, 1}},
		{"AND across terms", "event_type==CREATION_COMPLETE,resource_name==vpc", []uint64{12, 9, 6, 3}},
		{"OR binds tighter than AND", "event_type==ERROR|event_type==CREATION_COMPLETE,resource_type==huaweicloud_vpc", []uint64{12, 9, 6, 3}},
		{"filter on resource_type", "resource_type==huaweicloud_vpc_subnet", []uint64{13, 10, 7, 4}},
		{"a filter containing ; is ignored", "event_type==ERROR;x", []uint64{13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
		{"values are case-sensitive", "event_type==error", nil},
	}
	for _, tc := range cases {
		t.Run(tc.rule, func(t *testing.T) {
			if got := listSeqs(t, e, ListStackEventsRequest{Filter: tc.filter}); !slices.Equal(got, tc.want) {
				t.Fatalf("filter %q: %v, want %v", tc.filter, got, tc.want)
			}
		})
	}
}

func TestListStackEvents_BadFilterAndField(t *testing.T) {
	e := eventFixture(t)
	cases := []struct {
		rule          string
		filter, field string
	}{
		{"only == is an operator", "event_type!=LOG", ""},
		{"= alone is not ==", "event_type=LOG", ""},
		{"names are [A-Za-z0-9_]", "event-type==LOG", ""},
		{"values are [A-Za-z0-9_]", "event_type==LO G", ""},
		{"empty value", "event_type==", ""},
		{"empty term", "event_type==LOG,", ""},
		{"a parameter in one AND term only", "event_type==LOG,event_type==ERROR", ""},
		{"OR alternatives test one parameter", "event_type==LOG|resource_type==x", ""},
		{"only filterable parameters", "event_message==x", ""},
		{"filter at most 512 characters", "resource_name==" + strings.Repeat("a", 498), ""},
		{"unknown field", "", "event_message,color"},
		{"field names are [A-Za-z0-9_]", "", "event-message"},
		{"field at most 128 characters", "", strings.Repeat("event_type,", 12)},
		{"empty field entry", "", "event_message,"},
	}
	for _, tc := range cases {
		t.Run(tc.rule, func(t *testing.T) {
			_, err := e.ListStackEvents(context.Background(), ListStackEventsRequest{StackRef: StackRef{Name: "s"}, Filter: tc.filter, Field: tc.field})
			if !formation.HasCode(err, formation.CodeInvalidFilter) || formation.CodeOf(err).HTTPStatus() != 400 {
				t.Fatalf("filter %q field %q: %v, want RF.10011070", tc.filter, tc.field, err)
			}
		})
	}
}

func TestListStackEvents_FieldSelection(t *testing.T) {
	e := eventFixture(t)
	p, err := e.ListStackEvents(context.Background(), ListStackEventsRequest{StackRef: StackRef{Name: "s"},
		Filter: "event_type==CREATION_COMPLETE", Field: "resource_id_value,timestamp"})
	if err != nil {
		t.Fatal(err)
	}
	full, _ := e.ListStackEvents(context.Background(), ListStackEventsRequest{StackRef: StackRef{Name: "s"}, Filter: "event_type==CREATION_COMPLETE"})
	f := full.StackEvents[0]
	got := p.StackEvents[0]
	want := formation.Event{Sequence: 12, DeploymentID: depB, EventType: formation.EventCreationComplete,
		ResourceIDValue: "vpc-10", Time: f.Time}
	if got != want || got.Time.IsZero() {
		t.Fatalf("projected event %+v, want %+v (event_type always; timestamp selects time)", got, want)
	}
	if f.ResourceName != "vpc" || f.ElapsedSeconds != 10 || f.ResourceIDKey != "id" || f.ResourceKey != "0" {
		t.Fatalf("without field every attribute is returned: %+v", f)
	}
}

func TestListStackEvents_Deployment(t *testing.T) {
	e := eventFixture(t)
	if got := listSeqs(t, e, ListStackEventsRequest{DeploymentID: depA}); !slices.Equal(got, []uint64{7, 6, 5, 4, 3, 2}) {
		t.Fatalf("deployment A: %v", got)
	}
	if got := listSeqs(t, e, ListStackEventsRequest{DeploymentID: depB, Filter: "event_type==ERROR"}); !slices.Equal(got, []uint64{13, 10}) {
		t.Fatalf("deployment B errors: %v", got)
	}
	_, err := e.ListStackEvents(context.Background(), ListStackEventsRequest{StackRef: StackRef{Name: "s"}, DeploymentID: "33333333-3333-4333-8333-333333333333"})
	if !formation.HasCode(err, formation.CodeDeploymentNotFound) || !errors.Is(err, formation.ErrNotFound) {
		t.Fatalf("unknown deployment: %v, want 404", err)
	}
	_, err = e.ListStackEvents(context.Background(), ListStackEventsRequest{StackRef: StackRef{Name: "s"}, DeploymentID: "short"})
	if !formation.HasCode(err, formation.CodeInvalidID) {
		t.Fatalf("malformed deployment id: %v", err)
	}
	_, err = e.ListStackEvents(context.Background(), ListStackEventsRequest{StackRef: StackRef{Name: "nope"}})
	if !formation.HasCode(err, formation.CodeStackNotFound) {
		t.Fatalf("missing stack: %v", err)
	}
}

func TestListStackEvents_Pages(t *testing.T) {
	e, _ := newMemEngine(t)
	ctx := context.Background()
	if _, err := e.CreateStack(ctx, CreateStackRequest{Name: "s"}); err != nil {
		t.Fatal(err)
	}
	var evs []formation.Event
	for i := range 44 {
		typ := formation.EventLog
		if i%2 == 1 {
			typ = formation.EventError
		}
		evs = append(evs, formation.Event{EventType: typ})
	}
	seedEvents(t, e, "s", evs) // seq 2..45; ERROR on odd i: seq 3,5,...,45 (22 of them)
	var all []uint64
	var markers []PageInfo
	req := ListStackEventsRequest{StackRef: StackRef{Name: "s"}, Filter: "event_type==ERROR", ListOptions: ListOptions{Limit: 10}}
	for {
		p, err := e.ListStackEvents(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, seqs(p)...)
		markers = append(markers, p.PageInfo)
		if p.PageInfo.NextMarker == "" {
			break
		}
		req.Marker = p.PageInfo.NextMarker
	}
	var want []uint64
	for s := uint64(45); s >= 3; s -= 2 {
		want = append(want, s)
	}
	if !slices.Equal(all, want) || len(markers) != 3 || markers[2].CurrentCount != 2 {
		t.Fatalf("paged %v (%d pages), want %v", all, len(markers), want)
	}
	if markers[0].PreviousMarker != "" || markers[1].PreviousMarker == "" {
		t.Fatalf("previous markers %+v", markers)
	}
	req.Marker = markers[2].PreviousMarker
	back, err := e.ListStackEvents(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(seqs(back), want[10:20]) {
		t.Fatalf("previous of last page: %v, want %v", seqs(back), want[10:20])
	}
}

func TestFollow_HistoryThenLiveAndResume(t *testing.T) {
	e := eventFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := e.Follow(ctx, FollowRequest{StackRef: StackRef{Name: "s"}, After: 10})
	if err != nil {
		t.Fatal(err)
	}
	ch := stream.Events
	var got []uint64
	for len(got) < 3 {
		got = append(got, (<-ch).Sequence)
	}
	seedEvents(t, e, "s", []formation.Event{{EventType: formation.EventLog, EventMessage: "live"}})
	live := <-ch
	got = append(got, live.Sequence)
	if !slices.Equal(got, []uint64{11, 12, 13, 14}) || live.EventMessage != "live" {
		t.Fatalf("followed %v (last %+v), want history 11-13 then live 14", got, live)
	}
	cancel()
	for range ch { // closed after cancel
	}
	if end, err := stream.End(), stream.Err(); end != FollowCanceled || !errors.Is(err, context.Canceled) {
		t.Fatalf("stream ended %s, %v; want %s, context.Canceled", end, err, FollowCanceled)
	}
}

// Deployments recorded before their records kept the range of their
// events (deploymentRecord.FirstEvent) are listed too: one that ended then
// from the deployment index its events were written with, one that was
// still running (its later events are in no index) from the whole log.
func TestListStackEvents_DeploymentsRecordedBeforeEventRanges(t *testing.T) {
	e := eventFixture(t) // events 1-13
	const ended, resumed = "55555555-5555-4555-8555-555555555555", "77777777-7777-4777-8777-777777777777"
	legacy := func(id string, done bool, indexed ...uint64) {
		t.Helper()
		err := e.update(context.Background(), "test", func(tx *txn) error {
			rec, err := loadStack(tx, "test", StackRef{Name: "s"})
			if err != nil {
				return err
			}
			dep := deploymentRecord{ID: id, StackID: rec.ID, StackName: rec.Name, Kind: kindDeploy}
			if done {
				dep.Status = formation.StackDeploymentComplete
			}
			for _, seq := range indexed {
				if err := tx.Put(store.EventIndex, appendIndexKey(nil, rec.ID, "d", id, seq), []byte{}); err != nil {
					return err
				}
			}
			return putJSON(tx, store.Deployments, childKey(rec.ID, id), &dep)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	seedEvents(t, e, "s", []formation.Event{
		{DeploymentID: ended, EventType: formation.EventLog},   // 14
		{DeploymentID: resumed, EventType: formation.EventLog}, // 15: written with an index entry
		{DeploymentID: depA, EventType: formation.EventLog},    // 16
		{DeploymentID: resumed, EventType: formation.EventLog}, // 17: written without one
		{DeploymentID: ended, EventType: formation.EventLog},   // 18: not in its index, so not listed
	})
	legacy(ended, true, 14)
	legacy(resumed, false, 15)
	if got := listSeqs(t, e, ListStackEventsRequest{DeploymentID: ended}); !slices.Equal(got, []uint64{14}) {
		t.Fatalf("the deployment that ended before event ranges: %v, want its index's [14]", got)
	}
	if got := listSeqs(t, e, ListStackEventsRequest{DeploymentID: resumed}); !slices.Equal(got, []uint64{17, 15}) {
		t.Fatalf("the deployment that was running: %v, want [17 15]", got)
	}
	seedDeployment(t, e, "s", resumed, true) // ends now: LastEvent 18, still no FirstEvent
	seedEvents(t, e, "s", []formation.Event{{DeploymentID: resumed, EventType: formation.EventLog}})
	if got := listSeqs(t, e, ListStackEventsRequest{DeploymentID: resumed}); !slices.Equal(got, []uint64{17, 15}) {
		t.Fatalf("the deployment once ended: %v, want [17 15] (nothing after its end)", got)
	}
}

// In a synctest bubble, a stream that never delivers what the test waits
// for fails at once as a deadlock instead of hanging until the test timeout.
func TestFollow_DeploymentEndsStream(t *testing.T) {
	synctest.Test(t, testFollowDeploymentEndsStream)
}

func testFollowDeploymentEndsStream(t *testing.T) {
	e := eventFixture(t)
	const running = "44444444-4444-4444-8444-444444444444"
	seedDeployment(t, e, "s", running, false)
	stream, err := e.Follow(context.Background(), FollowRequest{StackRef: StackRef{Name: "s"}, DeploymentID: running})
	if err != nil {
		t.Fatal(err)
	}
	ch := stream.Events
	seedEvents(t, e, "s", []formation.Event{{DeploymentID: running, EventType: formation.EventLog, EventMessage: "one"}})
	if ev := <-ch; ev.EventMessage != "one" || ev.DeploymentID != running {
		t.Fatalf("first event %+v", ev)
	}
	// Another deployment's event is not streamed; finishing ends the stream.
	seedEvents(t, e, "s", []formation.Event{{DeploymentID: depA, EventType: formation.EventLog}})
	seedEvents(t, e, "s", []formation.Event{{DeploymentID: running, EventType: formation.EventSummary, EventMessage: "done"}})
	seedDeployment(t, e, "s", running, true)
	var rest []string
	for ev := range ch {
		rest = append(rest, ev.EventMessage)
	}
	if !slices.Equal(rest, []string{"done"}) {
		t.Fatalf("rest of stream %v, want [done] then close", rest)
	}
	if end, err := stream.End(), stream.Err(); end != FollowDeploymentFinished || err != nil {
		t.Fatalf("stream ended %s, %v; want %s", end, err, FollowDeploymentFinished)
	}
	_, err = e.Follow(context.Background(), FollowRequest{StackRef: StackRef{Name: "s"}, DeploymentID: "55555555-5555-4555-8555-555555555555"})
	if !formation.HasCode(err, formation.CodeDeploymentNotFound) {
		t.Fatalf("follow unknown deployment: %v", err)
	}
}

func TestFollow_EndsWhenStackDeletedOrEngineCloses(t *testing.T) {
	ctx := context.Background()
	e, _ := newMemEngine(t)
	for _, n := range []string{"a", "b"} {
		if _, err := e.CreateStack(ctx, CreateStackRequest{Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	chA, err := e.Follow(ctx, FollowRequest{StackRef: StackRef{Name: "a"}, After: 1})
	if err != nil {
		t.Fatal(err)
	}
	chB, err := e.Follow(ctx, FollowRequest{StackRef: StackRef{Name: "b"}, After: 1})
	if err != nil {
		t.Fatal(err)
	}
	dep, err := e.DeleteStack(ctx, DeleteStackRequest{StackRef: StackRef{Name: "a"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Wait(ctx, dep); err != nil {
		t.Fatal(err)
	}
	for range chA.Events { // deletion closes a's stream
	}
	if end := chA.End(); end != FollowStackDeleted {
		t.Fatalf("a's stream ended %s, want %s", end, FollowStackDeleted)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	for range chB.Events { // Close closes b's stream
	}
	if end, err := chB.End(), chB.Err(); end != FollowEngineClosed || !errors.Is(err, formation.ErrUnavailable) {
		t.Fatalf("b's stream ended %s, %v; want %s, ErrUnavailable", end, err, FollowEngineClosed)
	}
}

// A follower that is still reading when the deletion commits — the stack
// and its events are purged — gets the deletion's events to the end, then
// its stream closes.
func TestFollow_DeletionToTheEnd(t *testing.T) {
	synctest.Test(t, testFollowDeletionToTheEnd)
}

func testFollowDeletionToTheEnd(t *testing.T) {
	ctx := context.Background()
	// Deletions take a (virtual) second: the follower is in place first.
	slow := []sim.LatencyRule{{Match: sim.Match{Op: sim.OpDelete}, Duration: time.Second}}
	e, _, _ := simTestEngine(t, sim.Config{Seed: 1, Latency: slow}, Config{})
	res, err := e.CreateStack(ctx, CreateStackRequest{Name: "s", TemplateInput: TemplateInput{TemplateBody: v2}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Wait(ctx, res.DeploymentRef); err != nil {
		t.Fatal(err)
	}
	dep, err := e.DeleteStack(ctx, DeleteStackRequest{StackRef: StackRef{Name: "s"}})
	if err != nil {
		t.Fatal(err)
	}
	// A slow reader: one event buffered, nothing read until the stack is gone.
	stream, err := e.Follow(ctx, FollowRequest{StackRef: StackRef{Name: "s"}, DeploymentID: dep.DeploymentID, Buffer: 1})
	if err != nil {
		t.Fatal(err)
	}
	ch := stream.Events
	if out, err := e.Wait(ctx, dep); err != nil || !out.Deleted {
		t.Fatalf("deletion ended %+v, %v", out, err)
	}
	var deleted []string
	var last uint64
	for ev := range ch {
		if ev.Sequence <= last {
			t.Fatalf("event %d after %d", ev.Sequence, last)
		}
		last = ev.Sequence
		if ev.EventType == formation.EventDeletionComplete {
			deleted = append(deleted, ev.ResourceName)
		}
	}
	slices.Sort(deleted)
	if !slices.Equal(deleted, []string{"a", "x"}) {
		t.Fatalf("followed the deletion of %v, want a and x", deleted)
	}
	if len(e.followers.buried) != 0 {
		t.Fatalf("the deleted stack's events are still kept after its last follower left")
	}
}

// Wait for a deployment this engine runs but does not hold in memory (a
// recovery, or the moment between commit and launch) waits on the store
// rather than reporting it unavailable.
func TestWait_DeploymentKnownOnlyToTheStore(t *testing.T) {
	e := eventFixture(t)
	const running = "66666666-6666-4666-8666-666666666666"
	seedDeployment(t, e, "s", running, false)
	got := make(chan error, 1)
	var res Result
	go func() {
		var err error
		res, err = e.Wait(context.Background(), DeploymentRef{DeploymentID: running})
		got <- err
	}()
	seedDeployment(t, e, "s", running, true)
	if err := <-got; err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if res.DeploymentID != running || res.Status != formation.StackDeploymentComplete {
		t.Fatalf("Wait returned %+v", res)
	}
}

// Deleting a stack whose records do not fit in one transaction of the
// store purges them in several (the memory store enforces the limits), and a
// follower still sees the deletion to its end.
func TestDelete_LargeStackWithinStoreLimits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		const n = 300
		e, _, st := simTestEngine(t, sim.Config{Seed: 1}, Config{TemplateLimits: &template.Limits{}})
		body := fmt.Sprintf("resource \"huaweicloud_vpc\" \"v\" {\n  count = %d\n  name = \"v${count.index}\"\n  cidr = \"10.0.0.0/16\"\n}\n", n)
		res, err := e.CreateStack(ctx, CreateStackRequest{Name: "big", TemplateInput: TemplateInput{TemplateBody: body}})
		if err != nil {
			t.Fatal(err)
		}
		if out, err := e.Wait(ctx, res.DeploymentRef); err != nil || out.Status != formation.StackDeploymentComplete {
			t.Fatalf("creation ended %+v, %v", out, err)
		}
		dep, err := e.DeleteStack(ctx, DeleteStackRequest{StackRef: StackRef{Name: "big"}})
		if err != nil {
			t.Fatal(err)
		}
		stream, err := e.Follow(ctx, FollowRequest{StackRef: StackRef{Name: "big"}, DeploymentID: dep.DeploymentID})
		if err != nil {
			t.Fatal(err)
		}
		if out, err := e.Wait(ctx, dep); err != nil || !out.Deleted {
			t.Fatalf("deletion ended %+v, %v", out, err)
		}
		deleted := 0
		for ev := range stream.Events {
			if ev.EventType == formation.EventDeletionComplete {
				deleted++
			}
		}
		if deleted != n {
			t.Errorf("followed %d deletions, want %d", deleted, n)
		}
		for b, kv := range storetest.Dump(t, st) {
			if b != store.Meta && b != store.World && len(kv) != 0 {
				t.Errorf("%d keys left in %s after the stack was deleted", len(kv), b)
			}
		}
	})
}
