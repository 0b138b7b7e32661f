package plan

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// workers is the pool that plans instances. Planning an instance is
// computation — evaluating, coercing, diffing — except for its provider
// calls (Validate, a data-source read, an import read), which may wait on
// a remote service. Computation gains nothing from more goroutines than
// CPUs, and every extra one costs a stack to grow, scheduler hand-offs and
// garbage-collector scanning: planning 1,000 instances on 100 goroutines
// instead of 2 takes about a third more CPU. So the pool starts with one
// worker per CPU and adds workers, up to the parallelism, while it sees
// workers waiting in provider calls — the way the Go scheduler hands a
// thread's processor on when it blocks in a system call.
type workers struct {
	limit int
	cpus  int
	work  func(ctx context.Context)
	start time.Time

	mu   sync.Mutex
	all  []*worker
	live int
	done chan struct{} // closed when every worker has returned: no more are added
}

// worker is one goroutine of the pool.
type worker struct {
	pool *workers
	// calling is when (since the pool's start, plus one so that it is
	// never zero) the worker's current provider call began; 0 when the
	// worker is not in a provider call.
	calling atomic.Int64
}

// waitCheck is how long a provider call runs before the watcher counts its
// worker as waiting, and how often the watcher looks.
const waitCheck = 500 * time.Microsecond

type workerKey struct{}

// runWorkers runs work on up to limit goroutines, each with a context in
// which providerCall finds its worker, and returns when all have returned.
// A worker's work returns only when there is nothing more to do.
func runWorkers(ctx context.Context, limit int, work func(ctx context.Context)) {
	if limit <= 0 {
		return // nothing to plan
	}
	ws := &workers{limit: limit, cpus: min(runtime.GOMAXPROCS(0), limit), work: work, start: time.Now(), done: make(chan struct{})}
	for range ws.cpus {
		ws.spawn(ctx)
	}
	if ws.limit == ws.cpus {
		<-ws.done
		return
	}
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		ws.watch(ctx, stop)
	}()
	<-ws.done
	close(stop)
	<-watched
}

// spawn starts a worker, unless every worker has returned already.
func (ws *workers) spawn(ctx context.Context) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	select {
	case <-ws.done:
		return
	default:
	}
	w := &worker{pool: ws}
	ws.all = append(ws.all, w)
	ws.live++
	go func() {
		ws.work(context.WithValue(ctx, workerKey{}, w))
		ws.mu.Lock()
		defer ws.mu.Unlock()
		if ws.live--; ws.live == 0 {
			close(ws.done)
		}
	}()
}

// watch adds workers while some wait in provider calls, so that about one
// per CPU is free to compute; when every worker waits it doubles them.
func (ws *workers) watch(ctx context.Context, stop <-chan struct{}) {
	t := time.NewTicker(waitCheck)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		ws.mu.Lock()
		n := len(ws.all)
		now := int64(time.Since(ws.start)) + 1
		waiting := 0
		for _, w := range ws.all {
			if since := w.calling.Load(); since != 0 && now-since >= int64(waitCheck) {
				waiting++
			}
		}
		ws.mu.Unlock()
		want := ws.cpus + waiting
		if waiting == n {
			want = 2 * n
		}
		want = min(want, ws.limit)
		for range want - n {
			ws.spawn(ctx)
		}
		if want == ws.limit {
			return
		}
	}
}

// providerCall marks the worker running with ctx as in a provider call
// until the returned worker's done is called. Outside a pool it does
// nothing.
func providerCall(ctx context.Context) *worker {
	w, _ := ctx.Value(workerKey{}).(*worker)
	if w != nil {
		w.calling.Store(int64(time.Since(w.pool.start)) + 1)
	}
	return w
}

// done ends the provider call providerCall marked.
func (w *worker) done() {
	if w != nil {
		w.calling.Store(0)
	}
}
