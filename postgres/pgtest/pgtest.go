// Package pgtest runs a throwaway PostgreSQL server for tests: initdb in a
// temporary folder, postgres on 127.0.0.1 at a free port, one server per
// test binary and a database of its own for each test.
//
// PostgreSQL refuses to run as root; as root (CI) the server runs as the
// unprivileged postgres user that Debian's package creates. Where
// PostgreSQL is not installed the tests skip, saying so; under CI (CI set
// in the environment) they fail instead, since .ci/run installs it.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Main runs the tests of a package that uses Start, then stops the server:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	stop()
	return code
}

var (
	once   sync.Once
	srv    *server
	srvErr error
	dbSeq  atomic.Int64
)

// errNotInstalled is a server that could not be started for want of
// PostgreSQL, the one reason to skip.
var errNotInstalled = errors.New("PostgreSQL is not installed (no initdb and postgres on PATH or in /usr/lib/postgresql/*/bin); install Debian's postgresql package to run these tests")

// Start returns the URL of a new, empty database for t on the test
// binary's server, starting the server on first use. The database is
// dropped when t ends.
func Start(t testing.TB) string {
	t.Helper()
	once.Do(func() { srv, srvErr = startServer() })
	if errors.Is(srvErr, errNotInstalled) {
		if os.Getenv("CI") != "" {
			t.Fatalf("%v; CI must have it (.ci/run installs it)", srvErr)
		}
		t.Skip(srvErr)
	}
	if srvErr != nil {
		t.Fatalf("starting PostgreSQL for the tests: %v", srvErr)
	}
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), dbSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := srv.exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("creating database %s: %v (server log: %s)", name, err, srv.logTail())
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := srv.exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("dropping database %s: %v", name, err)
		}
	})
	return srv.url(name)
}

type server struct {
	dir  string // temporary folder: data, socket, log
	port int
	cmd  *exec.Cmd
	done chan struct{} // closed when the server process has ended

	mu    sync.Mutex
	admin *pgx.Conn
}

func (s *server) url(db string) string {
	u := url.URL{Scheme: "postgres", User: url.User("postgres"), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)),
		Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

func (s *server) exec(ctx context.Context, sql string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, err := s.admin.Exec(ctx, sql)
	return err
}

func (s *server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return strings.TrimSpace(string(b))
}

// findBinaries returns the folder holding initdb and postgres: the one of
// initdb on PATH, else the newest /usr/lib/postgresql/<major>/bin.
func findBinaries() (string, error) {
	var dirs []string
	if p, err := exec.LookPath("initdb"); err == nil {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	major := func(d string) int { n, _ := strconv.Atoi(filepath.Base(filepath.Dir(d))); return n }
	slices.SortFunc(found, func(a, b string) int { return major(b) - major(a) })
	dirs = append(dirs, found...)
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", errNotInstalled
}

func isExec(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// runAs is how the server's commands run: as the postgres user when this
// process is root, which PostgreSQL refuses to be.
type runAs struct {
	cred     *syscall.Credential
	uid, gid int
}

func unprivileged() (runAs, error) {
	if os.Geteuid() != 0 {
		return runAs{uid: -1, gid: -1}, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return runAs{}, fmt.Errorf("running as root, and there is no postgres user to run PostgreSQL as (Debian's postgresql package creates it): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return runAs{cred: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: false}, uid: uid, gid: gid}, nil
}

func (r runAs) command(dir, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "TZ=UTC")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: r.cred}
	return cmd
}

func startServer() (*server, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	as, err := unprivileged()
	if err != nil {
		return nil, err
	}
	removeAbandoned()
	dir, err := os.MkdirTemp("", "incidentbot-pgtest-")
	if err != nil {
		return nil, err
	}
	if as.cred != nil {
		if err := os.Chown(dir, as.uid, as.gid); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("handing %s to the postgres user: %w", dir, err)
		}
	}
	data := filepath.Join(dir, "data")
	initdb := as.command(dir, filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--locale=C", "--no-sync")
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %w: %s", err, out)
	}
	// A free port can be taken by someone else before postgres binds it:
	// then try another.
	for attempt := 1; ; attempt++ {
		s, err := launch(bin, dir, as)
		if err == nil || attempt == 3 {
			if err != nil {
				os.RemoveAll(dir)
			}
			return s, err
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func launch(bin, dir string, as runAs) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	s := &server{dir: dir, port: port, done: make(chan struct{})}
	// A throwaway server: durability off for speed; enough connections for
	// tests that open several pools at once.
	s.cmd = as.command(dir, filepath.Join(bin, "postgres"), "-D", filepath.Join(dir, "data"), "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="+dir,
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300", "-c", "log_min_messages=warning")
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	// If the test binary dies without stopping the server (a timeout, a
	// kill), the kernel stops it: the parent-death signal goes when the
	// thread that started it ends, so that thread is kept for as long as
	// the server runs.
	s.cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if err := s.cmd.Start(); err != nil {
			started <- err
			close(s.done)
			return
		}
		started <- nil
		s.cmd.Wait()
		close(s.done)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("starting postgres: %w", err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		conn, err := pgx.Connect(ctx, s.url("postgres"))
		cancel()
		if err == nil {
			s.admin = conn
			return s, nil
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("postgres ended at start: %s", s.logTail())
		default:
		}
		if time.Now().After(deadline) {
			s.kill()
			return nil, fmt.Errorf("postgres did not accept connections within 60 s: %v; log: %s", err, s.logTail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill stops the server: a fast shutdown (SIGINT), then SIGKILL if it
// lingers.
func (s *server) kill() {
	if s.admin != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		s.admin.Close(ctx)
		cancel()
	}
	s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

func stop() {
	if srv == nil {
		return
	}
	srv.kill()
	os.RemoveAll(srv.dir)
}

// removeAbandoned deletes the folders of servers whose test binary was
// killed (the kernel stopped the server, see launch, but nobody removed
// its folder): old, and without the postmaster.pid of a running server.
func removeAbandoned() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "incidentbot-pgtest-*"))
	for _, d := range dirs {
		fi, err := os.Stat(d)
		if err != nil || !fi.IsDir() || time.Since(fi.ModTime()) < time.Hour {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "data", "postmaster.pid")); err == nil {
			continue
		}
		os.RemoveAll(d)
	}
}
