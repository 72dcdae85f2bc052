// Package postgres keeps the state that serving processes share in
// PostgreSQL, for shards on several machines: index snapshots (chunked,
// published in one transaction and announced with NOTIFY), the refresh
// lock (a session advisory lock), the refresh history, the refresh
// previews and the feedback. The program creates and migrates its schema
// itself (schema.go).
//
// The database URL may hold a password: it is never logged nor put in an
// error message.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/incidentbot/incidentbot"
)

// Options tune a State. The zero value is ready to use.
type Options struct {
	// Logger receives what the state does on its own (migrations, a lost
	// notification connection, pruned snapshots); nil: slog.Default().
	Logger *slog.Logger
	// KeepSnapshots is how many good snapshots are kept: older ones are
	// deleted after each publish (a snapshot can be gigabytes). 0: 3.
	KeepSnapshots int
}

// Advisory locks of the program, in the two-key form: lockClass is
// incidentbot's ("incb"), the second key says which lock.
const (
	lockClass  = 0x696e6362
	migrateKey = 1 // held while the schema is migrated
	refreshKey = 2 // the refresh lock
	publishKey = 3 // held from a publish's version number to its commit
)

// State is incidentbot.State over a PostgreSQL database.
type State struct {
	pool *pgxpool.Pool
	// conn configures the connections kept apart from the pool: one per
	// Watch (LISTEN) and one per held refresh lock.
	conn *pgx.ConnConfig
	log  *slog.Logger
	keep int

	mu     sync.Mutex
	locks  map[*pgx.Conn]bool // refresh locks held, released by Close
	closed bool
}

var _ incidentbot.State = (*State)(nil)

// Open connects to the database at url and brings its schema up to date
// (processes starting at once wait for each other's migration).
func Open(ctx context.Context, url string, opts Options) (*State, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parser's message may quote the URL, password and all.
		return nil, errors.New("postgres: the database URL is not valid (it is not repeated here: it may hold a password)")
	}
	if cfg.ConnConfig.RuntimeParams == nil {
		cfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	if cfg.ConnConfig.RuntimeParams["application_name"] == "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = "incidentbot"
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("state", "postgres", "database", cfg.ConnConfig.Database, "host", cfg.ConnConfig.Host)
	s := &State{conn: cfg.ConnConfig.Copy(), log: log, keep: opts.KeepSnapshots, locks: map[*pgx.Conn]bool{}}
	if s.keep <= 0 {
		s.keep = 3
	}
	s.pool, err = pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connecting: %w", scrub(err, cfg.ConnConfig.Password))
	}
	if err := s.migrate(ctx); err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("postgres: %w", scrub(err, cfg.ConnConfig.Password))
	}
	return s, nil
}

// scrub makes sure err's message does not hold the password. pgx's
// messages name the user, host and database, never the password; this is
// the belt to those braces.
func scrub(err error, password string) error {
	if err == nil || password == "" {
		return err
	}
	msg := err.Error()
	for _, form := range []string{password, url.PathEscape(password), url.QueryEscape(password)} {
		msg = strings.ReplaceAll(msg, form, "********")
	}
	if msg == err.Error() {
		return err
	}
	return &scrubbedError{msg: msg, err: err}
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }

// Is lets callers test for context errors and the like; the wrapped
// error's own text stays hidden.
func (e *scrubbedError) Is(target error) bool { return errors.Is(e.err, target) }

// connect opens a connection of its own (not from the pool) named for what
// it does, as pg_stat_activity shows it.
func (s *State) connect(ctx context.Context, purpose string) (*pgx.Conn, error) {
	cfg := s.conn.Copy()
	cfg.RuntimeParams["application_name"] = "incidentbot-" + purpose
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, scrub(err, cfg.Password)
	}
	return c, nil
}

// Close releases the refresh locks this State holds and closes its
// connections. Watch loops end with their context.
func (s *State) Close() error {
	s.mu.Lock()
	s.closed = true
	locks := s.locks
	s.locks = map[*pgx.Conn]bool{}
	s.mu.Unlock()
	for c := range locks {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c.Close(ctx) // the server releases a session's advisory locks with it
		cancel()
	}
	s.pool.Close()
	return nil
}

// isUniqueViolation reports a duplicate key.
func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}
