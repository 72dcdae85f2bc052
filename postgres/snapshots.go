package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/incidentbot/incidentbot"
)

// Channel is the NOTIFY channel on which a published snapshot is
// announced; the payload is its version.
const Channel = "incidentbot_snapshots"

// chunkSize is the size of a snapshot_chunks row: large enough that a
// snapshot of gigabytes is a few hundred rows, small enough that a chunk in
// flight is nothing next to the process's memory.
const chunkSize = 4 << 20

// Publish stores the snapshot read from r, chunk by chunk as it is read
// (never whole in memory), in one transaction: until it commits no other
// process sees it, and a process killed mid-way leaves the previous
// snapshot the latest. The NOTIFY is part of the transaction, so it is
// sent exactly when the snapshot becomes visible. When info.Version is
// empty the version is the publish number, zero-padded so that versions
// sort in publish order.
func (s *State) Publish(ctx context.Context, info incidentbot.SnapshotInfo, r io.Reader) (incidentbot.SnapshotInfo, error) {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return info, fmt.Errorf("publishing a snapshot: %w", err)
	}
	defer tx.Rollback(context.Background())
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO snapshots (built_at, embedder, articles, passages, by_who, by_via)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		info.BuiltAt, info.Embedder, info.Articles, info.Passages, info.By.Who, info.By.Via).Scan(&id)
	if err != nil {
		return info, fmt.Errorf("publishing a snapshot: %w", err)
	}
	buf := make([]byte, chunkSize)
	var size int64
	chunks := 0
	for {
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			if _, err := tx.Exec(ctx, "INSERT INTO snapshot_chunks (snapshot_id, seq, data) VALUES ($1, $2, $3)", id, chunks, buf[:n]); err != nil {
				return info, fmt.Errorf("storing chunk %d of the snapshot: %w", chunks, err)
			}
			size += int64(n)
			chunks++
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			return info, fmt.Errorf("reading the snapshot to publish: %w", rerr)
		}
	}
	// The publish number is taken under a lock held to the commit, so
	// numbers follow commit order: a snapshot never becomes visible
	// behind one with a higher number.
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, $2)", lockClass, publishKey); err != nil {
		return info, fmt.Errorf("publishing a snapshot: %w", err)
	}
	var published int64
	err = tx.QueryRow(ctx, `WITH n AS (SELECT nextval('snapshot_published_seq') AS p)
UPDATE snapshots SET published = n.p, published_at = now(), size = $2, chunks = $3,
	version = coalesce(nullif($4, ''), lpad(n.p::text, 12, '0'))
FROM n WHERE id = $1 RETURNING version, published`, id, size, chunks, info.Version).Scan(&info.Version, &published)
	if isUniqueViolation(err) {
		return info, fmt.Errorf("publishing a snapshot: version %q exists already", info.Version)
	}
	if err != nil {
		return info, fmt.Errorf("publishing a snapshot: %w", err)
	}
	if _, err := tx.Exec(ctx, "SELECT pg_notify($1, $2)", Channel, info.Version); err != nil {
		return info, fmt.Errorf("announcing the snapshot: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return info, fmt.Errorf("committing the snapshot: %w", err)
	}
	info.Size = size
	s.log.Info("snapshot published", "version", info.Version, "bytes", size, "chunks", chunks)
	s.prune(ctx, published)
	return info, nil
}

// prune deletes the snapshots older than the s.keep newest good ones,
// damaged ones included. A reader still on one keeps reading it: Open
// reads in a transaction of its own, which still sees deleted rows.
func (s *State) prune(ctx context.Context, newest int64) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM snapshots WHERE published < (
	SELECT min(published) FROM (
		SELECT published FROM snapshots WHERE published IS NOT NULL AND damaged_at IS NULL
		ORDER BY published DESC LIMIT $1) kept)`, s.keep)
	if err != nil {
		s.log.Warn("pruning old snapshots", "err", err)
		return
	}
	if n := tag.RowsAffected(); n > 0 {
		s.log.Info("old snapshots deleted", "count", n, "kept", s.keep)
	}
}

const infoColumns = "version, built_at, embedder, articles, passages, size, by_who, by_via, published"

func scanInfo(row pgx.Row) (*incidentbot.SnapshotInfo, int64, error) {
	var i incidentbot.SnapshotInfo
	var published int64
	if err := row.Scan(&i.Version, &i.BuiltAt, &i.Embedder, &i.Articles, &i.Passages, &i.Size, &i.By.Who, &i.By.Via, &published); err != nil {
		return nil, 0, err
	}
	i.BuiltAt = i.BuiltAt.UTC()
	return &i, published, nil
}

// latest is the newest good snapshot and its publish number; nil, 0 when
// there is none.
func (s *State) latest(ctx context.Context) (*incidentbot.SnapshotInfo, int64, error) {
	info, published, err := scanInfo(s.pool.QueryRow(ctx, "SELECT "+infoColumns+` FROM snapshots
