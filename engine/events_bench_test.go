package engine

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/store"
)

// BenchmarkListStackEvents_1M is issue 5's benchmark (e): the first page of
// a filtered ListStackEvents over a stack with 1,000,000 events, in a bbolt
// file. Target ≤ 10 ms. One event in a hundred is an ERROR; types and
// resource types rotate as a deployment's would.
func BenchmarkListStackEvents_1M(b *testing.B) {
	st, err := store.OpenBolt(filepath.Join(b.TempDir(), "events.db"), store.BoltOptions{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	benchListStackEvents(b, st, 1_000_000)
}

// benchListStackEvents seeds a stack with total events on st, then times
// first pages of ListStackEvents, filtered and not.
func benchListStackEvents(b *testing.B, st store.Store, total int) {
	e, err := New(Config{Store: st})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	if _, err := e.CreateStack(ctx, CreateStackRequest{Name: "big"}); err != nil {
		b.Fatal(err)
	}
	types := []formation.EventType{formation.EventCreationInProgress, formation.EventCreationComplete, formation.EventLog}
	rtypes := []string{"huaweicloud_vpc", "huaweicloud_vpc_subnet", "huaweicloud_compute_instance", "huaweicloud_evs_volume"}
	// Each event is three keys: batches as large as the store takes.
	batch := min(20_000, st.Limits().MaxOps/3)
	for done := 1; done < total; done += batch { // the creation LOG event is the first
		err := e.update(ctx, "bench", func(tx *txn) error {
			rec, err := loadStack(tx, "bench", StackRef{Name: "big"})
			if err != nil {
				return err
			}
			evs := make([]*formation.Event, 0, batch)
			for i := done; i < done+batch && i < total; i++ {
				ev := &formation.Event{DeploymentID: "11111111-1111-4111-8111-111111111111", EventType: types[i%len(types)],
					ResourceType: rtypes[i%len(rtypes)], ResourceName: "r", EventMessage: "huaweicloud_vpc.r: Creation complete after 3s [id=x]"}
				if i%100 == 0 {
					ev.EventType, ev.EventMessage = formation.EventError, "quota exceeded"
				}
				evs = append(evs, ev)
			}
			return tx.appendEvents(rec.ID, evs...)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name, filter string
		limit        int
	}{
		{"errors/limit=100", "event_type==ERROR", 100},
		{"errors/limit=1000", "event_type==ERROR", 1000},
		{"errors_or_logs_of_vpcs/limit=100", "event_type==ERROR|event_type==LOG,resource_type==huaweicloud_vpc", 100},
		{"errors_or_logs_of_vpcs/limit=1000", "event_type==ERROR|event_type==LOG,resource_type==huaweicloud_vpc", 1000},
		{"unfiltered/limit=1000", "", 1000},
	} {
		limit := bc.limit
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				page, err := e.ListStackEvents(ctx, ListStackEventsRequest{StackRef: StackRef{Name: "big"}, Filter: bc.filter, ListOptions: ListOptions{Limit: limit}})
				// A full page has a next one; at 100,000 events there are
				// fewer than 1,000 errors.
				if n := len(page.StackEvents); err != nil || n == 0 || n > limit || (n == limit) != (page.PageInfo.NextMarker != "") {
					b.Fatalf("page of %d, %+v, %v", len(page.StackEvents), page.PageInfo, err)
				}
			}
		})
	}
}
