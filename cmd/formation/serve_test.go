package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	aos "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/aos/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/aos/v1/model"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/store"
)

func TestServe_RefusesAnOpenAddressWithoutCredentials(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	rejected(t, formation.CodeInvalidParameter, "-db", db, "serve", "-listen", "0.0.0.0:0")
	rejected(t, formation.CodeInvalidParameter, "-db", db, "serve", "-listen", ":0")
	creds := filepath.Join(t.TempDir(), "keys.json")
	if err := os.WriteFile(creds, []byte(`{"keys":[{"access_key":"AK","secret_key":"SK"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	rejected(t, formation.CodeInvalidParameter, "-db", db, "serve", "-credentials", creds) // a key with no project
}

// serve answers the official SDK with the credentials file's keys, stops
// cleanly when its context ends, and leaves what it did in the database.
func TestServe_SDKAgainstServe(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	creds := filepath.Join(t.TempDir(), "keys.json")
	const project = "0605767f0a00d5762fc2c0133c2d8b8d"
	if err := os.WriteFile(creds, []byte(`{"keys":[{"access_key":"AK1","secret_key":"SK1","projects":["`+project+`"]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, w := io.Pipe()
	exited := make(chan int, 1)
	go func() {
		code := runContext(ctx, []string{"-db", db, "serve", "-listen", "127.0.0.1:0", "-credentials", creds}, w, io.Discard)
		w.Close()
		exited <- code
	}()
	lines := bufio.NewScanner(stdout)
	if !lines.Scan() {
		t.Fatalf("serve printed nothing (exit %d)", <-exited)
	}
	m := regexp.MustCompile(`on (http://127\.0\.0\.1:\d+) `).FindStringSubmatch(lines.Text())
	if m == nil {
		t.Fatalf("serve's first line names no address: %q", lines.Text())
	}
	client := func(sk string) *aos.AosClient {
		cred, err := basic.NewCredentialsBuilder().WithAk("AK1").WithSk(sk).WithProjectId(project).SafeBuild()
		if err != nil {
			t.Fatal(err)
		}
		hc, err := aos.AosClientBuilder().WithEndpoints([]string{m[1]}).WithCredential(cred).SafeBuild()
		if err != nil {
			t.Fatal(err)
		}
		return aos.NewAosClient(hc)
	}
	const id = "6fa459ea-ee8a-4ca4-894e-db77e160355e"
	if _, err := client("SK1").CreateStack(&model.CreateStackRequest{ClientRequestId: id, Body: &model.CreateStackRequestBody{StackName: "served"}}); err != nil {
		t.Fatal(err)
	}
	_, err := client("wrong").ListStacks(&model.ListStacksRequest{ClientRequestId: id})
	var se *sdkerr.ServiceResponseError
	if !errors.As(err, &se) || se.StatusCode != 401 || se.ErrorCode != string(formation.CodeAuthFailed) {
		t.Fatalf("a wrong secret key: %v", err)
	}
	cancel()
	rest, _ := io.ReadAll(stdout)
	if code := <-exited; code != exitOK || !strings.Contains(string(rest), "Stopped") {
		t.Fatalf("serve exited %d after its context ended, printing %q", code, rest)
	}
	// The file holds the stack, under the project's keys.
	if _, ok := dump(t, db)[store.Stacks][project+"/served"]; !ok {
		t.Fatalf("the database holds no stack served of project %s", project)
	}
}

// A connection past -max-conns waits until one closes.
func TestServe_LimitListener(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := limitListener(ln, 1)
	defer l.Close()
	accepted := make(chan net.Conn, 2)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	for range 2 {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	first := <-accepted
	select {
	case <-accepted:
		t.Fatal("a second connection was accepted while the first was open")
	default:
	}
	first.Close()
	(<-accepted).Close() // accepted once the first closed
}

// serve on a unix socket: the handler a local client (the CLI) reaches.
func TestServe_UnixSocket(t *testing.T) {
	t.Parallel()
	sock := filepath.Join(t.TempDir(), "formation.sock")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, w := io.Pipe()
	exited := make(chan int, 1)
	go func() {
		code := runContext(ctx, []string{"-db", newDB(t), "serve", "-listen", "unix:" + sock}, w, io.Discard)
		w.Close()
		exited <- code
	}()
	if !bufio.NewScanner(stdout).Scan() {
		t.Fatalf("serve printed nothing (exit %d)", <-exited)
	}
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	resp, err := hc.Get("http://formation/formation/v1/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz over the socket: %d", resp.StatusCode)
	}
	cancel()
	go io.Copy(io.Discard, stdout)
	if code := <-exited; code != exitOK {
		t.Fatalf("serve exited %d", code)
	}
}

// formation serve owns its database as any command holding it does: other
// commands on the same -db work through it, in the default project, and
// see afterwards, on their own, what they did through it.
func TestServe_CommandsOnTheSameDatabase(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	ok(t, "-db", db, "stack", "create", "before")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, w := io.Pipe()
	exited := make(chan int, 1)
	go func() {
		code := runContext(ctx, []string{"-db", db, "serve", "-listen", "127.0.0.1:0"}, w, io.Discard)
		w.Close()
		exited <- code
	}()
	if !bufio.NewScanner(stdout).Scan() {
		t.Fatalf("serve printed nothing (exit %d)", <-exited)
	}
	go io.Copy(io.Discard, stdout)
	if _, err := os.Stat(socketPath(db)); err != nil {
		t.Fatalf("serve makes no socket beside its database: %v", err)
	}
	ok(t, "-db", db, "stack", "create", "web")
	out := ok(t, "-db", db, "deploy", "web", "-t", solo)
	if !strings.Contains(out, "Stack web: DEPLOYMENT_COMPLETE") {
		t.Fatalf("deploy through serve:\n%s", out)
	}
	// A template with local modules travels as a zip uploaded to serve, as
	// an RFS client's goes through object storage.
	ok(t, "-db", db, "stack", "create", "mods")
	if out := ok(t, "-db", db, "deploy", "mods", "-t", filepath.Join("testdata", "modules")); !strings.Contains(out, "Stack mods: DEPLOYMENT_COMPLETE") {
		t.Errorf("deploying local modules through serve:\n%s", out)
	}
	if out := ok(t, "-db", db, "resources", "mods"); !strings.Contains(out, "module.") {
		t.Errorf("the module's resources through serve:\n%s", out)
	}
	// The content of a vars_uri file, given in Go, travels as a file
	// uploaded to serve and named by vars_uri; the metadata shows it.
	r, err := findOwner(ctx, socketPath(db))
	if err != nil || r == nil {
		t.Fatalf("no owner found: %v", err)
	}
	const vars = "name = \"through-serve\"\n"
	created, err := r.CreateStack(ctx, engine.CreateStackRequest{Name: "vars", TemplateInput: engine.TemplateInput{
		TemplateBody: "variable \"name\" {}\nresource \"huaweicloud_vpc\" \"v\" {\n  name = var.name\n  cidr = \"10.0.0.0/16\"\n}\n", VarsURIContent: vars}})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := r.Wait(ctx, engine.StackRef{Name: "vars"}, engine.DeploymentRef{DeploymentID: created.DeploymentID}); err != nil || res.Status != formation.StackDeploymentComplete {
		t.Fatalf("the deployment with a vars_uri file through serve: %+v, %v", res, err)
	}
	if out := ok(t, "-db", db, "stack", "show", "vars"); !strings.Contains(out, `vars_uri_content:`) || !strings.Contains(out, `through-serve`) {
		t.Errorf("stack show of a stack deployed with a vars_uri file:\n%s", out)
	}
	// Terraform's JSON plan of a stored plan, rendered by serve.
	ok(t, "-db", db, "plan", "create", "web", "p1", "-t", filepath.Join("testdata", "network"), "-var", "prefix=w")
	if out := ok(t, "-db", db, "-json", "plan", "show", "web", "p1"); !strings.Contains(out, `"format_version"`) ||
		!strings.Contains(out, `"resource_changes"`) || !strings.Contains(out, `"execution_plan_name": "p1"`) {
		t.Errorf("plan show -json through serve:\n%s", out)
	}
	if out := ok(t, "-db", db, "stack", "list"); !strings.Contains(out, "before") || !strings.Contains(out, "web") {
		t.Fatalf("stack list through serve:\n%s", out)
	}
	cancel()
	if code := <-exited; code != exitOK {
		t.Fatalf("serve exited %d", code)
	}
	if _, err := os.Stat(socketPath(db)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("serve left its socket: %v", err)
	}
	out = ok(t, "-db", db, "resources", "web")
	if !strings.Contains(out, "CREATION_COMPLETE") {
		t.Errorf("the stack deployed through serve, read alone:\n%s", out)
	}
}
