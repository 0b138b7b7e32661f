// Package etcd is a store.Store on an etcd cluster, so that many engine
// replicas share one set of stacks. It implements contract version 2 of
// package store (see its doc) with etcd's own primitives:
//
//   - Keys live under a configurable prefix: PREFIX + bucket + "/" + key.
//   - A transaction reads one snapshot (the revision of its first read) and
//     commits its writes in one etcd Txn guarded by comparisons: every key
//     it read with Get is unchanged (ModRevision as read), every range it
//     scanned has no key changed or created since the snapshot, and no key
//     of a scanned bucket was deleted since (each commit that deletes in a
//     bucket touches the bucket's deletion marker, PREFIX + "deleted/" +
//     bucket). When a comparison fails, fn runs again on a new snapshot.
//   - A claim is a key PREFIX + "claims/" + name attached to a lease of its
//     own, which the store renews every third of LeaseTTL while the claim
//     is held. Release revokes the lease; if the process dies, or the
//     revocation fails, or a claim's request failed with its answer lost
//     (the key may have been written), the lease is no longer renewed and
//     expires, and the key goes with it: no claim outlives its holder's
//     interest by more than LeaseTTL, even while the process lives on.
//     The store counts a claim held until the time it sent the last
//     successful renewal plus LeaseTTL less SafetyMargin, and loses it
//     then if no renewal extended that deadline (store package doc,
//     Fencing); it then revokes the lease, should etcd still keep it. An Update under a
//     claim (store.WithClaim) also compares the claim's key's creation
//     revision, so a holder that lost its claim cannot commit, whatever
//     its clock says.
//   - Watch is etcd's watch on the bucket's prefix, from the revision
//     current when Watch is called.
//
// The client follows the cluster's members: a request to a failed member
// is retried on another, and transactions that fail because the cluster is
// unreachable are retried (from a new snapshot) until their ctx ends.
package etcd

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/store"
)

// Options configures Open.
type Options struct {
	// Endpoints are the cluster's client URLs (host:port or http://host:port).
	Endpoints []string
	// Prefix is prepended to every key (default "/formation/"), so one
	// cluster can hold several independent stores.
	Prefix string
	// LeaseTTL is how long claims outlive a holder that stopped renewing
	// them (default 10s; at least 2s, whole seconds).
	LeaseTTL time.Duration
	// SafetyMargin is the part of LeaseTTL a claim's holder does not count
	// on (default a fifth of it; at most a third): its claims are lost,
	// by its own clock, that long before etcd could let the lease expire,
	// and work under them starts only while they hold for that long more
	// (store package doc, Fencing).
	SafetyMargin time.Duration
	// DialTimeout bounds Open's first contact with the cluster (default 5s).
	DialTimeout time.Duration
}

// DefaultPrefix is the key prefix when Options.Prefix is empty.
const DefaultPrefix = "/formation/"

// DefaultLeaseTTL is the claims' lease TTL when Options.LeaseTTL is zero.
const DefaultLeaseTTL = 10 * time.Second

// ParseURL reads a store URL of the form
// etcd://HOST:PORT[,HOST:PORT...][/PREFIX][?PARAMS] into Options. The
// prefix, when given, is "/PREFIX/". The parameters set the durations of
// Options, each at most once: lease_ttl, safety_margin and dial_timeout
// (Go durations: "15s", "1m"); Open checks their values.
func ParseURL(raw string) (Options, error) {
	const op = "etcd.ParseURL"
	rest, ok := strings.CutPrefix(raw, "etcd://")
	if !ok {
		return Options{}, formation.Errorf(formation.CodeInvalidParameter, op, raw, "not an etcd:// URL")
	}
	rest, query, _ := strings.Cut(rest, "?")
	hosts, prefix, _ := strings.Cut(rest, "/")
	var opts Options
	for _, h := range strings.Split(hosts, ",") {
		if h == "" {
			return Options{}, formation.Errorf(formation.CodeInvalidParameter, op, raw, "empty endpoint")
		}
		if _, err := url.Parse("http://" + h); err != nil {
			return Options{}, formation.Errorf(formation.CodeInvalidParameter, op, raw, "endpoint %q: %v", h, err)
		}
		opts.Endpoints = append(opts.Endpoints, h)
	}
	if prefix = strings.Trim(prefix, "/"); prefix != "" {
		opts.Prefix = "/" + prefix + "/"
	}
	params, err := url.ParseQuery(query)
	if err != nil {
		return Options{}, formation.Errorf(formation.CodeInvalidParameter, op, raw, "parameters: %v", err)
	}
	durations := map[string]*time.Duration{
		"lease_ttl":     &opts.LeaseTTL,
		"safety_margin": &opts.SafetyMargin,
		"dial_timeout":  &opts.DialTimeout,
	}
	for _, name := range slices.Sorted(maps.Keys(params)) {
		values := params[name]
		d, known := durations[name]
		if !known {
			return Options{}, formation.Errorf(formation.CodeInvalidParameter, op, raw, "unknown parameter %q: the parameters are lease_ttl, safety_margin and dial_timeout", name)
		}
		if len(values) != 1 {
			return Options{}, formation.Errorf(formation.CodeInvalidParameter, op, raw, "parameter %q given %d times", name, len(values))
		}
		if *d, err = time.ParseDuration(values[0]); err != nil || *d <= 0 {
			return Options{}, formation.Errorf(formation.CodeInvalidParameter, op, raw, "parameter %s=%q is not a positive duration such as 15s", name, values[0])
		}
	}
	return opts, nil
}

