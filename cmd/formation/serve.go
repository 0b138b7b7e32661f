package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/rfsapi"
)

// serve: RFS's v1 HTTP API over the database, for the official SDKs,
// scripts and Terraform's huaweicloud_rfs_stack.
func init() {
	register(&command{
		name:    "serve",
		summary: "Serve RFS's v1 HTTP API (the official SDKs' endpoint) over the database",
		help: `Serves the RFS v1 API at /v1/{project_id}/... over the -db file, with the
simulated provider as the cloud (the -sim-* flags apply). Point an SDK at
http://ADDRESS with the access key, secret key and project id of the
-credentials file. Without -credentials the API is unauthenticated and only
a loopback address (or a unix socket, -listen unix:PATH) is served.

The credentials file is JSON:
  {"keys": [{"access_key": "AK", "secret_key": "SK", "projects": ["0605767f0a00d5762fc2c0133c2d8b8d"]}]}
("*" in projects allows any project). Formation's extensions are under
/formation/v1/: healthz, the live event stream of a stack
(/formation/v1/{project_id}/stacks/{name}/events/stream, Server-Sent
Events) and preview. SIGINT or SIGTERM stops accepting requests, finishes
those in flight, lets the provider calls in flight finish (within
-shutdown-timeout) and closes the database; interrupted deployments resume
at the next start.`,
		setup: serveCommand,
	})
}

// serveOptions are serve's flags.
type serveOptions struct {
	listen, credentials, tlsCert, tlsKey string
	maxConns                             int
	rate                                 float64
	burst                                int
	shutdownTimeout                      time.Duration
	sourceVPCs                           map[string][]netip.Prefix
}

func serveCommand(fs *flag.FlagSet) action {
	var o serveOptions
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8080", "address to serve on: host:port, or unix:PATH for a unix socket")
	fs.StringVar(&o.credentials, "credentials", "", "JSON file of access keys; required to listen beyond loopback")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "PEM certificate file: serve HTTPS (with -tls-key)")
	fs.StringVar(&o.tlsKey, "tls-key", "", "PEM private key file of -tls-cert")
	fs.IntVar(&o.maxConns, "max-conns", 1024, "most connections open at once; more wait to be accepted")
	fs.Float64Var(&o.rate, "rate", 100, "requests per second each client (access key, or address) may make; 0: no limit")
	fs.IntVar(&o.burst, "burst", 200, "requests a client may make at once above -rate")
	fs.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 30*time.Second, "how long a shutdown waits for requests and provider calls in flight")
	fs.Func("source-vpc", "ID=CIDR[,CIDR...]: requests from these networks come from VPC ID, for GetStackTemplate's access_control_source_vpc_ids (repeatable)", func(v string) error {
		id, nets, err := rfsapi.ParseSourceVPC(v)
		if err != nil {
			return err
		}
		if o.sourceVPCs == nil {
			o.sourceVPCs = map[string][]netip.Prefix{}
		}
		o.sourceVPCs[id] = append(o.sourceVPCs[id], nets...)
		return nil
	})
	return func(ctx context.Context, inv *invocation) error { return serve(ctx, inv, o) }
}

