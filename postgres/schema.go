package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// migration is one step of the schema. Steps are applied in order, each in
// a transaction of its own, and recorded in schema_migrations; a step once
// released is never edited: a change is a new step at the end.
type migration struct {
	version int
	name    string
	sql     string
}

var migrations = []migration{
	{1, "snapshots, refresh lock, history, previews, feedback", `
CREATE TABLE snapshots (
	id             bigserial PRIMARY KEY,
	-- Set when the publishing transaction commits: a row without them
	-- is never visible to another process anyway.
	version        text UNIQUE,
	published      bigint UNIQUE,  -- publish order (snapshot_published_seq)
	published_at   timestamptz,
	built_at       timestamptz NOT NULL,
	embedder       text NOT NULL,
	articles       integer NOT NULL,
	passages       integer NOT NULL,
	by_who         text NOT NULL,
	by_via         text NOT NULL,
	size           bigint NOT NULL DEFAULT 0,   -- bytes, all chunks
	chunks         integer NOT NULL DEFAULT 0,
	damaged_at     timestamptz,                 -- set by Discard: Latest skips it
	damaged_reason text
);
CREATE SEQUENCE snapshot_published_seq;

-- A snapshot is gigabytes and bytea holds at most 1 GB: it is stored in
-- chunks of a few MB, in order.
CREATE TABLE snapshot_chunks (
	snapshot_id bigint NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
	seq         integer NOT NULL,
	data        bytea NOT NULL,
	PRIMARY KEY (snapshot_id, seq)
);
-- Vectors do not compress: do not try.
ALTER TABLE snapshot_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

-- Who holds the refresh lock (the advisory lock itself is PostgreSQL's),
-- written by the holder once it has the lock.
CREATE TABLE refresh_lock (
	id          integer PRIMARY KEY CHECK (id = 1),
	who         text NOT NULL,
	via         text NOT NULL,
	since       timestamptz NOT NULL,
	backend_pid integer NOT NULL
);

CREATE TABLE refresh_history (
	id       bigserial PRIMARY KEY,
	time     timestamptz NOT NULL,
	who      text NOT NULL,
	via      text NOT NULL,
	version  text NOT NULL,
	added    text[],
	changed  text[],
	removed  text[],
	articles integer NOT NULL,
	embedded integer NOT NULL,
	seconds  double precision NOT NULL
);
CREATE INDEX refresh_history_time ON refresh_history (time, id);

CREATE TABLE previews (
	id         text PRIMARY KEY,
	plan       jsonb NOT NULL,
	expires_at timestamptz NOT NULL
);

CREATE TABLE feedback (
	id        bigserial PRIMARY KEY,
	time      timestamptz NOT NULL,
	answer_id text NOT NULL,
	question  text NOT NULL,
	answer    text NOT NULL,
	mode      text NOT NULL,
	refused   boolean NOT NULL,
	docs      text[],
	user_hash text NOT NULL,  -- SHA-256 of the Discord user id, never the id
	vote      text NOT NULL,
	guild_id  text NOT NULL
);
`},
}

// SchemaVersion is the schema this program works with.
func SchemaVersion() int { return migrations[len(migrations)-1].version }

// migrate applies the steps the database lacks. It holds an advisory lock
// meanwhile, on a connection of its own (closing it releases the lock
// whatever happens), so that processes starting at once migrate one after
// the other: the second finds nothing left to do.
func (s *State) migrate(ctx context.Context) error {
	conn, err := s.connect(ctx, "migrate")
	if err != nil {
		return fmt.Errorf("connecting: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1, $2)", lockClass, migrateKey); err != nil {
		return fmt.Errorf("waiting for another process's schema migration: %w", err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
)`); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	var have int
	if err := conn.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&have); err != nil {
		return fmt.Errorf("reading the schema version: %w", err)
	}
	if have > SchemaVersion() {
		return fmt.Errorf("the database schema is version %d, newer than this program's %d: upgrade incidentbot", have, SchemaVersion())
	}
	for _, m := range migrations {
		if m.version <= have {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version, m.name)
			return err
		})
		if err != nil {
			return fmt.Errorf("migrating the schema to version %d (%s): %w", m.version, m.name, err)
		}
		s.log.Info("database schema migrated", "version", m.version, "step", m.name)
	}
	return nil
}
