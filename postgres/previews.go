package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/incidentbot/incidentbot"
)

// SavePreview keeps plan for ttl (by the database's clock, one for every
// machine), replacing one with the same id, and deletes the expired ones.
func (s *State) SavePreview(ctx context.Context, plan *incidentbot.RefreshPlan, ttl time.Duration) error {
	if plan == nil || plan.ID == "" {
		return errors.New("postgres: a preview needs an id")
	}
	if ttl <= 0 {
		return fmt.Errorf("postgres: preview %s: the time to keep it must be positive, got %v", plan.ID, ttl)
	}
	data, err := json.Marshal(plan)
	if err != nil {
		return fmt.Errorf("encoding preview %s: %w", plan.ID, err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO previews (id, plan, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))
ON CONFLICT (id) DO UPDATE SET plan = excluded.plan, expires_at = excluded.expires_at`, plan.ID, data, ttl.Seconds())
	if err != nil {
		return fmt.Errorf("saving preview %s: %w", plan.ID, err)
	}
	if _, err := s.pool.Exec(ctx, "DELETE FROM previews WHERE expires_at < now()"); err != nil {
		s.log.Warn("deleting expired previews", "err", err)
	}
	return nil
}

// TakePreview deletes the preview and returns it: DELETE … RETURNING is
// one statement, so of two clicks on two processes one gets the plan and
// the other nil. Nil too when it is unknown or expired.
func (s *State) TakePreview(ctx context.Context, id string) (*incidentbot.RefreshPlan, error) {
	var data []byte
	var valid bool
	err := s.pool.QueryRow(ctx, "DELETE FROM previews WHERE id = $1 RETURNING plan, expires_at >= now()", id).Scan(&data, &valid)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("taking preview %s: %w", id, err)
	}
	if !valid {
		return nil, nil
	}
	var plan incidentbot.RefreshPlan
	if err := json.Unmarshal(data, &plan); err != nil {
		return nil, fmt.Errorf("preview %s is damaged: %w", id, err)
	}
	return &plan, nil
}
