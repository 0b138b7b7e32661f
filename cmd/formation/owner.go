package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/formation-engine/formation"
	"github.com/formation-engine/formation/engine"
	"github.com/formation-engine/formation/rfsapi"
)

// One owner, many clients. The formation process that holds the database
// (bbolt allows one) is its owner: it serves RFS's v1 API over its engine
// on a unix socket beside the file, DB.sock, for this user only. Any other
// formation command on the same -db finds the socket and works through it
// (remote) instead of being locked out.
//
// Trust: the socket is made 0600 as soon as it exists, and both ends check
// the other's user with SO_PEERCRED where the system has it, so no other
// user's process is served or believed. A socket file that does not
// answer is a killed owner's leftover: whoever next holds the database
// replaces it, and no client ever uses it.

// shareEnv=off keeps a process from serving the database it holds, and
// from using another's: the database is then locked, as by one process
// alone, and a second command is refused with "in use".
const shareEnv = "FORMATION_SHARE"

// socketPath is where the owner of the database at db listens.
func socketPath(db string) string { return db + ".sock" }

// findOwner returns a client of the owner serving the database's socket,
// nil when no owner answers there (no socket, or a stale one), or an error
// when the socket must not be trusted (another user's).
func findOwner(ctx context.Context, socket string) (*remote, error) {
	info, err := os.Lstat(socket)
	if err != nil {
		return nil, nil
	}
	if err := checkSocketFile(socket, info, os.Getuid()); err != nil {
		return nil, err
	}
	r := newRemote(socket)
	if !r.healthy(ctx) {
		return nil, nil
	}
	return r, nil
}

// checkSocketFile refuses a path that is not a socket, or one of another
// user than uid: its owner could answer for the database.
func checkSocketFile(socket string, info fs.FileInfo, uid int) error {
	if info.Mode().Type() != fs.ModeSocket {
		return formation.Errorf(formation.CodeUnavailable, "", socket,
			"is not the database owner's socket, and formation will not replace it: remove or rename it")
	}
	if owner, ok := fileUID(info); ok && owner != uid {
		return formation.Errorf(formation.CodeForbidden, "", socket,
			"the database owner's socket belongs to user %d, not to you (%d): refused; a formation process of that user holds the database", owner, uid)
	}
	return nil
}

// owner serves the engine of this process on the database's socket.
type owner struct {
	socket string
	srv    *http.Server
	h      *rfsapi.Handler
	served chan error
	conns  *sameUser
}

// serveOwner makes this process the owner of the database it holds: it
// replaces any socket a killed owner left (it holds the database, so no
// other owner lives) and serves RFS's API on it.
//
// projects are what it serves: the one engine of a command, or a
// server's projects. followed is told the stack of each event stream a
// client opens; stopped says which stacks' interrupted deployments this
// process leaves stopped, for clients to report as it does
// (interruptedPath).
func serveOwner(projects rfsapi.Projects, socket string, logger *slog.Logger, followed func(stack string), stopped func() []string) (*owner, error) {
	h, err := rfsapi.New(rfsapi.Config{Projects: projects, Logger: logger, Tool: tool()})
	if err != nil {
		return nil, err
	}
	if info, err := os.Lstat(socket); err == nil {
		if err := checkSocketFile(socket, info, os.Getuid()); err != nil {
			return nil, err
		}
		if err := os.Remove(socket); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("unix", socket)
	if err != nil {
		return nil, err
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(true)
	if err := os.Chmod(socket, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	o := &owner{socket: socket, h: h, served: make(chan error, 1), srv: &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && r.URL.Path == interruptedPath {
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(interruptedStacksBody{Stacks: stopped()})
				return
			}
			if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/events/stream") {
				if seg := strings.Split(r.URL.Path, "/"); len(seg) >= 3 {
					followed(seg[len(seg)-3]) // …/stacks/{name}/events/stream
				}
			}
			h.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}}
	o.srv.RegisterOnShutdown(h.Shutdown)
	o.conns = &sameUser{Listener: ln}
	go func() { o.served <- o.srv.Serve(o.conns) }()
	return o, nil
}

// stay keeps serving until no stack of e is *_IN_PROGRESS: clients may have
// started deployments that run in this process. It returns when they are
// terminal or ctx is done (Ctrl-C).
//
// stopped are stacks left interrupted, whose deployment nothing runs.
func (o *owner) stay(ctx context.Context, e *engine.Engine, stopped []string, warnings io.Writer) error {
	told := false
	for {
		var running []string
		stacks, err := listAllStacks(ctx, local{e})
		if err != nil {
			return err
		}
		for _, s := range stacks {
			if s.Status.InProgress() && !slices.Contains(stopped, s.Name) {
				running = append(running, s.Name)
			}
		}
		if len(running) == 0 {
			return nil
		}
		if !told {
			fmt.Fprintf(warnings, "Staying until the deployments other formation commands started through this one finish (%s); Ctrl-C leaves them to resume later.\n", joinNames(running))
			told = true
		}
		if _, err := e.WaitStack(ctx, engine.StackRef{Name: running[0]}); err != nil && !errors.Is(err, formation.ErrNotFound) {
			return err
		}
	}
}

func joinNames(names []string) string {
	slices.Sort(names)
	s := ""
	for i, n := range names {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}

// clientGrace is how long a closing owner waits for its clients to hang
// up: a client that followed a deployment to its end then reads how it
// ended and its outputs, on the connection it keeps open until it exits.
const clientGrace = 10 * time.Second

// close stops serving: once the clients have hung up (or clientGrace has
// passed, or ctx is done), requests in flight finish (event streams end),
// then the socket goes.
func (o *owner) close(ctx context.Context) error {
	deadline := time.Now().Add(clientGrace)
	_, _ = poll(ctx, func() (struct{}, bool, error) {
		return struct{}{}, o.conns.open() == 0 || time.Now().After(deadline), nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := o.srv.Shutdown(ctx)
	if serr := <-o.served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}

// sameUser accepts only connections from this process's user, where the
// system says who connects (SO_PEERCRED); elsewhere the socket's 0600 is
// the guard.
// It counts the connections open, so that a closing owner can let its
// clients finish.
type sameUser struct {
	net.Listener
	n atomic.Int64
}

func (l *sameUser) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if uid, ok := peerUID(c); ok && uid != os.Getuid() {
			c.Close()
			continue
		}
		l.n.Add(1)
		return &countedConn{Conn: c, n: &l.n}, nil
	}
}

func (l *sameUser) open() int64 { return l.n.Load() }

type countedConn struct {
	net.Conn
	once sync.Once
	n    *atomic.Int64
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.n.Add(-1) })
	return c.Conn.Close()
}

