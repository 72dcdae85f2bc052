package filestate

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"github.com/incidentbot/incidentbot"
)

// HistoryFile has one JSON line per applied refresh, in the order they
// were recorded: the format of corpus/history.go, which it replaces (an
// entry now also names the snapshot version).
const HistoryFile = "refresh-history.jsonl"

// AppendHistory records e. A zero Time means now; times are kept in UTC.
func (s *State) AppendHistory(ctx context.Context, e incidentbot.HistoryEntry) error {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Time = e.Time.UTC()
	if err := appendJSONLine(filepath.Join(s.dir, HistoryFile), e); err != nil {
		return fmt.Errorf("recording the refresh history: %w", err)
	}
	return nil
}

// ReadHistory returns the recorded refreshes, oldest first; none when
// there is no history yet. A last line cut short (a crash mid-append) is
// skipped; any other bad line is an error naming file and line.
func (s *State) ReadHistory(ctx context.Context) ([]incidentbot.HistoryEntry, error) {
	path := filepath.Join(s.dir, HistoryFile)
	var out []incidentbot.HistoryEntry
	err := readJSONLines(path, func(n int, line []byte, last bool) error {
		var e incidentbot.HistoryEntry
		if err := json.Unmarshal(line, &e); err != nil {
			if last {
				s.log.Warn("skipped a refresh history line cut short", "path", path, "line", n)
				return nil
			}
			return fmt.Errorf("%s:%d: not a history entry: %w", path, n, err)
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Appends are in time order; sorting copes with a clock that stepped
	// back, keeping file order among equal times.
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, nil
}
