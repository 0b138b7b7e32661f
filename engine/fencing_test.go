package engine_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/provider"
	"github.com/formation-engine/formation/provider/sim"
	"github.com/formation-engine/formation/store"
)

// fencedTemplate has a slow resource, one that waits for it, a gate and
// one that waits for the gate, and others beside them.
const fencedTemplate = `
resource "sim_item" "a" {
  count = 3
  name  = "a${count.index}"
}
resource "sim_item" "gate" {
  name = "gate"
}
resource "sim_item" "next" {
  name       = "next"
  depends_on = [sim_item.gate]
}
resource "sim_item" "slow" {
  name = "slow"
}
resource "sim_item" "after" {
  name       = "after"
  depends_on = [sim_item.slow]
}
`

// hangingProvider is the provider of one engine, over a simulated cloud
// several share. With hang, its first creation of sim_item.slow reaches the
// cloud, which makes the resource, and then hangs, as a request whose
// answer is slow to come, until its ctx ends. Once the test marks the
// engine's claim as going (fence), every further call is recorded as one
// the old owner should not have made.
type hangingProvider struct {
	*sim.Provider
	hang      bool
	hung      chan struct{} // closed when the slow creation has reached the cloud
	cancelled chan struct{} // closed when its ctx ended
	created   chan struct{} // receives after each other creation
	once      sync.Once

	mu          sync.Mutex
	slowAt      time.Time // when the first creation of sim_item.slow started
	cancelledAt time.Time
	fenced      bool
	late        []string // calls started once fenced
}

func newHangingProvider(p *sim.Provider, hang bool) *hangingProvider {
	return &hangingProvider{Provider: p, hang: hang, hung: make(chan struct{}), cancelled: make(chan struct{}), created: make(chan struct{}, 64)}
}

// fence marks the claim as going: calls from now on are late.
func (h *hangingProvider) fence() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fenced = true
}

func (h *hangingProvider) started(op, addr string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fenced {
		h.late = append(h.late, op+" "+addr)
	}
}

func (h *hangingProvider) Create(ctx context.Context, req provider.CreateRequest) (provider.CreateResponse, error) {
	h.started("create", req.Address)
	if req.Address != "sim_item.slow" {
		resp, err := h.Provider.Create(ctx, req)
		if err == nil {
			h.created <- struct{}{}
		}
		return resp, err
	}
	first := false
	h.once.Do(func() { first = true })
	if !first {
		return h.Provider.Create(ctx, req)
	}
	h.mu.Lock()
	h.slowAt = time.Now()
	h.mu.Unlock()
	resp, err := h.Provider.Create(ctx, req)
	if err != nil || !h.hang {
		return resp, err
	}
	close(h.hung)
	<-ctx.Done()
	h.mu.Lock()
	h.cancelledAt = time.Now()
	h.mu.Unlock()
	close(h.cancelled)
	return provider.CreateResponse{}, ctx.Err()
}

// Configure keeps the provider itself, rather than the simulated
// provider's configured copy, serving the deployment.
func (h *hangingProvider) Configure(context.Context, provider.ConfigureRequest) (provider.Provider, error) {
	return h, nil
}

func (h *hangingProvider) Read(ctx context.Context, req provider.ReadRequest) (provider.ReadResponse, error) {
	h.started("read", req.Address)
	return h.Provider.Read(ctx, req)
}

func (h *hangingProvider) Update(ctx context.Context, req provider.UpdateRequest) (provider.UpdateResponse, error) {
	h.started("update", req.Address)
	return h.Provider.Update(ctx, req)
}

func (h *hangingProvider) Delete(ctx context.Context, req provider.DeleteRequest) error {
	h.started("delete", req.Address)
	return h.Provider.Delete(ctx, req)
}

// checkFencedTakeover checks what the test of a claim lost mid-call
// expects once the new owner finished: the old owner made no call after
// its claim went, the slow creation was re-issued with its token and
// replayed rather than made again, and every resource exists once in the
// cloud and in the stack.
func checkFencedTakeover(t *testing.T, ctx context.Context, newOwner *engine.Engine, p *sim.Provider, old *hangingProvider) {
	t.Helper()
	old.mu.Lock()
	late := old.late
	old.mu.Unlock()
	if len(late) > 0 {
		t.Errorf("the old owner started calls after it was cut off: %v", late)
	}
	replayed := false
	for _, c := range p.Calls() {
		replayed = replayed || c.Op == sim.OpCreate && c.Address == "sim_item.slow" && c.Replayed
	}
	if !replayed {
		t.Error("the new owner did not re-issue the slow creation with its token (no replayed creation)")
	}
	page, err := newOwner.ListStackResources(ctx, engine.ListStackResourcesRequest{StackRef: engine.StackRef{Name: "s"}})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, r := range page.StackResources {
		ids[r.PhysicalResourceID] = r.LogicalResourceName
	}
	cloud := p.Resources()
	const want = 7
	if len(page.StackResources) != want || len(ids) != want || len(cloud) != want {
		t.Fatalf("%d resources in the stack (%d ids), %d in the cloud; want %d of each", len(page.StackResources), len(ids), len(cloud), want)
	}
	for _, r := range cloud {
		if _, ok := ids[r.ID]; !ok {
			t.Errorf("the cloud's %s (%s) is not the stack's", r.Address, r.ID)
		}
	}
}

// leasedMemory is one replica's view of a Memory shared by several engines
// in one test, with claims that behave as etcd's do (store package doc,
// Fencing): renewed every third of leaseTTL until the replica is cut off
// (partition), lost at their deadline, the last renewal plus leaseTTL less
// leaseMargin, and valid while that is at least leaseMargin away. A lost
// claim is free for another replica at once. (Memory's own claims are
// never lost: one process owns it.)
type leasedMemory struct {
	*store.Memory
	name string

	mu     sync.Mutex
	cut    bool
	claims []*leasedClaim
}

