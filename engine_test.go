package formation_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
	"github.com/formation-engine/formation/store/storetest"
)

// newEngine returns an engine over a fresh bbolt file, closed at cleanup.
func newEngine(t testing.TB, cfg engine.Config) (*engine.Engine, store.Store) {
	t.Helper()
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "formation.db"), store.BoltOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Store = st
	e, err := engine.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	return e, st
}

func mustCreate(t testing.TB, e *engine.Engine, req engine.CreateStackRequest) string {
	t.Helper()
	res, err := e.CreateStack(context.Background(), req)
	if err != nil {
		t.Fatalf("CreateStack(%q): %v", req.Name, err)
	}
	return res.StackID
}

// wantCode fails unless err is a *formation.Error with code and its HTTP
// status.
func wantCode(t testing.TB, err error, code formation.Code, status int) {
	t.Helper()
	var fe *formation.Error
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *formation.Error; want %s", err, err, code)
	}
	if fe.Code != code || fe.HTTPStatus() != status {
		t.Fatalf("error %v: code %s HTTP %d, want %s HTTP %d", err, fe.Code, fe.HTTPStatus(), code, status)
	}
}

func TestEngine_CreateStack_Empty(t *testing.T) {
	ctx := context.Background()
	e, _ := newEngine(t, engine.Config{})
	before := time.Now().UTC().Truncate(time.Second)
	agencies := []formation.Agency{{ProviderName: "huaweicloud", AgencyName: "rfs_admin"}}
	id := mustCreate(t, e, engine.CreateStackRequest{
		Name: "my_stack-1", Description: "first", EnableAutoRollback: true, Agencies: agencies,
	})
	got, err := e.GetStackMetadata(ctx, engine.StackRef{Name: "my_stack-1", ID: id})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != id || got.Name != "my_stack-1" || got.Description != "first" || got.Status != formation.StackCreationComplete ||
		!got.EnableAutoRollback || got.EnableDeletionProtection || len(got.Agencies) != 1 || got.Agencies[0] != agencies[0] {
		t.Fatalf("metadata = %+v", got)
	}
	if got.CreateTime.Before(before) || !got.UpdateTime.Equal(got.CreateTime.Time) {
		t.Fatalf("times: create %v update %v, before %v", got.CreateTime, got.UpdateTime, before)
	}
	if got.StatusMessage != "" {
		t.Fatalf("status_message %q in a COMPLETE status", got.StatusMessage)
	}
}