// Store is a store.Store on etcd. It is safe for concurrent use.
type Store struct {
	cli    *clientv3.Client
	prefix string
	ttl    time.Duration
	margin time.Duration   // Options.SafetyMargin
	clock  formation.Clock // measures the claims' local deadlines
	// renew sends one keep-alive of a lease (tests hold it up).
	renew func(context.Context, clientv3.LeaseID) (*clientv3.LeaseKeepAliveResponse, error)

	mu      sync.Mutex
	closed  bool
	claims  map[*claim]struct{}
	running sync.WaitGroup // transactions, for Close

	cache readCache // what Updates read and wrote, checked at commit
}

var _ store.Shared = (*Store)(nil)

// Open connects to the cluster, checks the schema version under the prefix
// (writing it into an empty prefix), and returns the store.
func Open(ctx context.Context, opts Options) (*Store, error) {
	const op = "etcd.Open"
	if len(opts.Endpoints) == 0 {
		return nil, formation.Errorf(formation.CodeInvalidParameter, op, "", "no endpoints")
	}
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.LeaseTTL == 0 {
		opts.LeaseTTL = DefaultLeaseTTL
	}
	if opts.LeaseTTL < 2*time.Second || opts.LeaseTTL%time.Second != 0 {
		return nil, formation.Errorf(formation.CodeInvalidParameter, op, "", "LeaseTTL %v is not a whole number of seconds of at least 2s", opts.LeaseTTL)
	}
	if opts.SafetyMargin == 0 {
		opts.SafetyMargin = opts.LeaseTTL / 5
	}
	if err := checkMargin(op, opts.LeaseTTL, opts.SafetyMargin); err != nil {
		return nil, err
	}
	if opts.DialTimeout == 0 {
		opts.DialTimeout = 5 * time.Second
	}
	cli, err := clientv3.New(clientv3.Config{
		Endpoints:   opts.Endpoints,
		DialTimeout: opts.DialTimeout,
		Context:     context.Background(),
		// Without keep-alive probes a dead member holds a request until
		// its TCP connection times out; with them the client moves on.
		DialKeepAliveTime:    2 * time.Second,
		DialKeepAliveTimeout: 2 * time.Second,
		AutoSyncInterval:     30 * time.Second,
	})
	if err != nil {
		return nil, formation.Wrap(formation.CodeUnavailable, op, strings.Join(opts.Endpoints, ","), err)
	}
	s := &Store{cli: cli, prefix: opts.Prefix, ttl: opts.LeaseTTL, margin: opts.SafetyMargin, clock: formation.RealClock{},
		renew: keepAliveOnce(cli, opts.LeaseTTL/3), claims: map[*claim]struct{}{}}
	if err := s.initSchema(ctx, opts.DialTimeout); err != nil {
		_ = cli.Close()
		return nil, err
	}
	return s, nil
}

// initSchema writes the schema version if the prefix has none, and checks
// it otherwise.
func (s *Store) initSchema(ctx context.Context, timeout time.Duration) error {
	const op = "etcd.Open"
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	key := s.key(store.Meta, []byte(store.SchemaVersionKey))
	resp, err := s.cli.Txn(ctx).
		If(clientv3.Compare(clientv3.CreateRevision(key), "=", 0)).
		Then(clientv3.OpPut(key, string(store.EncodeSchemaVersion()))).
		Else(clientv3.OpGet(key)).
		Commit()
	if err != nil {
		return formation.Wrap(formation.CodeUnavailable, op, s.prefix, err)
	}
	if resp.Succeeded {
		return nil
	}
	kvs := resp.Responses[0].GetResponseRange().Kvs
	if len(kvs) != 1 {
		return formation.Errorf(formation.CodeInternal, op, s.prefix, "schema version vanished while it was read")
	}
	if err := store.CheckSchemaVersion(kvs[0].Value); err != nil {
		var fe *formation.Error
		if errors.As(err, &fe) {
			fe.Op, fe.Resource = op, s.prefix
		}
		return err
	}
	return nil
}

// key is the etcd key of a bucket's key.
func (s *Store) key(b store.Bucket, k []byte) string {
	return s.prefix + string(b) + "/" + string(k)
}

func (s *Store) bucketPrefix(b store.Bucket) string { return s.prefix + string(b) + "/" }

func (s *Store) deletedKey(b store.Bucket) string { return s.prefix + "deleted/" + string(b) }

// Shared implements store.Shared.
func (s *Store) Shared() string {
	return "etcd://" + strings.Join(s.cli.Endpoints(), ",") + s.prefix
}

// Limits implements store.Store.
func (s *Store) Limits() store.Limits { return store.DefaultLimits }

// begin registers a running call, or fails when the store is closed.
func (s *Store) begin(op string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.ErrorClosed(op)
	}
	s.running.Add(1)
	return nil
}

// Close implements store.Store: it waits for running transactions, revokes
// the claims' leases (releasing every claim) and closes the client.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.running.Wait()
	s.mu.Lock()
	held := slices.Collect(maps.Keys(s.claims))
	s.mu.Unlock()
	for _, c := range held {
		_ = c.lease.close() // the claim goes at once, or within the TTL
		c.lose()
	}
	if err := s.cli.Close(); err != nil && !errors.Is(err, context.Canceled) {
		return formation.Wrap(formation.CodeInternal, "store.Close", s.prefix, err)
	}
	return nil
}

// unavailable wraps an error of the cluster.
func unavailable(op string, err error) error {
	var fe *formation.Error
	if errors.As(err, &fe) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return formation.Wrap(formation.CodeUnavailable, op, "", fmt.Errorf("etcd: %w", err))
}
