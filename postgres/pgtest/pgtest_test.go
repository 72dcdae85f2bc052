package pgtest_test

import (
	"context"
	"os"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/incidentbot/incidentbot/postgres/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// Each test gets an empty database of its own on a loopback server that
// does not run as root.
func TestDatabasesAreSeparate(t *testing.T) {
	ctx := context.Background()
	a, err := pgx.Connect(ctx, pgtest.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	b, err := pgx.Connect(ctx, pgtest.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close(ctx)
	if _, err := a.Exec(ctx, "CREATE TABLE only_in_a (x int)"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'").Scan(&n); err != nil || n != 0 {
		t.Errorf("a table made in one test's database is seen in another's (%d, %v)", n, err)
	}
	var listen string
	a.QueryRow(ctx, "SHOW listen_addresses").Scan(&listen)
	if listen != "127.0.0.1" {
		t.Errorf("the server listens on %q, want loopback only", listen)
	}
	// PostgreSQL refuses root; as root the server must run as another user.
	var dataDir string
	if err := a.QueryRow(ctx, "SHOW data_directory").Scan(&dataDir); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	if uid := fi.Sys().(*syscall.Stat_t).Uid; os.Geteuid() == 0 && uid == 0 {
		t.Errorf("the server's data folder %s belongs to root", dataDir)
	}
}