func TestEngine_CreateStack_BadInputChangesNothing(t *testing.T) {
	ctx := context.Background()
	e, st := newEngine(t, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "taken"})
	long := strings.Repeat("a", 129)
	cases := []struct {
		name   string
		req    engine.CreateStackRequest
		code   formation.Code
		status int
	}{
		{"empty name", engine.CreateStackRequest{Name: ""}, formation.CodeTooShort, 400},
		{"129 runes", engine.CreateStackRequest{Name: long}, formation.CodeTooLong, 400},
		{"leading digit", engine.CreateStackRequest{Name: "1stack"}, formation.CodeInvalidName, 400},
		{"leading underscore", engine.CreateStackRequest{Name: "_stack"}, formation.CodeInvalidName, 400},
		{"leading hyphen", engine.CreateStackRequest{Name: "-stack"}, formation.CodeInvalidName, 400},
		{"space", engine.CreateStackRequest{Name: "my stack"}, formation.CodeInvalidName, 400},
		{"dot", engine.CreateStackRequest{Name: "my.stack"}, formation.CodeInvalidName, 400},
		{"non-Han letter", engine.CreateStackRequest{Name: "café"}, formation.CodeInvalidName, 400},
		{"description 1025", engine.CreateStackRequest{Name: "ok", Description: strings.Repeat("d", 1025)}, formation.CodeTooLong, 400},
		{"11 agencies", engine.CreateStackRequest{Name: "ok", Agencies: agencies(11)}, formation.CodeInvalidAgency, 400},
		{"duplicate agency provider", engine.CreateStackRequest{Name: "ok", Agencies: []formation.Agency{
			{ProviderName: "p", AgencyName: "a"}, {ProviderName: "p", AgencyName: "b"}}}, formation.CodeInvalidAgency, 400},
		{"agency with name and urn", engine.CreateStackRequest{Name: "ok", Agencies: []formation.Agency{
			{ProviderName: "p", AgencyName: "a", AgencyURN: "iam::1:agency:a"}}}, formation.CodeInvalidAgency, 400},
		{"agency with neither", engine.CreateStackRequest{Name: "ok", Agencies: []formation.Agency{{ProviderName: "p"}}}, formation.CodeInvalidAgency, 400},
		{"agency without provider", engine.CreateStackRequest{Name: "ok", Agencies: []formation.Agency{{AgencyName: "a"}}}, formation.CodeInvalidAgency, 400},
		{"two template sources", engine.CreateStackRequest{Name: "ok", TemplateInput: engine.TemplateInput{TemplateBody: "x", TemplateURI: "https://x/t.tf"}}, formation.CodeBothTemplateSources, 400},
		{"template uri", engine.CreateStackRequest{Name: "ok", TemplateInput: engine.TemplateInput{TemplateURI: "https://bucket/t.tf"}}, formation.CodeUnsupported, 400},
		{"vars without template", engine.CreateStackRequest{Name: "ok", TemplateInput: engine.TemplateInput{VarsBody: "a = 1"}}, formation.CodeMissingParameter, 400},
		{"template body too long", engine.CreateStackRequest{Name: "ok", TemplateInput: engine.TemplateInput{TemplateBody: strings.Repeat("#", 51201)}}, formation.CodeTooLong, 400},
		{"empty var value", engine.CreateStackRequest{Name: "ok", TemplateInput: engine.TemplateInput{TemplateBody: "x",
			VarsStructure: []formation.VarsStructure{{VarKey: "k"}}}}, formation.CodeEmptyVarValue, 400},
		{"name taken", engine.CreateStackRequest{Name: "taken"}, formation.CodeNameConflict, 409},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := storetest.Dump(t, st)
			_, err := e.CreateStack(ctx, tc.req)
			wantCode(t, err, tc.code, tc.status)
			if !errors.Is(err, tc.code.Class()) {
				t.Fatalf("errors.Is(%v, %v) is false", err, tc.code.Class())
			}
			assertUnchanged(t, st, before)
		})
	}
}

func agencies(n int) []formation.Agency {
	out := make([]formation.Agency, n)
	for i := range out {
		out[i] = formation.Agency{ProviderName: fmt.Sprintf("p%d", i), AgencyName: "a"}
	}
	return out
}

func TestEngine_CreateStack_HanAndLimitNames(t *testing.T) {
	e, _ := newEngine(t, engine.Config{})
	for _, name := range []string{"堆栈", "堆栈_1-a", "A", strings.Repeat("栈", 128), strings.Repeat("a", 128), "Z9_-"} {
		mustCreate(t, e, engine.CreateStackRequest{Name: name})
	}
}

func TestEngine_CreateStack_ConcurrentSameNameOneWins(t *testing.T) {
	e, _ := newEngine(t, engine.Config{})
	const n = 16
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = e.CreateStack(context.Background(), engine.CreateStackRequest{Name: "race"})
		})
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, formation.ErrConflict) || !formation.HasCode(err, formation.CodeNameConflict):
			t.Fatalf("loser got %v, want the 409 name conflict", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d creates won, want exactly 1", wins)
	}
}

func TestEngine_CreateStack_Quota(t *testing.T) {
	e, st := newEngine(t, engine.Config{StackQuota: 3})
	for i := range 3 {
		mustCreate(t, e, engine.CreateStackRequest{Name: fmt.Sprintf("s%d", i)})
	}
	before := storetest.Dump(t, st)
	_, err := e.CreateStack(context.Background(), engine.CreateStackRequest{Name: "s3"})
	wantCode(t, err, formation.CodeStackQuota, 403)
	if !errors.Is(err, formation.ErrQuotaExceeded) {
		t.Fatalf("errors.Is(%v, ErrQuotaExceeded) is false", err)
	}
	assertUnchanged(t, st, before)
}

