package postgres_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/postgres"
	"github.com/incidentbot/incidentbot/postgres/pgtest"
)

// logBuffer collects a State's log lines (written from several goroutines).
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func openState(t *testing.T, url string, opts postgres.Options) *postgres.State {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := postgres.Open(ctx, url, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func sqlConn(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// Processes starting at once on a new database: each Open succeeds, and
// the schema is migrated once.
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	url := pgtest.Start(t)
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for range 6 {
		wg.Go(func() {
			st, err := postgres.Open(context.Background(), url, postgres.Options{Logger: slog.New(slog.DiscardHandler)})
			if err == nil {
				st.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("one of six processes opening a new database at once: %v", err)
		}
	}
	var n, max int
	if err := sqlConn(t, url).QueryRow(context.Background(), "SELECT count(*), max(version) FROM schema_migrations").Scan(&n, &max); err != nil {
		t.Fatal(err)
	}
	if n != postgres.SchemaVersion() || max != postgres.SchemaVersion() {
		t.Errorf("schema_migrations has %d rows up to version %d, want each of the %d steps once", n, max, postgres.SchemaVersion())
	}
}

// An older program must not write into a schema it does not know.
func TestNewerSchemaIsRefused(t *testing.T) {
	url := pgtest.Start(t)
	openState(t, url, postgres.Options{}).Close()
	if _, err := sqlConn(t, url).Exec(context.Background(), "INSERT INTO schema_migrations (version, name) VALUES (999, 'future')"); err != nil {
		t.Fatal(err)
	}
	_, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("opening a database of schema 999 = %v, want a refusal saying it is newer", err)
	}
}

func withPassword(t *testing.T, raw, password string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), password)
	return u.String()
}

// The URL may carry a password: it reaches no error message and no log line.
func TestPasswordNeverShown(t *testing.T) {
	const password = "Sup3r-s3cret-pw"
	good := withPassword(t, pgtest.Start(t), password) // trust auth: accepted and ignored
	var logs logBuffer
	opts := postgres.Options{Logger: logs.logger()}

	l, _ := net.Listen("tcp", "127.0.0.1:0")
	closedPort := l.Addr().String()
	l.Close()
	for name, bad := range map[string]string{
		"malformed":   "postgres://bob:" + password + "@127.0.0.1:notaport/db",
		"unreachable": "postgres://bob:" + password + "@" + closedPort + "/db?connect_timeout=2",
		"no database": strings.Replace(good, "/test_", "/missing_", 1),
		"key=value":   "host=127.0.0.1 port=notaport password=" + password,
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		_, err := postgres.Open(ctx, bad, opts)
		cancel()
		if err == nil {
			t.Errorf("%s: Open succeeded", name)
			continue
		}
		if strings.Contains(err.Error(), password) || strings.Contains(fmt.Sprintf("%+v", err), password) {
			t.Errorf("%s: the error shows the password: %v", name, err)
		}
	}

	// A working state, doing everything that logs.
	st := openState(t, good, opts)
	ctx, cancel := context.WithCancel(context.Background())
	watching := make(chan struct{})
	go func() { st.Watch(ctx, func(incidentbot.SnapshotInfo) {}); close(watching) }()
	info, err := st.Publish(context.Background(), incidentbot.SnapshotInfo{Embedder: "e"}, strings.NewReader("snapshot"))
	if err != nil {
		t.Fatal(err)
	}
	st.Discard(context.Background(), info.Version, "test")
	unlock, err := st.TryLock(context.Background(), incidentbot.Actor{Who: "a"})
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	cancel()
	<-watching
	if strings.Contains(logs.String(), password) {
		t.Errorf("the logs show the password:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "snapshot published") {
		t.Errorf("nothing was logged, so the check above checked nothing:\n%s", logs.String())
	}
}

// The snapshot is stored in chunks no larger than a few MB (bytea holds at
// most 1 GB), and what a failed publish wrote is gone.
func TestSnapshotIsChunked(t *testing.T) {
	url := pgtest.Start(t)
	st := openState(t, url, postgres.Options{})
	data := bytes.Repeat([]byte("0123456789abcdef"), 10<<20/16+7) // 10 MiB and a bit
	if _, err := st.Publish(context.Background(), incidentbot.SnapshotInfo{}, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	r := io.MultiReader(bytes.NewReader(data), &failingReader{})
	if _, err := st.Publish(context.Background(), incidentbot.SnapshotInfo{}, r); err == nil {
		t.Fatal("a publish from a failing reader succeeded")
	}
	var chunks, snapshots int
	var largest int64
	if err := sqlConn(t, url).QueryRow(context.Background(),
		"SELECT count(*), max(length(data)), count(DISTINCT snapshot_id) FROM snapshot_chunks").Scan(&chunks, &largest, &snapshots); err != nil {
		t.Fatal(err)
	}
	if snapshots != 1 || chunks != 3 || largest > 8<<20 {
		t.Errorf("snapshot_chunks holds %d chunks of %d snapshots, the largest %d bytes; want 3 chunks of 1, at most 8 MB each",
			chunks, snapshots, largest)
	}
}

type failingReader struct{}

func (*failingReader) Read([]byte) (int, error) { return 0, fmt.Errorf("embedder gone") }

// Old snapshots are deleted, but a process still loading one reads it to
// the end.
func TestPruneSparesReaders(t *testing.T) {
	url := pgtest.Start(t)
	st := openState(t, url, postgres.Options{KeepSnapshots: 1})
	ctx := context.Background()
	first := bytes.Repeat([]byte("first snapshot "), 600_000) // 9 MB: three chunks
	v1, err := st.Publish(ctx, incidentbot.SnapshotInfo{}, bytes.NewReader(first))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := st.Open(ctx, v1.Version)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	head := make([]byte, 100)
	io.ReadFull(rc, head)
	v2, err := st.Publish(ctx, incidentbot.SnapshotInfo{}, strings.NewReader("second"))
	if err != nil {
		t.Fatal(err)
	}
	var left int
	sqlConn(t, url).QueryRow(ctx, "SELECT count(*) FROM snapshots").Scan(&left)
	if left != 1 {
		t.Errorf("with KeepSnapshots 1, %d snapshots are left", left)
	}
	rest, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading a snapshot pruned while it was being read: %v", err)
	}
	if sha256.Sum256(append(head, rest...)) != sha256.Sum256(first) {
		t.Error("a snapshot pruned while it was being read reads wrong")
	}
	if _, err := st.Open(ctx, v1.Version); err == nil {
		t.Error("a pruned snapshot still opens")
	}
	if l, _ := st.Latest(ctx); l == nil || l.Version != v2.Version {
		t.Errorf("Latest = %+v, want %s", l, v2.Version)
	}
}

// The LISTEN connection is killed by the server (a restart, a failover, an
// idle timeout): Watch reconnects and still reports the snapshot published
// meanwhile.
func TestWatchReconnects(t *testing.T) {
	url := pgtest.Start(t)
	var logs logBuffer
	watcher := openState(t, url, postgres.Options{Logger: logs.logger()})
	publisher := openState(t, url, postgres.Options{})
	admin := sqlConn(t, url)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	seen := make(chan incidentbot.SnapshotInfo, 4)
	go watcher.Watch(ctx, func(i incidentbot.SnapshotInfo) { seen <- i })

	listening := func() int {
		var n int
		admin.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'incidentbot-watch' AND datname = current_database()").Scan(&n)
		return n
	}
	for deadline := time.Now().Add(5 * time.Second); listening() == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("Watch has no LISTEN connection after 5 s")
		}
	}
	var killed int
	admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE application_name = 'incidentbot-watch' AND datname = current_database()`).Scan(&killed)
	if killed != 1 {
		t.Fatalf("terminated %d watch connections, want 1", killed)
	}
	info, err := publisher.Publish(ctx, incidentbot.SnapshotInfo{Embedder: "while away"}, strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-seen:
		if got.Version != info.Version {
			t.Fatalf("Watch reported %s, want %s", got.Version, info.Version)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("Watch did not report the snapshot published while its connection was killed within 5 s; log:\n%s", logs.String())
	}
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(logs.String(), "snapshot notifications resumed"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no reconnection logged:\n%s", logs.String())
		}
	}
	// And the new connection hears the next one.
	next, err := publisher.Publish(ctx, incidentbot.SnapshotInfo{}, strings.NewReader("y"))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-seen:
		if got.Version != next.Version {
			t.Fatalf("Watch reported %s, want %s", got.Version, next.Version)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("after reconnecting Watch did not report the next snapshot within 5 s")
	}
}
