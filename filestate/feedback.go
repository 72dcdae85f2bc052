package filestate

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/incidentbot/incidentbot"
)

// FeedbackFile has one JSON line per vote: the format of bot/feedback.go,
// which it replaces.
const FeedbackFile = "feedback.jsonl"

// RecordFeedback appends r.
func (s *State) RecordFeedback(ctx context.Context, r incidentbot.FeedbackRecord) error {
	if err := appendJSONLine(filepath.Join(s.dir, FeedbackFile), r); err != nil {
		return fmt.Errorf("recording feedback: %w", err)
	}
	return nil
}

// ReadFeedback returns every vote in the order recorded. As the feedback
// summary always has, it skips a line it cannot read (a torn last line
// after a crash, a hand edit) and goes on, logging which: one bad vote
// must not hide all the others.
func (s *State) ReadFeedback(ctx context.Context) ([]incidentbot.FeedbackRecord, error) {
	path := filepath.Join(s.dir, FeedbackFile)
	var out []incidentbot.FeedbackRecord
	err := readJSONLines(path, func(n int, line []byte, last bool) error {
		var r incidentbot.FeedbackRecord
		if err := json.Unmarshal(line, &r); err != nil {
			s.log.Warn("skipped an unreadable feedback line", "path", path, "line", n, "err", err)
			return nil
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