func TestEngine_GetStackMetadata_RefRules(t *testing.T) {
	ctx := context.Background()
	e, _ := newEngine(t, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "s"})
	_, err := e.GetStackMetadata(ctx, engine.StackRef{Name: "missing"})
	wantCode(t, err, formation.CodeStackNotFound, 404)
	_, err = e.GetStackMetadata(ctx, engine.StackRef{Name: "s", ID: "6fa459ea-ee8a-4ca4-894e-db77e160355e"})
	wantCode(t, err, formation.CodeStackIDMismatch, 400)
	_, err = e.GetStackMetadata(ctx, engine.StackRef{Name: "s", ID: "not-a-uuid"})
	wantCode(t, err, formation.CodeInvalidID, 400)
	_, err = e.GetStackMetadata(ctx, engine.StackRef{Name: "bad name"})
	wantCode(t, err, formation.CodeInvalidName, 400)
}

func TestEngine_ListStacks_NewestFirstAndPages(t *testing.T) {
	ctx := context.Background()
	e, _ := newEngine(t, engine.Config{})
	empty, err := e.ListStacks(ctx, engine.ListStacksRequest{ListOptions: engine.ListOptions{}})
	if err != nil || len(empty.Stacks) != 0 || empty.PageInfo.NextMarker != "" {
		t.Fatalf("empty list = %+v, %v", empty, err)
	}
	const n = 25
	for i := range n {
		mustCreate(t, e, engine.CreateStackRequest{Name: fmt.Sprintf("s%02d", i), Agencies: agencies(1)})
	}
	all, err := e.ListStacks(ctx, engine.ListStacksRequest{ListOptions: engine.ListOptions{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Stacks) != n || all.PageInfo.CurrentCount != n || all.PageInfo.NextMarker != "" || all.PageInfo.PreviousMarker != "" {
		t.Fatalf("one page of all: %d stacks, page info %+v", len(all.Stacks), all.PageInfo)
	}
	for i, s := range all.Stacks {
		if want := fmt.Sprintf("s%02d", n-1-i); s.Name != want {
			t.Fatalf("stack %d is %s, want %s (newest first)", i, s.Name, want)
		}
		if s.Agencies != nil {
			t.Fatalf("ListStacks returned agencies; it returns summaries only")
		}
	}
	// Walk forward in pages of 10, then back.
	var names []string
	var pages []engine.StackPage
	marker := ""
	for {
		p, err := e.ListStacks(ctx, engine.ListStacksRequest{ListOptions: engine.ListOptions{Limit: 10, Marker: marker}})
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, p)
		for _, s := range p.Stacks {
			names = append(names, s.Name)
		}
		if p.PageInfo.NextMarker == "" {
			break
		}
		marker = p.PageInfo.NextMarker
	}
	if len(pages) != 3 || len(names) != n || pages[2].PageInfo.CurrentCount != 5 {
		t.Fatalf("pages %d, names %d, last page count %d", len(pages), len(names), pages[2].PageInfo.CurrentCount)
	}
	if pages[0].PageInfo.PreviousMarker != "" || pages[1].PageInfo.PreviousMarker == "" {
		t.Fatalf("previous markers: first %q second %q", pages[0].PageInfo.PreviousMarker, pages[1].PageInfo.PreviousMarker)
	}
	back, err := e.ListStacks(ctx, engine.ListStacksRequest{ListOptions: engine.ListOptions{Limit: 10, Marker: pages[2].PageInfo.PreviousMarker}})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(back.Stacks) != fmt.Sprint(pages[1].Stacks) {
		t.Fatalf("previous page of the last page is not the second page")
	}
	for _, opts := range []engine.ListOptions{{Limit: 9}, {Limit: 1001}, {Limit: -1}, {Marker: "!!"}, {Marker: strings.Repeat("A", 513)}} {
		_, err := e.ListStacks(ctx, engine.ListStacksRequest{ListOptions: opts})
		wantCode(t, err, formation.CodeInvalidParameter, 400)
	}
}

func TestEngine_UpdateStack(t *testing.T) {
	ctx := context.Background()
	e, st := newEngine(t, engine.Config{})
	id := mustCreate(t, e, engine.CreateStackRequest{Name: "s", Description: "old", Agencies: agencies(2)})

	newAgencies := []formation.Agency{{ProviderName: "huaweicloud", AgencyURN: "iam::123:agency:ops"}}
	if _, err := e.UpdateStack(ctx, engine.UpdateStackRequest{StackRef: engine.StackRef{Name: "s", ID: id},
		Description: new("new"), Agencies: &newAgencies}); err != nil {
		t.Fatal(err)
	}
	got, _ := e.GetStackMetadata(ctx, engine.StackRef{Name: "s"})
	if got.Description != "new" || len(got.Agencies) != 1 || got.Agencies[0] != newAgencies[0] ||
		got.EnableAutoRollback || got.EnableDeletionProtection || got.Status != formation.StackCreationComplete {
		t.Fatalf("after update: %+v", got)
	}
	if _, err := e.UpdateStack(ctx, engine.UpdateStackRequest{StackRef: engine.StackRef{Name: "s"},
		EnableDeletionProtection: new(true)}); err != nil {
		t.Fatal(err)
	}
	got, _ = e.GetStackMetadata(ctx, engine.StackRef{Name: "s"})
	if got.Description != "new" || !got.EnableDeletionProtection {
		t.Fatalf("absent fields must stay: %+v", got)
	}

	bad := []struct {
		name string
		req  engine.UpdateStackRequest
		code formation.Code
	}{
		{"nothing given", engine.UpdateStackRequest{StackRef: engine.StackRef{Name: "s"}}, formation.CodeNothingToUpdate},
		{"same values", engine.UpdateStackRequest{StackRef: engine.StackRef{Name: "s"}, Description: new("new"), EnableDeletionProtection: new(true)}, formation.CodeNothingToUpdate},
		{"id mismatch", engine.UpdateStackRequest{StackRef: engine.StackRef{Name: "s", ID: "6fa459ea-ee8a-4ca4-894e-db77e160355e"}, Description: new("x")}, formation.CodeStackIDMismatch},
		{"missing", engine.UpdateStackRequest{StackRef: engine.StackRef{Name: "nope"}, Description: new("x")}, formation.CodeStackNotFound},
		{"long description", engine.UpdateStackRequest{StackRef: engine.StackRef{Name: "s"}, Description: new(strings.Repeat("d", 1025))}, formation.CodeTooLong},
		{"bad agencies", engine.UpdateStackRequest{StackRef: engine.StackRef{Name: "s"}, Agencies: &[]formation.Agency{{ProviderName: "p"}}}, formation.CodeInvalidAgency},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			before := storetest.Dump(t, st)
			_, err := e.UpdateStack(ctx, tc.req)
			wantCode(t, err, tc.code, tc.code.HTTPStatus())
			assertUnchanged(t, st, before)
		})
	}
}

