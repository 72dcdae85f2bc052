package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/incidentbot/incidentbot"
)

// RecordFeedback stores one vote.
func (s *State) RecordFeedback(ctx context.Context, r incidentbot.FeedbackRecord) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO feedback (time, answer_id, question, answer, mode, refused, docs, user_hash, vote, guild_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		r.Time, r.AnswerID, r.Question, r.Answer, r.Mode, r.Refused, r.Docs, r.User, r.Vote, r.GuildID)
	if err != nil {
		return fmt.Errorf("recording feedback: %w", err)
	}
	return nil
}

// ReadFeedback returns every vote in the order recorded.
func (s *State) ReadFeedback(ctx context.Context) ([]incidentbot.FeedbackRecord, error) {
	rows, _ := s.pool.Query(ctx, `SELECT time, answer_id, question, answer, mode, refused, docs, user_hash, vote, guild_id
FROM feedback ORDER BY id`)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (incidentbot.FeedbackRecord, error) {
		var r incidentbot.FeedbackRecord
		err := row.Scan(&r.Time, &r.AnswerID, &r.Question, &r.Answer, &r.Mode, &r.Refused, &r.Docs, &r.User, &r.Vote, &r.GuildID)
		r.Time = r.Time.UTC()
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("reading feedback: %w", err)
	}
	return out, nil
}