func serve(ctx context.Context, inv *invocation, o serveOptions) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	var keys *rfsapi.Keys
	if o.credentials != "" {
		b, err := readFile(o.credentials, maxFileBytes)
		if err != nil {
			return fileError("-credentials file", o.credentials, err)
		}
		if keys, err = rfsapi.ReadKeys(bytes.NewReader(b)); err != nil {
			return err
		}
	}
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return usageError(formation.CodeInvalidParameter, "serve", "-tls-cert and -tls-key go together")
	}
	network, address := "tcp", o.listen
	if path, ok := strings.CutPrefix(o.listen, "unix:"); ok {
		network, address = "unix", path
	} else if keys == nil && !loopback(o.listen) {
		return usageError(formation.CodeInvalidParameter, "serve",
			"without -credentials the API is unauthenticated and is served on a loopback address only, not %s", o.listen)
	}
	if o.maxConns <= 0 {
		return usageError(formation.CodeInvalidParameter, "serve", "-max-conns must be positive")
	}

	s, err := inv.simulation()
	if err != nil {
		return err
	}
	cfg := inv.g.engineConfig(s)
	cfg.Store = nil
	inv.sim = nil // the projects own the store from here on
	logger := slog.New(slog.NewTextHandler(inv.g.warnings, nil))
	cfg.Logger = logger
	projects, err := rfsapi.OpenProjects(ctx, s.st, cfg, 0)
	if err != nil {
		return err
	}
	defer projects.Close()
	h, err := rfsapi.New(rfsapi.Config{Projects: projects, Keys: keys, TemplateLimits: cfg.TemplateLimits, Logger: logger, Tool: tool(),
		RateLimit: rfsapi.Rate{PerSecond: o.rate, Burst: o.burst}, SourceVPCs: o.sourceVPCs})
	if err != nil {
		return err
	}
	ln, err := net.Listen(network, address)
	if err != nil {
		return formation.Wrap(formation.CodeInvalidParameter, "", o.listen, err)
	}
	// Like any command holding a database file, serve is its owner: other
	// formation commands on the same -db work through the socket beside
	// it, in the default project.
	var own *owner
	if !sharedStore(inv.g.db) && lookupEnv(inv.g.environ, shareEnv) != "off" {
		if own, err = serveOwner(projects, socketPath(inv.g.db), logger, func(string) {}, func() []string { return nil }); err != nil {
			ln.Close()
			return err
		}
		defer func() {
			if own != nil {
				_ = own.close(context.Background()) // an early return: nothing was served
			}
		}()
	}
	ln = limitListener(ln, o.maxConns)
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      time.Minute, // event streams extend theirs per message
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(h.Shutdown)
	scheme := "http"
	if o.tlsCert != "" {
		scheme = "https"
	}
	where := scheme + "://" + ln.Addr().String()
	if network == "unix" {
		where = "unix:" + address
	}
	auth := "signed requests (SDK-HMAC-SHA256) with the keys of " + o.credentials
	if keys == nil {
		auth = "no authentication (loopback only; give -credentials to serve beyond this machine)"
	}
	if err := inv.out.printf("Formation serves RFS's v1 API on %s over %s; %s. Projects: %s.\n",
		where, inv.g.db, auth, strings.Join(append(projects.List(), "any new"), ", ")); err != nil {
		return err
	}

	served := make(chan error, 1)
	go func() {
		if o.tlsCert != "" {
			served <- srv.ServeTLS(ln, o.tlsCert, o.tlsKey)
		} else {
			served <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-served:
		return formation.Wrap(formation.CodeUnavailable, "", o.listen, err)
	case <-ctx.Done():
	}
	logger.Info("shutting down: no new requests; finishing those in flight")
	sctx, cancel := context.WithTimeout(context.Background(), o.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		logger.Warn("requests still in flight at the shutdown timeout were cut", "err", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if own != nil {
		err := own.close(sctx)
		own = nil
		if err != nil {
			logger.Warn("requests in flight on the database's socket at the shutdown timeout were cut", "err", err)
		}
	}
	// The provider calls in flight finish (within what is left of the
	// shutdown timeout); the deployments they belong to resume at the next
	// start.
	if err := projects.Shutdown(sctx); err != nil {
		return err
	}
	return inv.out.printf("Stopped; deployments still running resume at the next start.\n")
}

// loopback reports whether a listen address is on this machine only.
func loopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// limitListener accepts at most n connections at once: the next waits in
// the kernel's backlog until one closes, so a flood of slow connections
// cannot exhaust the process.
func limitListener(ln net.Listener, n int) net.Listener {
	return &limited{Listener: ln, slots: make(chan struct{}, n)}
}

type limited struct {
	net.Listener
	slots chan struct{}
}

func (l *limited) Accept() (net.Conn, error) {
	l.slots <- struct{}{}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.slots }}, nil
}

type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