func TestEngine_DeleteStack(t *testing.T) {
	ctx := context.Background()
	e, st := newEngine(t, engine.Config{})
	oldID := mustCreate(t, e, engine.CreateStackRequest{Name: "s", EnableDeletionProtection: true})

	before := storetest.Dump(t, st)
	_, err := e.DeleteStack(ctx, engine.DeleteStackRequest{StackRef: engine.StackRef{Name: "s"}})
	wantCode(t, err, formation.CodeDeletionProtected, 403)
	assertUnchanged(t, st, before)

	if _, err := e.UpdateStack(ctx, engine.UpdateStackRequest{StackRef: engine.StackRef{Name: "s"}, EnableDeletionProtection: new(false)}); err != nil {
		t.Fatal(err)
	}
	dep, err := e.DeleteStack(ctx, engine.DeleteStackRequest{StackRef: engine.StackRef{Name: "s", ID: oldID}, RetainAllResources: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Wait(ctx, dep)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Deleted || !res.Succeeded() || res.StackID != oldID || res.DeploymentID != dep.DeploymentID {
		t.Fatalf("result %+v", res)
	}
	_, err = e.GetStackMetadata(ctx, engine.StackRef{Name: "s"})
	wantCode(t, err, formation.CodeStackNotFound, 404)
	for b, kv := range storetest.Dump(t, st) {
		for k := range kv {
			if strings.HasPrefix(k, oldID) || (b == store.Stacks && k == "s") {
				t.Fatalf("bucket %s still holds %q after deletion", b, k)
			}
		}
	}
	// The name is reusable, with a new id.
	newID := mustCreate(t, e, engine.CreateStackRequest{Name: "s"})
	if newID == oldID {
		t.Fatal("a re-created stack got the deleted stack's id")
	}
	_, err = e.DeleteStack(ctx, engine.DeleteStackRequest{StackRef: engine.StackRef{Name: "s", ID: oldID}})
	wantCode(t, err, formation.CodeStackIDMismatch, 400)
	_, err = e.Wait(ctx, engine.DeploymentRef{DeploymentID: "6fa459ea-ee8a-4ca4-894e-db77e160355e"})
	wantCode(t, err, formation.CodeDeploymentNotFound, 404)
}

func TestEngine_PersistsAcrossReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "formation.db")
	e, err := engine.Open(path, engine.Config{})
	if err != nil {
		t.Fatal(err)
	}
	id := mustCreate(t, e, engine.CreateStackRequest{Name: "kept", Description: "d", Agencies: agencies(1)})
	want, _ := e.GetStackMetadata(ctx, engine.StackRef{Name: "kept"})
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = e.GetStackMetadata(ctx, engine.StackRef{Name: "kept"})
	wantCode(t, err, formation.CodeUnavailable, 503)

	e, err = engine.Open(path, engine.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	got, err := e.GetStackMetadata(ctx, engine.StackRef{Name: "kept", ID: id})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after reopen %+v, want %+v", got, want)
	}
}

