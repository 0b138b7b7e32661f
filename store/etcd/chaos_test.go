package etcd_test

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store/etcd"
	"github.com/formation-engine/formation/store/etcd/etcdtest"
)

var (
	chaosKills  = flag.Int("chaos.kills", 3, "how many times TestChaos SIGKILLs a replica")
	chaosSeed   = flag.Uint64("chaos.seed", 0, "TestChaos's seed (0: from the clock); a failure prints it")
	chaosStacks = flag.Int("chaos.stacks", 12, "how many stacks TestChaos's clients work on at once")
)

// TestChaos runs three engine replicas as separate processes (this test
// binary, re-executed: see TestMain) on one three-member etcd cluster, each
// serving RFS's HTTP API, while clients create, deploy, plan, apply and
// delete stacks through whichever replica answers. Replicas are SIGKILLed at
// random and restarted, and an etcd member is stopped and restarted now and
// then. At the end every stack is terminal, its resources are exactly the
// ones its last template asks for and the simulated world holds exactly
// those (no orphan, no duplicate, none lost), its events have no sequence
// gap and its deployments' events do not interleave, and no two replicas
// ever called the provider for one stack at the same time (the replicas
// journal their provider calls).
//
// -chaos.kills sets the number of kills (CI runs 100), -chaos.seed replays a
// failing run's choices (the interleaving of processes is not replayed).
func TestChaos(t *testing.T) {
	seed := *chaosSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("TestChaos failed with -chaos.seed=%d", seed)
		}
	})
	c := startChaos(t, seed)
	var stopping atomic.Bool
	var workers sync.WaitGroup
	stacks := make([]*chaosStack, *chaosStacks)
	for i := range stacks {
		stacks[i] = &chaosStack{name: fmt.Sprintf("s%02d", i), rng: rand.New(rand.NewPCG(seed, uint64(i)+1))}
		workers.Add(1)
		go func() {
			defer workers.Done()
			for !stopping.Load() && !t.Failed() {
				c.step(stacks[i])
				c.steps.Add(1)
			}
		}()
	}
	c.havoc(*chaosKills)
	stopping.Store(true)
	workers.Wait()
	for i := range c.replicas {
		c.kill(i) // freeze the store for the checks; not counted
	}
	if t.Failed() {
		return
	}
	c.check(stacks)
	t.Logf("%d replica kills, %d etcd member stops, %d steps (%d requests) on %d stacks", c.kills, c.memberStops, c.steps.Load(), c.ops.Load(), len(stacks))
}

// chaosCluster is the etcd cluster, the replicas and the clients' view of
// them.
type chaosCluster struct {
	t        *testing.T
	dir      string
	members  []*etcdtest.Member
	prefix   string
	journal  *os.File
	client   *http.Client
	replicas []*chaosReplica

	mu  sync.Mutex
	rng *rand.Rand

	kills, memberStops int
	ops                atomic.Int64 // requests sent
	steps              atomic.Int64 // steps the clients finished
}

// chaosReplica is one replica process.
type chaosReplica struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	addr   string // "" while it is down
	exited chan struct{}
	killed bool
}

func startChaos(t *testing.T, seed uint64) *chaosCluster {
	dir := t.TempDir()
	journal, err := os.OpenFile(filepath.Join(dir, "journal"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { journal.Close() })
	c := &chaosCluster{
		t: t, dir: dir, journal: journal, prefix: "/chaos/",
		members:  etcdtest.Start(t, etcdtest.Options{Members: 3, NoFsync: true}),
		client:   &http.Client{Timeout: 20 * time.Second},
		replicas: make([]*chaosReplica, 3),
		rng:      rand.New(rand.NewPCG(seed, 0)),
	}
	for i := range c.replicas {
		c.replicas[i] = &chaosReplica{}
		c.start(i)
	}
	t.Cleanup(func() {
		for i := range c.replicas {
			c.kill(i)
		}
	})
	return c
}

func (c *chaosCluster) intN(n int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rng.IntN(n)
}

// start runs replica i and waits until it serves.
func (c *chaosCluster) start(i int) {
	t := c.t
	r := c.replicas[i]
	logf, err := os.OpenFile(filepath.Join(c.dir, fmt.Sprintf("replica%d.log", i)), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		replicaEnv+"="+strings.Join(etcdtest.Endpoints(c.members), ","),
		replicaPrefixEnv+"="+c.prefix,
		replicaJournalEnv+"="+c.journal.Name())
	cmd.Stderr = logf
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logf.Close()
		r.mu.Lock()
		killed := r.killed
		r.mu.Unlock()
		if !killed {
			c.t.Errorf("replica %d (pid %d) exited by itself: %v\n%s", i, cmd.Process.Pid, cmd.ProcessState, c.logTail(i))
		}
		close(exited)
	}()
	lines := bufio.NewReader(out)
	line, err := lines.ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		<-exited
		t.Fatalf("replica %d did not start (%q, %v)\n%s", i, line, err, c.logTail(i))
	}
	go func() { _, _ = io.Copy(io.Discard, lines) }()
	r.mu.Lock()
	r.cmd, r.addr, r.exited, r.killed = cmd, addr, exited, false
	r.mu.Unlock()
}

