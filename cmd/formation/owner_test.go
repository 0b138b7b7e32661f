package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/formation-engine/formation"
)

// owned is a deployment running in an in-process owner: its stdout as
// it is printed, and its exit status once it ends.
type owned struct {
	cancel context.CancelFunc
	done   chan int
	mu     sync.Mutex
	out    bytes.Buffer
	stderr bytes.Buffer
}

func (o *owned) output() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.out.String()
}

// startOwner runs "formation ARGS" in the background and returns once it
// has printed its first line: by then it holds the database and serves
// its socket (a deployment introduces itself after the engine is open).
func startOwner(t *testing.T, args ...string) *owned {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	o := &owned{cancel: cancel, done: make(chan int, 1)}
	pr, pw := io.Pipe()
	go func() {
		code := runContext(ctx, args, pw, &o.stderr)
		pw.Close()
		o.done <- code
	}()
	lines := bufio.NewReader(pr)
	first, err := lines.ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("the owner printed nothing: %v; stderr %q", err, o.stderr.String())
	}
	o.out.WriteString(first)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := lines.Read(buf)
			o.mu.Lock()
			o.out.Write(buf[:n])
			o.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { cancel() })
	return o
}

func TestOwnerServesOtherCommands(t *testing.T) {
	db := newDB(t)
	dir := t.TempDir()
	outputsOnly := filepath.Join(dir, "api.tf")
	if err := os.WriteFile(outputsOnly, []byte(`output "greeting" { value = "hello" }`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ok(t, "-db", db, "stack", "create", "web")
	ok(t, "-db", db, "stack", "create", "api")
	// An hour of simulated latency: web stays in progress, in the owner,
	// for as long as the test needs.
	o := startOwner(t, "-db", db, "-sim-latency", "1h", "deploy", "web", "-t", filepath.Join("testdata", "network"), "-var", "prefix=w")
	info, err := os.Stat(socketPath(db))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("the owner's socket: %v, mode %v", err, info.Mode())
	}

	// Reads go through the owner.
	if out := ok(t, "-db", db, "stack", "list"); !strings.Contains(out, "DEPLOYMENT_IN_PROGRESS") {
		t.Errorf("stack list through the owner:\n%s", out)
	}
	if out := ok(t, "-db", db, "events", "web"); !strings.Contains(out, "Stack web is DEPLOYMENT_IN_PROGRESS.") {
		t.Errorf("events through the owner:\n%s", out)
	}
	ok(t, "-db", db, "resources", "web")
	// A deployment of another stack runs in the owner, followed from here;
	// the owner's simulation runs it, as the note says.
	r := cli(t, "-db", db, "-sim-latency", "1s", "deploy", "api", "-t", outputsOnly)
	if r.code != exitOK || !strings.Contains(r.stdout, "Stack api: DEPLOYMENT_COMPLETE") || !strings.Contains(r.stdout, `greeting = "hello"`) {
		t.Errorf("deploy through the owner: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "its -sim-*, -time-scale") {
		t.Errorf("no note that the owner's simulation flags apply: %q", r.stderr)
	}
	if out := ok(t, "-db", db, "outputs", "api"); !strings.Contains(out, "hello") {
		t.Errorf("outputs through the owner:\n%s", out)
	}
	// Plans too.
	ok(t, "-db", db, "plan", "create", "api", "p1", "-t", outputsOnly)
	if out := ok(t, "-db", db, "plan", "list", "api"); !strings.Contains(out, "p1") {
		t.Errorf("plan list through the owner:\n%s", out)
	}
	ok(t, "-db", db, "plan", "show", "api", "p1")
	if out := ok(t, "-db", db, "plan", "apply", "api", "p1"); !strings.Contains(out, "Stack api: DEPLOYMENT_COMPLETE") {
		t.Errorf("plan apply through the owner:\n%s", out)
	}
	// A deployment already running refuses another, and says what helps.
	if r := cli(t, "-db", db, "deploy", "web", "-t", outputsOnly); r.code != exitRejected ||
		!strings.HasPrefix(r.stderr, string(formation.CodeStackBusy)+": ") || !strings.Contains(r.stderr, "formation wait web") {
		t.Errorf("deploying a busy stack: exit %d, stderr %q; want the refusal naming formation wait", r.code, r.stderr)
	}

	// Following from here, then Ctrl-C: following stops, the deployment
	// goes on in the owner.
	fctx, stop := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	followed := make(chan int, 1)
	var ferr bytes.Buffer
	go func() {
		followed <- runContext(fctx, []string{"-db", db, "events", "web", "-follow"}, pw, &ferr)
		pw.Close()
	}()
	first, _ := bufio.NewReader(pr).ReadString('\n')
	if !strings.HasPrefix(first, "Following deployment of stack web") {
		t.Errorf("events -follow began %q", first)
	}
	stop()
	go io.Copy(io.Discard, pr)
	if code := <-followed; code == exitOK || !strings.Contains(ferr.String(), "stopped following") {
		t.Errorf("an interrupted follower: exit %d, %q", code, ferr.String())
	}
	if out := ok(t, "-db", db, "stack", "show", "web"); !strings.Contains(out, "DEPLOYMENT_IN_PROGRESS") {
		t.Errorf("the owner's deployment did not go on:\n%s", out)
	}

	// The owner stops (Ctrl-C): its socket goes, and the next command
	// holds the database itself.
	o.cancel()
	if code := <-o.done; code == exitOK || !strings.Contains(o.stderr.String(), "formation wait web resumes the deployment") {
		t.Errorf("an interrupted deploy: exit %d, stderr %q; printed:\n%s", code, o.stderr.String(), o.output())
	}
	if _, err := os.Lstat(socketPath(db)); !os.IsNotExist(err) {
		t.Errorf("the stopped owner left its socket: %v", err)
	}
}

func TestStaleSocketIsReplaced(t *testing.T) {
	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "web")
	// A killed owner's socket: the file is there, nobody listens.
	ln, err := net.Listen("unix", socketPath(db))
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	if out := ok(t, "-db", db, "stack", "list"); !strings.Contains(out, "web") {
		t.Errorf("stack list beside a stale socket:\n%s", out)
	}
	if _, err := os.Lstat(socketPath(db)); !os.IsNotExist(err) {
		t.Errorf("the stale socket was not replaced (and removed at the end): %v", err)
	}
}

func TestOtherUsersSocketIsRefused(t *testing.T) {
	db := newDB(t)
	ln, err := net.Listen("unix", socketPath(db))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	info, err := os.Lstat(socketPath(db))
	if err != nil {
		t.Fatal(err)
	}
	if uid, ok := fileUID(info); ok {
		if err := checkSocketFile(socketPath(db), info, uid+1); !formation.HasCode(err, formation.CodeForbidden) {
			t.Errorf("another user's socket: %v", err)
		}
	}
	if os.Getuid() != 0 {
		t.Skip("changing a socket's owner needs root")
	}
	if err := os.Lchown(socketPath(db), 65534, 65534); err != nil {
		t.Fatal(err)
	}
	stderr := rejected(t, formation.CodeForbidden, "-db", db, "stack", "list")
	if !strings.Contains(stderr, "belongs to user 65534") {
		t.Errorf("refusal: %q", stderr)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("the database was opened beside another user's socket")
	}
}

// TestClientWaitResumesThroughOwner: a stack's interrupted deployment
// stays stopped in an owner that only reads, until a client waits for it:
// then the owner resumes it, and the client follows it to its end.
func TestClientWaitResumesThroughOwner(t *testing.T) {
	db := newDB(t)
	interruptStack(t, db, "web")
	// The owner: a console on the stack, open for as long as its input is.
	in, feed := io.Pipe()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	var stderr bytes.Buffer
	go func() {
		done <- runInput(context.Background(), context.Background(), in, []string{"-db", db, "console", "-t", filepath.Join("testdata", "network"), "-var", "prefix=w", "-stack", "web"}, pw, &stderr)
		pw.Close()
	}()
	go io.WriteString(feed, "1 + 1\n")
	if line, err := bufio.NewReader(pr).ReadString('\n'); err != nil || line != "2\n" {
		t.Fatalf("console answered %q, %v; stderr %q", line, err, stderr.String())
	}
	go io.Copy(io.Discard, pr)
	// A client reports the interrupted deployment as the owner would.
	const note = "the deployment of stack web was interrupted and is stopped; formation wait web resumes it"
	if r := cli(t, "-db", db, "stack", "show", "web"); r.code != exitOK || !strings.Contains(r.stdout, "DEPLOYMENT_IN_PROGRESS") || !strings.Contains(r.stderr, note) {
		t.Fatalf("the interrupted stack through the owner: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if out := ok(t, "-db", db, "wait", "web"); !strings.Contains(out, "Stack web: DEPLOYMENT_COMPLETE") || !strings.Contains(out, "Creation complete") {
		t.Errorf("wait through the owner:\n%s", out)
	}
	if r := cli(t, "-db", db, "stack", "list"); r.code != exitOK || strings.Contains(r.stderr, note) {
		t.Errorf("after wait, a client still reports the deployment stopped: exit %d, stderr %q", r.code, r.stderr)
	}
	feed.Close()
	if code := <-done; code != exitOK || strings.Contains(stderr.String(), "interrupted and is stopped") {
		t.Errorf("the owner: exit %d, stderr %q", code, stderr.String())
	}
}

// TestPlanApplyAsksThroughOwner: on a terminal, plan apply through an
// owner shows the plan and asks, as it does holding the database.
func TestPlanApplyAsksThroughOwner(t *testing.T) {
	asTerminal(t)
	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "web")
	ok(t, "-db", db, "stack", "create", "api")
	// A plan that would apply at once, whatever the owner's latency.
	greeting := filepath.Join(t.TempDir(), "api.tf")
	if err := os.WriteFile(greeting, []byte(`output "greeting" { value = "hello" }`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ok(t, "-db", db, "plan", "create", "api", "p1", "-t", greeting)
	startOwner(t, "-db", db, "-sim-latency", "1h", "deploy", "web", "-auto-approve", "-t", network, "-var", "prefix=w", "-var", "subnets=1")
	r := answer("no\n", "-db", db, "plan", "apply", "api", "p1")
	if r.code != exitFailed || !strings.Contains(r.stdout, "Only 'yes' will be accepted to approve.") || !strings.HasSuffix(r.stdout, "Apply cancelled.\n") {
		t.Errorf("answering no through the owner: exit %d, stdout:\n%s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if out := ok(t, "-db", db, "stack", "show", "api"); !strings.Contains(out, "CREATION_COMPLETE") {
		t.Errorf("the plan was applied after a no:\n%s", out)
	}
}