func TestEngine_Open_LockedByAnotherEngine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "formation.db")
	first, err := engine.Open(path, engine.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	// No wall-clock bound on how long it takes to fail: that measures the
	// machine's load (a hang fails the test's timeout).
	second, err := engine.Open(path, engine.Config{})
	if err == nil {
		second.Close()
		t.Fatal("a second Open of a locked store succeeded")
	}
	if !errors.Is(err, formation.ErrUnavailable) || !strings.Contains(err.Error(), "locked by another process") {
		t.Fatalf("second Open: %v; want ErrUnavailable saying the store is locked by another process", err)
	}
}

// assertUnchanged fails when the store's content differs from before, naming
// the keys that differ.
func assertUnchanged(t testing.TB, st store.Store, before map[store.Bucket]map[string]string) {
	t.Helper()
	after := storetest.Dump(t, st)
	for _, b := range store.Buckets() {
		for k, v := range after[b] {
			if old, ok := before[b][k]; !ok || old != v {
				t.Errorf("bucket %s key %q was written by a rejected call", b, k)
			}
		}
		for k := range before[b] {
			if _, ok := after[b][k]; !ok {
				t.Errorf("bucket %s key %q was deleted by a rejected call", b, k)
			}
		}
	}
}

// Open takes the same Config as New: a template deploys through the
// configured provider, and a Store in the Config is refused (the file is
// the store).
func TestEngine_Open_TakesConfig(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "formation.db")
	_, err := engine.Open(path, engine.Config{Store: store.NewMemory()})
	wantCode(t, err, formation.CodeInvalidParameter, 400)
	cloud, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.Open(path, engine.Config{DefaultProvider: cloud})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	res, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: "s", TemplateInput: engine.TemplateInput{TemplateBody: `resource "huaweicloud_vpc" "v" { name = "v" }`}})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := e.Wait(ctx, res.DeploymentRef); err != nil || out.Status != formation.StackDeploymentComplete {
		t.Fatalf("deployment through Open's provider ended %+v, %v", out, err)
	}
}

// A template naming a provider the engine does not have is refused at once
// (400) by every operation that takes one, and nothing is written.
func TestEngine_UnregisteredProviderRefusedAtOnce(t *testing.T) {
	ctx := context.Background()
	e, st := newEngine(t, engine.Config{})
	mustCreate(t, e, engine.CreateStackRequest{Name: "s"})
	before := storetest.Dump(t, st)
	in := engine.TemplateInput{TemplateBody: `resource "huaweicloud_vpc" "v" { name = "v" }`}
	_, err := e.CreateStack(ctx, engine.CreateStackRequest{Name: "t", TemplateInput: in})
	wantCode(t, err, formation.CodeInvalidTemplate, 400)
	if !strings.Contains(err.Error(), `provider "huaweicloud" is not registered`) {
		t.Fatalf("error %v does not name the provider", err)
	}
	_, err = e.DeployStack(ctx, engine.DeployStackRequest{StackRef: engine.StackRef{Name: "s"}, TemplateInput: in})
	wantCode(t, err, formation.CodeInvalidTemplate, 400)
	_, err = e.CreateExecutionPlan(ctx, engine.CreateExecutionPlanRequest{StackRef: engine.StackRef{Name: "s"}, PlanName: "p", TemplateInput: in})
	wantCode(t, err, formation.CodeInvalidTemplate, 400)
	if after := storetest.Dump(t, st); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatal("a refused request changed the store")
	}
}