// isInUse reports whether err is openError's "database in use".
func isInUse(err error) bool {
	var fe *formation.Error
	return errors.As(err, &fe) && fe.Code == formation.CodeUnavailable && strings.Contains(fe.Message, inUse)
}

// busyHint adds to a refusal because the stack is busy the commands that
// help: the refusal alone (RF.10012519) leaves a user guessing.
func busyHint(err error, stack string) error {
	var fe *formation.Error
	if !errors.As(err, &fe) || fe.Code != formation.CodeStackBusy {
		return err
	}
	hinted := *fe
	hinted.Message = strings.TrimSuffix(hinted.Message, ".") +
		fmt.Sprintf("; formation wait %s waits for it to finish (formation events %s -follow shows it)", stack, stack)
	return &hinted
}

// interruptedStacks are the stacks *_IN_PROGRESS in an engine that has
// just opened with its recovery deferred: nothing runs them.
func interruptedStacks(ctx context.Context, e *engine.Engine) ([]string, error) {
	stacks, err := listAllStacks(ctx, local{e})
	var names []string
	for _, s := range stacks {
		if s.Status.InProgress() {
			names = append(names, s.Name)
		}
	}
	return names, err
}

// reportInterrupted says which stacks' deployments were interrupted and
// are still stopped, and how to resume them.
func reportInterrupted(w io.Writer, stacks []string) {
	for _, name := range stacks {
		fmt.Fprintf(w, "Note: the deployment of stack %s was interrupted and is stopped; formation wait %s resumes it and follows it to its end.\n", name, name)
	}
}

// resume lets the deployments this process found interrupted run again:
// the commands that follow a stack's deployment (wait, events -follow)
// call it. Through an owner there is nothing to do here.
func (inv *invocation) resume() {
	if inv.eng != nil && inv.resumed.CompareAndSwap(false, true) {
		inv.eng.Recover()
	}
}

// resumeFor resumes the interrupted deployments when a client follows
// one of their stacks (wait or events -follow through this owner): as if
// the client had opened the database itself.
func (inv *invocation) resumeFor(stack string) {
	if slices.Contains(inv.interrupted, stack) {
		inv.resume()
	}
}

// interruptedPath is where an owner says which stacks' interrupted
// deployments it leaves stopped, so that its clients' commands report
// them as the owner's own do. It is the owner's, not RFS's nor the
// server's (serve resumes every deployment).
const interruptedPath = "/formation/v1/" + rfsapi.DefaultProject + "/interrupted-stacks"

type interruptedStacksBody struct {
	Stacks []string `json:"stacks"`
}

// stopped are the interrupted stacks this process leaves stopped.
func (inv *invocation) stopped() []string {
	if inv.resumed.Load() {
		return nil
	}
	return inv.interrupted
}

// noteOwnersSimulation warns that the simulation flags given here do not
// apply through an owner: its engine and simulated cloud, made by its own
// flags, run whatever this command asks. Silently ignoring a -sim-fail
// would make a test pass for the wrong reason.
func (g *globals) noteOwnersSimulation() {
	d := defaultGlobals()
	if len(g.simFaults) > 0 || g.simLatency != d.simLatency || g.simSeed != d.simSeed || g.timeScale != d.timeScale ||
		g.parallelism != d.parallelism || g.limits.value != d.limits.value || g.simData != "" || len(g.schemaFiles) > 0 {
		fmt.Fprintf(g.warnings, "Note: another formation process holds %s and runs this command; its -sim-*, -time-scale, -parallelism, -limits and -provider-schema apply, not the ones given here.\n", g.db)
	}
}