// kill SIGKILLs replica i, waits until it is gone and journals when.
func (c *chaosCluster) kill(i int) {
	r := c.replicas[i]
	r.mu.Lock()
	cmd, exited := r.cmd, r.exited
	r.killed, r.addr = true, ""
	r.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	_, _ = fmt.Fprintf(c.journal, "K %d %d\n", cmd.Process.Pid, time.Now().UnixNano())
}

func (c *chaosCluster) logTail(i int) string {
	b, _ := os.ReadFile(filepath.Join(c.dir, fmt.Sprintf("replica%d.log", i)))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// havoc kills a random replica every few hundred milliseconds and starts
// it again, kills times; every twentieth kill or so an etcd member is
// stopped for two kills' time. A kill waits until a client has finished a
// step since the last one, so that on a slow machine kills do not come
// faster than the work they interrupt can be taken over.
func (c *chaosCluster) havoc(kills int) {
	down := -1
	for c.kills < kills && !c.t.Failed() {
		time.Sleep(time.Duration(200+c.intN(600)) * time.Millisecond)
		for since := c.steps.Load(); c.steps.Load() == since && !c.t.Failed(); {
			time.Sleep(20 * time.Millisecond) // polls the clients' progress
		}
		i := c.intN(len(c.replicas))
		c.kill(i)
		c.kills++
		c.start(i)
		switch {
		case down < 0 && c.kills%20 == 1:
			down = c.intN(len(c.members))
			c.members[down].Stop()
			c.memberStops++
		case down >= 0 && (c.kills%20 == 3 || c.kills == kills):
			c.members[down].Restart(c.t)
			down = -1
		}
	}
	if down >= 0 {
		c.members[down].Restart(c.t)
	}
}

// rfsError is RFS's error body.
type rfsError struct {
	Code    formation.Code `json:"error_code"`
	Message string         `json:"error_msg"`
}

// call sends one request to a random live replica. err is set when no
// answer came (the replica died, or was down): the request may or may not
// have taken effect.
func (c *chaosCluster) call(method, path string, body any, out any) (status int, code formation.Code, err error) {
	var addr string
	for try := 0; addr == "" && try < 10; try++ {
		r := c.replicas[c.intN(len(c.replicas))]
		r.mu.Lock()
		addr = r.addr
		r.mu.Unlock()
	}
	if addr == "" {
		return 0, "", errors.New("no replica up")
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, "http://"+addr+"/v1/"+chaosProject+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Client-Request-Id", fmt.Sprintf("chaos-request-%023d", c.ops.Add(1)))
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, "", err
	}
	if resp.StatusCode >= 300 {
		var e rfsError
		_ = json.Unmarshal(b, &e)
		return resp.StatusCode, e.Code, nil
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Errorf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return resp.StatusCode, "", nil
}

// chaosStack is what a client knows of its stack: whether it exists and
// which template it last deployed. Only its client's goroutine uses it.
type chaosStack struct {
	name   string
	rng    *rand.Rand
	exists bool
	count  int // resources of the last template deployed
	gen    int // the last template's generation, in each resource's description
	plans  int
}

func (s *chaosStack) template(count, gen int) string {
	return fmt.Sprintf("resource \"huaweicloud_vpc\" \"v\" {\n  count = %d\n  name = \"%s-${count.index}\"\n  cidr = \"10.0.0.0/16\"\n  description = \"gen %d\"\n}\n",
		count, s.name, gen)
}

// step makes one change to s: create it, deploy a new template, make and
// apply an execution plan, or delete it; and waits until it is done.
func (c *chaosCluster) step(s *chaosStack) {
	count, gen := 1+s.rng.IntN(6), s.gen+1
	body := s.template(count, gen)
	path := "/stacks/" + s.name
	switch r := s.rng.IntN(10); {
	case !s.exists:
		c.mutate(s, "POST", "/stacks", map[string]string{"stack_name": s.name, "template_body": body}, formation.CodeNameConflict)
		s.exists, s.count, s.gen = true, count, gen
	case r < 2:
		c.mutate(s, "DELETE", path, nil, formation.CodeStackNotFound)
		s.exists = false
	case r < 4:
		s.plans++
		plan := fmt.Sprintf("p%d", s.plans)
		c.mutate(s, "POST", path+"/execution-plans", map[string]string{"execution_plan_name": plan, "template_body": body}, formation.CodeNameConflict)
		if c.applyPlan(s, path+"/execution-plans/"+plan) {
			s.count, s.gen = count, gen
		}
	default:
		c.mutate(s, "POST", path+"/deployments", map[string]string{"template_body": body}, "")
		s.count, s.gen = count, gen
	}
}

// mutate sends a mutating request until one is answered with success (or
// with done, which says an earlier, unanswered attempt took effect), then
// waits until the stack is settled. An attempt that got no answer, or a
// busy or unavailable one, is repeated once the stack has settled: the
// repetition of a deployment that did happen deploys the same template
// again, which changes nothing.
func (c *chaosCluster) mutate(s *chaosStack, method, path string, body any, done formation.Code) {
	t := c.t
	for attempt := 1; ; attempt++ {
		if attempt > 200 {
			t.Errorf("%s %s: no success after 200 attempts", method, path)
			return
		}
		status, code, err := c.call(method, path, body, nil)
		switch {
		case err == nil && status < 300, done != "" && code == done:
			c.settle(s)
			return
		case err != nil, status >= 500, code == formation.CodeStackBusy, code == formation.CodeConcurrentRequest:
			c.settle(s)
			time.Sleep(20 * time.Millisecond)
		default:
			t.Errorf("%s %s: %d %s", method, path, status, code)
			return
		}
	}
}

// settle waits until s is not *_IN_PROGRESS, or gone.
func (c *chaosCluster) settle(s *chaosStack) {
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		var st formation.Stack
		status, code, err := c.call("GET", "/stacks/"+s.name+"/metadata", nil, &st)
		switch {
		case err != nil || status >= 500:
		case code == formation.CodeStackNotFound:
			return
		case status < 300 && !st.Status.InProgress():
			return
		case status >= 300:
			c.t.Errorf("stack %s metadata: %d %s", s.name, status, code)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.t.Errorf("stack %s still in progress after 5 minutes; %s; the replicas said of it:\n%s", s.name, c.claimOf(s.name), c.logsOf(s.name))
}

// claimOf says whether the stack's claim is held, and on which lease: a
// stack stuck in progress while its claim is held is held by a replica
// that does not run it; with its claim free, no replica took it over.
func (c *chaosCluster) claimOf(stack string) string {
	cli, err := clientv3.New(clientv3.Config{Endpoints: etcdtest.Endpoints(c.members), DialTimeout: 5 * time.Second})
	if err != nil {
		return fmt.Sprintf("its claim is unknown (%v)", err)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := cli.Get(ctx, c.prefix+"claims/stack/"+stack)
	switch {
	case err != nil:
		return fmt.Sprintf("its claim is unknown (%v)", err)
	case len(resp.Kvs) == 0:
		return "its claim is free"
	}
	kv := resp.Kvs[0]
	ttl, err := cli.TimeToLive(ctx, clientv3.LeaseID(kv.Lease))
	if err != nil {
		return fmt.Sprintf("its claim is held since revision %d on lease %x (%v)", kv.CreateRevision, kv.Lease, err)
	}
	return fmt.Sprintf("its claim is held since revision %d (now %d) on lease %x, %d s left", kv.CreateRevision, resp.Header.Revision, kv.Lease, ttl.TTL)
}

// logsOf returns the replicas' log lines that name stack.
func (c *chaosCluster) logsOf(stack string) string {
	var out strings.Builder
	for i := range c.replicas {
		b, _ := os.ReadFile(filepath.Join(c.dir, fmt.Sprintf("replica%d.log", i)))
		for _, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "stack="+stack+" ") || !strings.Contains(line, "stack=") && strings.Contains(line, "level=") {
				fmt.Fprintf(&out, "replica %d: %s\n", i, line)
			}
		}
	}
	return out.String()
}

// applyPlan waits until the plan is made and applies it. It reports
// whether the plan was applied (false: it had no changes).
func (c *chaosCluster) applyPlan(s *chaosStack, path string) bool {
	t := c.t
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) && !t.Failed() {
		var p formation.ExecutionPlan
		status, code, err := c.call("GET", path+"/metadata", nil, &p)
		switch {
		case err != nil || status >= 500, status < 300 && p.Status == formation.PlanCreationInProgress:
			time.Sleep(50 * time.Millisecond)
			continue
		case status >= 300:
			t.Errorf("plan %s: %d %s", path, status, code)
			return false
		case p.Status == formation.PlanApplied:
			return true
		case p.Status != formation.PlanAvailable:
			t.Errorf("plan %s is %s: %s", path, p.Status, p.StatusMessage)
			return false
		}
		status, code, err = c.call("POST", path, map[string]string{}, nil)
		switch {
		case err == nil && status < 300:
			c.settle(s)
			return true
		case err != nil, status >= 500, code == formation.CodeStackBusy, code == formation.CodeConcurrentRequest:
			c.settle(s) // then the plan says whether it was applied
		default:
			t.Errorf("apply %s: %d %s", path, status, code)
			return false
		}
	}
	t.Errorf("plan %s not applied after 5 minutes", path)
	return false
}

// check compares what the store and the simulated world hold with what
// the clients did, and the replicas' journal with itself.
func (c *chaosCluster) check(stacks []*chaosStack) {
	t := c.t
	ctx := context.Background()
	st, err := etcd.Open(ctx, etcd.Options{Endpoints: etcdtest.Endpoints(c.members), Prefix: c.prefix, LeaseTTL: replicaTTL})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e, err := engine.New(engine.Config{Store: st, DeferRecovery: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	world, err := sim.ReadWorld(ctx, sim.StoreWorld{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	live := map[string][]sim.Resource{} // by name
	for _, r := range world {
		name := r.State.GetAttr("name").AsString()
		live[name] = append(live[name], r)
	}
	var all []formation.Stack
	for marker := ""; ; {
		page, err := e.ListStacks(ctx, engine.ListStacksRequest{ListOptions: engine.ListOptions{Marker: marker}})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page.Stacks...)
		if marker = page.PageInfo.NextMarker; marker == "" {
			break
		}
	}
	stored := map[string]formation.Stack{}
	for _, s := range all {
		stored[s.Name] = s
	}
	for _, s := range stacks {
		got, ok := stored[s.name]
		delete(stored, s.name)
		if ok != s.exists {
			t.Errorf("stack %s: stored %v, want %v", s.name, ok, s.exists)
			continue
		}
		want := map[string]string{} // name → description
		if s.exists {
			if got.Status != formation.StackDeploymentComplete {
				t.Errorf("stack %s is %s (%s)", s.name, got.Status, got.StatusMessage)
			}
			for i := range s.count {
				want[fmt.Sprintf("%s-%d", s.name, i)] = fmt.Sprintf("gen %d", s.gen)
			}
			c.checkResources(e, s, want, live)
			c.checkEvents(e, s)
		}
		for name, rs := range live {
			if !strings.HasPrefix(name, s.name+"-") {
				continue
			}
			switch {
			case want[name] == "":
				t.Errorf("orphan: %s %s (%s) is in the world but not in stack %s", rs[0].Type, rs[0].ID, name, s.name)
			case len(rs) > 1:
				t.Errorf("duplicate: %d resources named %s in the world", len(rs), name)
			case rs[0].State.GetAttr("description") != cty.StringVal(want[name]):
				t.Errorf("%s: description %#v in the world, want %q", name, rs[0].State.GetAttr("description"), want[name])
			}
			delete(want, name)
			delete(live, name)
		}
		for name := range want {
			t.Errorf("lost: %s is not in the world", name)
		}
	}
	for name := range stored {
		t.Errorf("stack %s is stored but no client made it", name)
	}
	for name := range live {
		t.Errorf("orphan: %s is in the world but in no stack", name)
	}
	c.checkJournal()
}

// checkResources checks that s's stored resources are want's, each with
// the id of the world's resource of its name.
func (c *chaosCluster) checkResources(e *engine.Engine, s *chaosStack, want map[string]string, live map[string][]sim.Resource) {
	t := c.t
	n := 0
	for marker := ""; ; {
		page, err := e.ListStackResources(context.Background(), engine.ListStackResourcesRequest{StackRef: engine.StackRef{Name: s.name}, ListOptions: engine.ListOptions{Marker: marker}})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.StackResources {
			n++
			name := s.name + "-" + r.IndexKey
			switch rs := live[name]; {
			case want[name] == "":
				t.Errorf("stack %s holds %s[%s], which its template does not", s.name, r.LogicalResourceName, r.IndexKey)
			case len(rs) == 0:
				t.Errorf("stack %s holds %s (%s), which the world does not", s.name, name, r.PhysicalResourceID)
			case rs[0].ID != r.PhysicalResourceID:
				t.Errorf("stack %s holds %s as %s, the world as %s", s.name, name, r.PhysicalResourceID, rs[0].ID)
			}
		}
		if marker = page.PageInfo.NextMarker; marker == "" {
			break
		}
	}
	if n != len(want) {
		t.Errorf("stack %s holds %d resources, want %d", s.name, n, len(want))
	}
}

// checkEvents checks that s's events are numbered 1…N without a gap, and
// that no two deployments' events interleave.
func (c *chaosCluster) checkEvents(e *engine.Engine, s *chaosStack) {
	t := c.t
	var seqs []uint64
	type span struct{ lo, hi uint64 }
	deps := map[string]*span{}
	for marker := ""; ; {
		page, err := e.ListStackEvents(context.Background(), engine.ListStackEventsRequest{StackRef: engine.StackRef{Name: s.name}, ListOptions: engine.ListOptions{Marker: marker, Limit: 100}})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range page.StackEvents {
			seqs = append(seqs, ev.Sequence)
			if ev.DeploymentID == "" {
				continue
			}
			if sp := deps[ev.DeploymentID]; sp == nil {
				deps[ev.DeploymentID] = &span{ev.Sequence, ev.Sequence}
			} else {
				sp.lo, sp.hi = min(sp.lo, ev.Sequence), max(sp.hi, ev.Sequence)
			}
		}
		if marker = page.PageInfo.NextMarker; marker == "" {
			break
		}
	}
	slices.Sort(seqs)
	for i, seq := range seqs {
		if seq != uint64(i)+1 {
			t.Errorf("stack %s: event %d where %d was due: a gap or a duplicate", s.name, seq, i+1)
			break
		}
	}
	spans := make([]*span, 0, len(deps))
	for _, sp := range deps {
		spans = append(spans, sp)
	}
	slices.SortFunc(spans, func(a, b *span) int { return cmp.Compare(a.lo, b.lo) })
	for i := 1; i < len(spans); i++ {
		if spans[i].lo < spans[i-1].hi {
			t.Errorf("stack %s: a deployment's events %d–%d interleave with another's %d–%d", s.name, spans[i].lo, spans[i].hi, spans[i-1].lo, spans[i-1].hi)
		}
	}
}

// checkJournal checks that no two replicas ever called the provider for
// one stack at the same time. A call of a killed replica that never
// returned ends when the replica was killed.
func (c *chaosCluster) checkJournal() {
	t := c.t
	raw, err := os.ReadFile(c.journal.Name())
	if err != nil {
		t.Fatal(err)
	}
	type call struct {
		pid        string
		stack      string
		start, end int64
	}
	calls := map[string]*call{} // by "PID CALL"
	killedAt := map[string]int64{}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		f := strings.Fields(line)
		at, _ := strconv.ParseInt(f[len(f)-1], 10, 64)
		switch {
		case f[0] == "K" && len(f) == 3:
			killedAt[f[1]] = at
		case f[0] == "B" && len(f) == 5:
			calls[f[1]+" "+f[2]] = &call{pid: f[1], stack: f[3], start: at}
		case f[0] == "E" && len(f) == 5 && calls[f[1]+" "+f[2]] != nil:
			calls[f[1]+" "+f[2]].end = at
		default:
			t.Fatalf("journal line %q", line)
		}
	}
	byStack := map[string][]*call{}
	for _, cl := range calls {
		if cl.end == 0 {
			cl.end = killedAt[cl.pid]
		}
		if cl.end == 0 {
			t.Errorf("provider call of pid %s for stack %s never ended, yet its replica was not killed", cl.pid, cl.stack)
			continue
		}
		byStack[cl.stack] = append(byStack[cl.stack], cl)
	}
	total := 0
	for stack, cs := range byStack {
		total += len(cs)
		if stack == "?" {
			t.Errorf("%d provider calls for resources not named STACK-INDEX", len(cs))
			continue
		}
		slices.SortFunc(cs, func(a, b *call) int { return cmp.Compare(a.start, b.start) })
		var open []*call // calls not ended at the current one's start
		for _, cl := range cs {
			open = slices.DeleteFunc(open, func(o *call) bool { return o.end <= cl.start })
			for _, o := range open {
				if o.pid != cl.pid {
					t.Errorf("stack %s: pid %s called the provider at %d while pid %s's call (%d–%d) ran: two replicas ran the stack at once",
						stack, cl.pid, cl.start, o.pid, o.start, o.end)
				}
			}
			open = append(open, cl)
		}
	}
	if total == 0 {
		t.Error("the journal holds no provider call")
	}
}
