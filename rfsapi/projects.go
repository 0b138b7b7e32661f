package rfsapi

import (
	"context"
	"errors"
	"hash/fnv"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/store"
)

// Projects gives each project its engine: project_id isolates stacks, so
// names are unique per project and no project sees another's stacks, plans,
// events or resources.
type Projects interface {
	// Engine returns the engine of the project, or an error the handler
	// answers with (a *formation.Error).
	Engine(ctx context.Context, project string) (*engine.Engine, error)
}

// DefaultProject is the project id an embedder's single engine serves
// (Single); point the SDK's credentials at it (WithProjectId).
const DefaultProject = "formation"

// Single serves one engine as the one project id; any other project is
// refused (403). It is how a Go service mounts the handler over the engine
// it already has.
func Single(id string, e *engine.Engine) Projects { return single{id, e} }

type single struct {
	id string
	e  *engine.Engine
}

func (s single) Engine(_ context.Context, project string) (*engine.Engine, error) {
	if project != s.id {
		return nil, formation.Errorf(formation.CodeForbidden, "rfsapi", project, "project %s is not served here; this server serves project %s", project, s.id)
	}
	return s.e, nil
}

// StoreProjects keeps many projects in one store: each project's engine
// sees its own keys (under the project's prefix) and the one simulated
// cloud. Engines start on a project's first request and, for the projects
// the store already holds, at OpenProjects, which resumes their
// interrupted deployments. It is safe for concurrent use.
type StoreProjects struct {
	st  store.Store
	cfg engine.Config
	max int

	mu      sync.Mutex
	engines map[string]*engine.Engine
	closed  bool
}

// DefaultMaxProjects bounds the projects one StoreProjects serves.
const DefaultMaxProjects = 100

// projectKey is the store's record that a project exists: in the Meta
// bucket under a name no project prefix can produce ('.' is not allowed in
// a project id).
const projectKey = "rfsapi.project:"

// OpenProjects serves the projects of st, an engine per project configured
// by cfg (cfg.Store must be nil: st is the store). It owns st from then on:
// Close closes the engines, then st. max bounds the projects (0:
// DefaultMaxProjects).
func OpenProjects(ctx context.Context, st store.Store, cfg engine.Config, max int) (*StoreProjects, error) {
	if cfg.Store != nil {
		return nil, formation.Errorf(formation.CodeInvalidParameter, "rfsapi.OpenProjects", "", "Config.Store must be nil: the projects' store is st")
	}
	if max <= 0 {
		max = DefaultMaxProjects
	}
	p := &StoreProjects{st: st, cfg: cfg, max: max, engines: map[string]*engine.Engine{}}
	var known []string
	err := st.View(ctx, func(tx store.Tx) error {
		return tx.Scan(store.Meta, store.ScanOptions{Prefix: []byte(projectKey)}, func(k, _ []byte) (bool, error) {
			known = append(known, strings.TrimPrefix(string(k), projectKey))
			return true, nil
		})
	})
	if err == nil {
		err = layOutPerProject(ctx, st, known)
	}
	if err != nil {
		return nil, errors.Join(err, st.Close())
	}
	if !slices.Contains(known, DefaultProject) {
		known = append(known, DefaultProject) // what the CLI on the same file sees
	}
	for _, id := range known {
		if _, err := p.Engine(ctx, id); err != nil {
			return nil, errors.Join(err, p.Close())
		}
	}
	return p, nil
}

// Engine returns the project's engine, starting it on first use.
func (p *StoreProjects) Engine(ctx context.Context, project string) (*engine.Engine, error) {
	const op = "rfsapi.Projects"
	if err := validProject(project); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.engines[project]; e != nil {
		return e, nil
	}
	switch {
	case p.closed:
		return nil, formation.Errorf(formation.CodeUnavailable, op, project, "the server is shutting down")
	case len(p.engines) >= p.max:
		return nil, formation.Errorf(formation.CodeForbidden, op, project, "this server serves at most %d projects", p.max)
	}
	err := p.st.Update(ctx, func(tx store.Tx) error { return tx.Put(store.Meta, []byte(projectKey+project), []byte{1}) })
	if err != nil {
		return nil, err
	}
	cfg := p.cfg
	cfg.Store = newPrefixed(p.st, project, false)
	if cfg.IDSeed != 0 {
		// Seeded ids stay reproducible, and differ between projects:
		// idempotency tokens derive from stack ids, and the projects share
		// one cloud.
		h := fnv.New64a()
		h.Write([]byte(project))
		cfg.IDSeed ^= h.Sum64()
	}
	e, err := engine.New(cfg)
	if err != nil {
		return nil, err
	}
	p.engines[project] = e
	return e, nil
}

// List returns the ids of the projects with a running engine, sorted.
func (p *StoreProjects) List() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	ids := make([]string, 0, len(p.engines))
	for id := range p.engines {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Close stops every project's engine at once (engine.Close) and closes
// the store.
func (p *StoreProjects) Close() error {
	return p.stop(func(e *engine.Engine) error { return e.Close() })
}

// Shutdown stops every project's engine gracefully and concurrently
// (engine.Shutdown: the provider calls in flight finish, or stop when ctx
// ends) and closes the store.
func (p *StoreProjects) Shutdown(ctx context.Context) error {
	return p.stop(func(e *engine.Engine) error { return e.Shutdown(ctx) })
}

// stop refuses new projects, stops every engine with stop, concurrently,
// and closes the store; only the first call does anything.
func (p *StoreProjects) stop(stop func(*engine.Engine) error) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	engines := p.engines
	p.mu.Unlock()
	errs := make([]error, 0, len(engines)+1)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, e := range engines {
		wg.Go(func() {
			err := stop(e)
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		})
	}
	wg.Wait()
	return errors.Join(append(errs, p.st.Close())...)
}