const leaseTTL, leaseMargin = 10 * time.Second, 3 * time.Second

func (m *leasedMemory) Shared() string { return "test:" + m.name }

// Close releases the replica's claims; the Memory stays for the others.
func (m *leasedMemory) Close() error {
	m.mu.Lock()
	claims := m.claims
	m.mu.Unlock()
	for _, c := range claims {
		c.lose()
	}
	return nil
}

// partition cuts the replica off: its claims are no longer renewed.
func (m *leasedMemory) partition() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cut = true
}

func (m *leasedMemory) renewing() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return !m.cut
}

func (m *leasedMemory) Claim(ctx context.Context, name string) (store.Claim, error) {
	inner, err := m.Memory.Claim(ctx, name)
	if err != nil {
		return nil, err
	}
	c := &leasedClaim{Claim: inner, lost: make(chan struct{}), released: make(chan struct{}), renewed: make(chan struct{})}
	c.renew()
	m.mu.Lock()
	m.claims = append(m.claims, c)
	m.mu.Unlock()
	go func() {
		renew := time.NewTicker(leaseTTL / 3)
		defer renew.Stop()
		for {
			until, _ := c.deadline()
			select {
			case <-renew.C:
				if m.renewing() {
					c.renew()
				}
			case <-time.After(time.Until(until)):
				c.lose()
				return
			case <-c.released:
				return
			}
		}
	}()
	return c, nil
}

type leasedClaim struct {
	store.Claim
	lost     chan struct{}
	released chan struct{}
	once     sync.Once
	lostAt   time.Time

	mu      sync.Mutex
	until   time.Time     // the deadline
	renewed chan struct{} // closed, and replaced, at each renewal
}

func (c *leasedClaim) renew() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.until = time.Now().Add(leaseTTL - leaseMargin)
	close(c.renewed)
	c.renewed = make(chan struct{})
}

func (c *leasedClaim) deadline() (time.Time, <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.until, c.renewed
}

func (c *leasedClaim) Lost() <-chan struct{} { return c.lost }

func (c *leasedClaim) lose() {
	c.once.Do(func() {
		c.lostAt = time.Now()
		close(c.lost)
		close(c.released)
		_ = c.Claim.Release()
	})
}

func (c *leasedClaim) Valid(ctx context.Context) error {
	for {
		until, renewed := c.deadline()
		select {
		case <-c.lost:
			return store.ErrorClaimLost("test.Valid", c.Name())
		default:
		}
		if time.Until(until) >= leaseMargin {
			return c.Claim.Valid(ctx)
		}
		select {
		case <-renewed:
		case <-c.lost:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (c *leasedClaim) Release() error {
	c.once.Do(func() { close(c.released) })
	return c.Claim.Release()
}

// A replica cut off from the store while a provider call of its runs loses
// its claim at the claim's deadline, and at that moment (in virtual time)
// the call's ctx is cancelled. A creation that becomes ready within the
// margin of the deadline (sim_item.next, once the gate's 5 s creation ends,
// 2 s before it) does not start; nothing does after. Another replica takes
// the deployment over and completes it, re-issuing the cut-off creation
// with its token: the cloud holds each resource once.
func TestFencing_ClaimLostDuringAProviderCall_Memory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		mem := store.NewMemory()
		defer mem.Close()
		p, err := sim.New(sim.Config{Seed: 1, Latency: []sim.LatencyRule{{Match: sim.Match{Op: sim.OpCreate, Address: "sim_item.gate"}, Duration: 5 * time.Second}}})
		if err != nil {
			t.Fatal(err)
		}
		old := newHangingProvider(p, true)
		storeA := &leasedMemory{Memory: mem, name: "a"}
		a, err := engine.New(engine.Config{Store: storeA, DefaultProvider: old, TakeoverInterval: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		b, err := engine.New(engine.Config{Store: &leasedMemory{Memory: mem, name: "b"}, DefaultProvider: p, TakeoverInterval: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()

		res, err := a.CreateStack(ctx, engine.CreateStackRequest{Name: "s", TemplateInput: engine.TemplateInput{TemplateBody: fencedTemplate}})
		if err != nil {
			t.Fatal(err)
		}
		ended := make(chan engine.Result, 1)
		go func() { r, _ := a.Wait(ctx, res.DeploymentRef); ended <- r }()
		select {
		case <-old.hung:
		case r := <-ended:
			t.Fatalf("the deployment ended before its slow creation: %+v", r)
		}
		synctest.Wait() // what the old owner may do before the cut has started
		old.fence()
		storeA.partition()
		select {
		case <-old.cancelled:
		case <-time.After(2 * leaseTTL): // virtual time
			t.Fatalf("the hanging call is not cancelled %v after its replica was cut off (lease TTL %v)", 2*leaseTTL, leaseTTL)
		}
		storeA.mu.Lock()
		lost := storeA.claims[0]
		storeA.mu.Unlock()
		if lost.lostAt.IsZero() || !old.cancelledAt.Equal(lost.lostAt) {
			t.Fatalf("the call was cancelled at %v, the claim lost at %v: want the same instant", old.cancelledAt, lost.lostAt)
		}
		waitCtx, cancel := context.WithTimeout(ctx, time.Minute) // virtual time
		defer cancel()
		out, err := b.Wait(waitCtx, res.DeploymentRef)
		if err != nil || out.Status != formation.StackDeploymentComplete {
			t.Fatalf("the deployment ended %+v, %v; want DEPLOYMENT_COMPLETE by the new owner", out, err)
		}
		synctest.Wait()
		checkFencedTakeover(t, ctx, b, p, old)
	})
}
