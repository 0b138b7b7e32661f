package main

import (
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/formation-engine/formation"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files of testdata/timeline")

// rollbackEvents is a deployment that fails on subnet[1] and rolls back,
// newest first as RFS lists events, with times in whole seconds from t0.
func rollbackEvents() []formation.Event {
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	var evs []formation.Event
	add := func(sec int, typ formation.EventType, name, key, msg string) {
		evs = append(evs, formation.Event{
			Sequence: uint64(len(evs) + 1), DeploymentID: "d-1", Time: formation.NewTime(t0.Add(time.Duration(sec) * time.Second)),
			EventType: typ, EventMessage: msg, ResourceName: name, ResourceKey: key,
			ResourceType: map[string]string{"vpc": "huaweicloud_vpc", "subnet": "huaweicloud_vpc_subnet"}[name],
		})
	}
	add(0, formation.EventLog, "", "", "Stack web is DEPLOYMENT_IN_PROGRESS.")
	add(0, formation.EventCreationInProgress, "vpc", "", "")
	add(3, formation.EventCreationComplete, "vpc", "", "")
	add(3, formation.EventCreationInProgress, "subnet", "0", "")
	add(3, formation.EventCreationInProgress, "subnet", "1", "")
	add(5, formation.EventCreationFailed, "subnet", "1", "")
	add(9, formation.EventCreationComplete, "subnet", "0", "")
	add(9, formation.EventLog, "", "", "Stack web is ROLLBACK_IN_PROGRESS. Rolling back to the last stable state.")
	add(9, formation.EventDeletionInProgress, "subnet", "0", "")
	add(12, formation.EventDeletionComplete, "subnet", "0", "")
	add(12, formation.EventDeletionInProgress, "vpc", "", "")
	add(16, formation.EventDeletionComplete, "vpc", "", "")
	add(16, formation.EventLog, "", "", "Stack web is ROLLBACK_COMPLETE. 1 resource operation failed")
	slices.Reverse(evs)
	return evs
}

func TestTimelineModel(t *testing.T) {
	t.Parallel()
	tl, err := buildTimeline("web", rollbackEvents())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, op := range tl.ops {
		s := op.verb + " " + op.addr + " " + op.outcome + " " + op.start.Sub(tl.start).String() + "-" + op.end.Sub(tl.start).String()
		if op.critical {
			s += " critical"
		}
		if op.rollback {
			s += " rollback"
		}
		got = append(got, s)
	}
	want := []string{
		"create huaweicloud_vpc.vpc complete 0s-3s critical",
		"create huaweicloud_vpc_subnet.subnet[0] complete 3s-9s critical",
		"create huaweicloud_vpc_subnet.subnet[1] failed 3s-5s",
		"delete huaweicloud_vpc_subnet.subnet[0] complete 9s-12s critical rollback",
		"delete huaweicloud_vpc.vpc complete 12s-16s critical rollback",
	}
	if !slices.Equal(got, want) || tl.status != "ROLLBACK_COMPLETE" || tl.rollbackStart.Sub(tl.start) != 9*time.Second {
		t.Errorf("operations:\n%s\nwant:\n%s\nstatus %s, rollback at %s", strings.Join(got, "\n"), strings.Join(want, "\n"), tl.status, tl.rollbackStart.Sub(tl.start))
	}
}

func TestTimelineSVGGolden(t *testing.T) {
	t.Parallel()
	tl, err := buildTimeline("web", rollbackEvents())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "timeline/rollback.svg", tl.svg())
}

// svgBars parses an SVG and returns the titles of its bars.
func svgBars(t *testing.T, svg string) []string {
	t.Helper()
	var doc struct {
		Rects []struct {
			Title string `xml:"title"`
		} `xml:"rect"`
	}
	if err := xml.Unmarshal([]byte(svg), &doc); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	var bars []string
	for _, r := range doc.Rects {
		if r.Title != "" {
			bars = append(bars, r.Title)
		}
	}
	return bars
}

func TestTimelineCommand(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "web", "-auto-rollback")
	cli(t, "-db", db, "-sim-latency", "2s", "-time-scale", "1000", "-sim-fail", "huaweicloud_vpc_subnet.subnet[1]:create",
		"deploy", "web", "-t", network, "-var", "prefix=p")
	file := filepath.Join(t.TempDir(), "tl.svg")
	if out := ok(t, "-db", db, "timeline", "web", "-o", file); !strings.HasPrefix(out, "Wrote "+file+": 5 resource operations of deployment ") {
		t.Errorf("timeline printed %q", out)
	}
	svg, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	bars := svgBars(t, string(svg))
	if len(bars) != 5 || !strings.Contains(string(svg), "ROLLBACK_COMPLETE") || !strings.Contains(string(svg), ">rollback</text>") {
		t.Errorf("bars %q in\n%s", bars, svg)
	}
	failed := 0
	for _, b := range bars {
		if strings.Contains(b, ": failed,") {
			failed++
		}
	}
	if failed != 1 {
		t.Errorf("%d failed bars, want 1: %q", failed, bars)
	}
	if out := ok(t, "-db", db, "timeline", "web", "-o", "-"); len(svgBars(t, out)) != 5 {
		t.Errorf("-o - printed %q", out)
	}
	rejected(t, formation.CodeMissingParameter, "-db", db, "timeline", "web")
	rejected(t, formation.CodeDeploymentNotFound, "-db", db, "timeline", "web", "-deployment", "00000000-0000-0000-0000-000000000000", "-o", file)
}
