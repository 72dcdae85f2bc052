package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/incidentbot/incidentbot"
)

// TryLock takes the refresh lock, a session advisory lock, on a connection
// of its own held until unlock: PostgreSQL releases it when that
// connection ends, so a holder that dies (its socket closes) frees it.
// Refused, it returns a *incidentbot.LockedError naming the holder.
func (s *State) TryLock(ctx context.Context, holder incidentbot.Actor) (unlock func(), err error) {
	conn, err := s.connect(ctx, "refresh-lock")
	if err != nil {
		return nil, fmt.Errorf("taking the refresh lock: connecting: %w", err)
	}
	closeConn := func() {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		conn.Close(cctx)
	}
	var got bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1, $2)", lockClass, refreshKey).Scan(&got); err != nil {
		closeConn()
		return nil, fmt.Errorf("taking the refresh lock: %w", err)
	}
	if !got {
		closeConn()
		return nil, s.lockedError(ctx)
	}
	_, err = conn.Exec(ctx, `INSERT INTO refresh_lock (id, who, via, since, backend_pid) VALUES (1, $1, $2, now(), pg_backend_pid())
ON CONFLICT (id) DO UPDATE SET who = excluded.who, via = excluded.via, since = excluded.since, backend_pid = excluded.backend_pid`,
		holder.Who, holder.Via)
	if err != nil {
		closeConn()
		return nil, fmt.Errorf("recording the refresh lock's holder: %w", err)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		closeConn()
		return nil, errors.New("postgres: the state is closed")
	}
	s.locks[conn] = true
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			held := s.locks[conn]
			delete(s.locks, conn)
			s.mu.Unlock()
			if !held { // Close released it
				return
			}
			cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			// Forget the holder, then unlock; closing the connection
			// would unlock too, but say it plainly.
			conn.Exec(cctx, "DELETE FROM refresh_lock WHERE backend_pid = pg_backend_pid()")
			if _, err := conn.Exec(cctx, "SELECT pg_advisory_unlock($1, $2)", lockClass, refreshKey); err != nil {
				s.log.Warn("releasing the refresh lock (closing its connection releases it)", "err", err)
			}
			conn.Close(cctx)
		})
	}, nil
}

// lockedError names the lock's holder: the refresh_lock row written by
// the session that holds the advisory lock now. The holder writes it just
// after locking, and a row left by a holder that died names another
// session, so the refusal looks again for a moment before it goes out
// without a name.
func (s *State) lockedError(ctx context.Context) error {
	deadline := time.Now().Add(time.Second)
	for {
		var le incidentbot.LockedError
		err := s.pool.QueryRow(ctx, `SELECT r.who, r.via, r.since FROM refresh_lock r
JOIN pg_locks l ON l.pid = r.backend_pid
WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid AND l.objsubid = 2
	AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`, lockClass, refreshKey).
			Scan(&le.Holder.Who, &le.Holder.Via, &le.Since)
		if err == nil {
			le.Since = le.Since.UTC()
			return &le
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			s.log.Warn("reading who holds the refresh lock", "err", err)
			return &incidentbot.LockedError{}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return &incidentbot.LockedError{}
		}
		time.Sleep(20 * time.Millisecond)
	}
}
