package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/incidentbot/incidentbot"
)

// AppendHistory records e. A zero Time means now (the database's clock,
// one for every machine).
func (s *State) AppendHistory(ctx context.Context, e incidentbot.HistoryEntry) error {
	var t *time.Time
	if !e.Time.IsZero() {
		t = &e.Time
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO refresh_history (time, who, via, version, added, changed, removed, articles, embedded, seconds)
VALUES (coalesce($1, now()), $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		t, e.Who, e.Via, e.Version, e.Added, e.Changed, e.Removed, e.Articles, e.Embedded, e.Seconds)
	if err != nil {
		return fmt.Errorf("recording the refresh history: %w", err)
	}
	return nil
}

// ReadHistory returns the recorded refreshes, oldest first.
func (s *State) ReadHistory(ctx context.Context) ([]incidentbot.HistoryEntry, error) {
	rows, _ := s.pool.Query(ctx, `SELECT time, who, via, version, added, changed, removed, articles, embedded, seconds
FROM refresh_history ORDER BY time, id`)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (incidentbot.HistoryEntry, error) {
		var e incidentbot.HistoryEntry
		err := row.Scan(&e.Time, &e.Who, &e.Via, &e.Version, &e.Added, &e.Changed, &e.Removed, &e.Articles, &e.Embedded, &e.Seconds)
		e.Time = e.Time.UTC()
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("reading the refresh history: %w", err)
	}
	return out, nil
}
