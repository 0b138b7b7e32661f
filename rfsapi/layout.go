package rfsapi

import (
	"bytes"
	"context"
	"slices"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/store"
)

// A database is laid out one of two ways. A single engine's (the CLI's, or
// an embedder's engine.Open) keeps its records unprefixed. Once formation
// serve has opened it, every project's records, the default project's too,
// live under the project's prefix, and the Meta bucket says so
// (layoutKey). OpenProjects makes that move, once, and OpenProject gives a
// single engine (a CLI command) the view of one project either way, so that
// the CLI and a server see the same stacks in the same file.

// layoutKey marks a database laid out per project. Like projectKey, no
// project prefix can produce it.
const layoutKey = "rfsapi.layout"

// OpenProject returns the store an engine of project uses over st, which
// it then owns (closing the view closes st). On a database laid out per
// project that is the project's view; on any other it is st itself, for
// the default project only: other projects exist only where a server has
// kept them.
func OpenProject(ctx context.Context, st store.Store, project string) (store.Store, error) {
	const op = "rfsapi.OpenProject"
	if err := validProject(project); err != nil {
		return nil, err
	}
	var perProject bool
	err := st.View(ctx, func(tx store.Tx) error {
		perProject = tx.Get(store.Meta, []byte(layoutKey)) != nil
		return nil
	})
	switch {
	case err != nil:
		return nil, err
	case perProject:
		return newPrefixed(st, project, true), nil
	case project == DefaultProject:
		return st, nil
	default:
		return nil, formation.Errorf(formation.CodeInvalidProjectID, op, project,
			"this database keeps one project's stacks (%s); other projects exist in a database formation serve has served", DefaultProject)
	}
}

// layOutPerProject moves the records a single engine kept unprefixed into
// the default project, and then marks st as laid out per project. Each
// record moves within one transaction (put under the prefix, delete the
// original), so a crash part way leaves every record in exactly one place,
// and the next open goes on where this one stopped.
func layOutPerProject(ctx context.Context, st store.Store, projects []string) error {
	var done bool
	err := st.View(ctx, func(tx store.Tx) error {
		done = tx.Get(store.Meta, []byte(layoutKey)) != nil
		return nil
	})
	if err != nil || done {
		return err
	}
	prefixes := make([][]byte, 0, len(projects)+1)
	for _, p := range append(projects, DefaultProject) {
		prefixes = append(prefixes, []byte(p+"/"))
	}
	kept := func(b store.Bucket, k []byte) bool {
		if shared(b, k) || b == store.Meta && (bytes.HasPrefix(k, []byte(projectKey)) || string(k) == layoutKey) {
			return true
		}
		return slices.ContainsFunc(prefixes, func(p []byte) bool { return bytes.HasPrefix(k, p) })
	}
	limits := st.Limits()
	home := []byte(DefaultProject + "/")
	for _, b := range store.Buckets() { // not World: one cloud for all projects
		var from []byte
		for {
			type record struct{ k, v []byte }
			var batch []record
			err := st.View(ctx, func(tx store.Tx) error {
				batch = batch[:0]
				ops, size := 0, 0
				return tx.Scan(b, store.ScanOptions{Start: from}, func(k, v []byte) (bool, error) {
					if kept(b, k) {
						return true, nil
					}
					if ops+2 > limits.MaxOps || (ops > 0 && size+2*len(k)+len(home)+len(v) > limits.MaxBytes) {
						return false, nil
					}
					batch = append(batch, record{bytes.Clone(k), bytes.Clone(v)})
					ops, size = ops+2, size+2*len(k)+len(home)+len(v)
					return true, nil
				})
			})
			if err != nil {
				return err
			}
			if len(batch) == 0 {
				break
			}
			err = st.Update(ctx, func(tx store.Tx) error {
				for _, r := range batch {
					if err := tx.Put(b, append(bytes.Clone(home), r.k...), r.v); err != nil {
						return err
					}
					if err := tx.Delete(b, r.k); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			from = batch[len(batch)-1].k
		}
	}
	return st.Update(ctx, func(tx store.Tx) error {
		return tx.Put(store.Meta, []byte(layoutKey), []byte("projects"))
	})
}