WHERE published IS NOT NULL AND damaged_at IS NULL ORDER BY published DESC LIMIT 1`))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("reading the latest snapshot: %w", err)
	}
	return info, published, nil
}

// Latest returns the newest snapshot not discarded; nil when none.
func (s *State) Latest(ctx context.Context) (*incidentbot.SnapshotInfo, error) {
	info, _, err := s.latest(ctx)
	return info, err
}

// Open reads a snapshot, chunk by chunk as it is read, in a read-only
// transaction that sees it whole even if it is pruned meanwhile. ctx
// bounds the reading too. Close ends the transaction.
func (s *State) Open(ctx context.Context, version string) (io.ReadCloser, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("opening snapshot %s: %w", version, err)
	}
	r := &chunkReader{ctx: ctx, tx: tx, version: version}
	err = tx.QueryRow(ctx, "SELECT id, chunks, size FROM snapshots WHERE version = $1 AND published IS NOT NULL", version).
		Scan(&r.id, &r.chunks, &r.size)
	if err != nil {
		tx.Rollback(context.Background())
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("there is no snapshot %s in the database (pruned, or never published)", version)
		}
		return nil, fmt.Errorf("opening snapshot %s: %w", version, err)
	}
	return r, nil
}

type chunkReader struct {
	ctx     context.Context
	tx      pgx.Tx
	version string
	id      int64
	chunks  int
	size    int64

	seq  int    // next chunk to fetch
	buf  []byte // the chunk being read, its memory reused for the next
	cur  []byte // rest of it
	read int64
	done bool
}

func (r *chunkReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if r.done {
			return 0, errors.New("read after close")
		}
		if r.seq == r.chunks {
			if r.read != r.size {
				return 0, fmt.Errorf("snapshot %s: read %d bytes, the database says %d", r.version, r.read, r.size)
			}
			return 0, io.EOF
		}
		err := r.tx.QueryRow(r.ctx, "SELECT data FROM snapshot_chunks WHERE snapshot_id = $1 AND seq = $2", r.id, r.seq).Scan(reuse{&r.buf})
		r.cur = r.buf
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, fmt.Errorf("snapshot %s: chunk %d of %d is missing", r.version, r.seq, r.chunks)
		}
		if err != nil {
			return 0, fmt.Errorf("reading chunk %d of snapshot %s: %w", r.seq, r.version, err)
		}
		r.seq++
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	r.read += int64(n)
	return n, nil
}

// reuse scans a bytea into the memory of the previous chunk, rather than
// a new slice per chunk.
type reuse struct{ buf *[]byte }

func (r reuse) ScanBytes(v []byte) error {
	*r.buf = append((*r.buf)[:0], v...)
	return nil
}

func (r *chunkReader) Close() error {
	if r.done {
		return nil
	}
	r.done = true
	r.buf, r.cur = nil, nil
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return r.tx.Rollback(ctx)
}

// Discard marks the snapshot damaged: Latest skips it from now on, in
// every process. It is kept (until pruned) for a look.
func (s *State) Discard(ctx context.Context, version, reason string) (string, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE snapshots SET damaged_at = coalesce(damaged_at, now()),
	damaged_reason = coalesce(damaged_reason, $2) WHERE version = $1 AND published IS NOT NULL`, version, reason)
	if err != nil {
		return "", fmt.Errorf("discarding snapshot %s: %w", version, err)
	}
	if tag.RowsAffected() == 0 {
		return "", fmt.Errorf("discarding snapshot %s: there is no such snapshot in the database", version)
	}
	s.log.Warn("snapshot marked damaged", "version", version, "reason", reason)
	return fmt.Sprintf("marked damaged in the database (table snapshots, version %s; its chunks stay in snapshot_chunks until pruned)", version), nil
}
