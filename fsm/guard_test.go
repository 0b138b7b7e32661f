package fsm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/fsm"
)

func TestStackGuards_Table(t *testing.T) {
	want := []struct {
		name   string
		events []fsm.StackEvent
		code   formation.Code
	}{
		{"deletion_protection", []fsm.StackEvent{fsm.StackDelete}, formation.CodeDeletionProtected},
		{"auto_rollback_in_failed_status", []fsm.StackEvent{fsm.StackUpdate}, formation.CodeAutoRollback},
		{"auto_rollback_with_imports", []fsm.StackEvent{fsm.StackCreateAndDeploy, fsm.StackDeploy, fsm.StackContinueDeploy}, formation.CodeAutoRollback},
	}
	got := fsm.StackGuards()
	if len(got) != len(want) {
		t.Fatalf("%d guards, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Name != w.name || g.Code != w.code || strings.Join(evs(g.Events), ",") != strings.Join(evs(w.events), ",") || g.Message == "" {
			t.Errorf("guard %d = %+v, want %+v", i, g, w)
		}
	}
	protect := got[0]
	if !protect.Refuses(dc, fsm.StackDelete, fsm.StackFacts{DeletionProtection: true}) ||
		protect.Refuses(dc, fsm.StackDelete, fsm.StackFacts{}) ||
		protect.Refuses(dc, fsm.StackDeploy, fsm.StackFacts{DeletionProtection: true}) {
		t.Error("deletion_protection.Refuses disagrees with its definition")
	}
}

func evs(es []fsm.StackEvent) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = string(e)
	}
	return out
}

func TestStackMachine_Fire_Guards(t *testing.T) {
	protected := fsm.StackFacts{DeletionProtection: true}
	enabling := fsm.StackFacts{EnablingAutoRollback: true}
	imports := fsm.StackFacts{AutoRollback: true, TemplateHasImports: true}
	type tc struct {
		from  formation.StackStatus
		ev    fsm.StackEvent
		facts fsm.StackFacts
		code  formation.Code // "" means allowed, landing on want
		want  formation.StackStatus
	}
	var cases []tc
	for _, s := range []formation.StackStatus{cc, df, dc, rf, rc, delf} {
		cases = append(cases,
			tc{s, fsm.StackDelete, protected, formation.CodeDeletionProtected, ""},
			tc{s, fsm.StackDelete, imports, "", delip},
			tc{s, fsm.StackDeploy, imports, formation.CodeAutoRollback, ""},
			tc{s, fsm.StackDeploy, fsm.StackFacts{AutoRollback: true}, "", dip},
			tc{s, fsm.StackDeploy, fsm.StackFacts{TemplateHasImports: true}, "", dip},
			tc{s, fsm.StackDeploy, protected, "", dip},
			tc{s, fsm.StackUpdate, protected, "", s},
		)
		if s.Failed() {
			cases = append(cases, tc{s, fsm.StackUpdate, enabling, formation.CodeAutoRollback, ""})
		} else {
			cases = append(cases, tc{s, fsm.StackUpdate, enabling, "", s})
		}
	}
	cases = append(cases,
		tc{fsm.StackNone, fsm.StackCreateAndDeploy, imports, formation.CodeAutoRollback, ""},
		tc{fsm.StackNone, fsm.StackCreate, imports, "", cc},
		tc{df, fsm.StackContinueDeploy, imports, formation.CodeAutoRollback, ""},
		tc{rf, fsm.StackContinueRollback, imports, "", rip},
		// The transition table is asked first: busy wins over any guard.
		tc{dip, fsm.StackDelete, protected, formation.CodeStackBusy, ""},
		tc{rip, fsm.StackUpdate, enabling, formation.CodeStackBusy, ""},
		tc{delip, fsm.StackDeploy, imports, formation.CodeStackBusy, ""},
		tc{dc, fsm.StackContinueDeploy, imports, formation.CodeInvalidStackStatus, ""},
	)
	ctx := context.Background()
	for _, c := range cases {
		m, err := fsm.RestoreStack(c.from)
		if err != nil {
			t.Fatal(err)
		}
		got, err := m.Fire(ctx, c.ev, c.facts)
		if c.code == "" {
			if err != nil || got != c.want {
				t.Errorf("%q %s %+v: Fire = %q, %v; want %q", c.from, c.ev, c.facts, got, err, c.want)
			}
			continue
		}
		if !errors.Is(err, formation.ErrInvalidStatus) || !formation.HasCode(err, c.code) {
			t.Errorf("%q %s %+v: Fire = %q, %v; want code %s", c.from, c.ev, c.facts, got, err, c.code)
		}
		if got != c.from || m.Status() != c.from {
			t.Errorf("%q %s: a refused Fire moved the machine to %q / %q", c.from, c.ev, got, m.Status())
		}
		if !m.Can(c.ev) && (c.code == formation.CodeDeletionProtected || c.code == formation.CodeAutoRollback) {
			t.Errorf("%q %s: Can = false; Can ignores guards", c.from, c.ev)
		}
	}
}

func TestStackMachine_Fire_GuardMessage(t *testing.T) {
	_, err := fsm.NextStack(context.Background(), rf, fsm.StackUpdate, fsm.StackFacts{EnablingAutoRollback: true})
	var fe *formation.Error
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v", err)
	}
	want := "Invalid stack status ROLLBACK_FAILED. Auto rollback cannot be enabled while the stack is in a failed status."
	if fe.Message != want || fe.Op != "fsm.StackMachine.Fire" {
		t.Errorf("message %q op %q, want %q", fe.Message, fe.Op, want)
	}
}
