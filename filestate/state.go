// Package filestate keeps the state that serving processes share in a data
// folder, for one machine: one process or several (shards) on one folder.
// Every file is replaced by rename or appended to in whole lines, and the
// refresh lock is a kernel lock, so a process killed at any moment leaves
// the folder usable and nothing locked.
//
//	index.snapshot           the current index snapshot (Snapshots)
//	snapshot.lock            held a moment while a snapshot is swapped in or set aside
//	refresh.lock             the refresh lock and who holds it (RefreshLock)
//	refresh-history.jsonl    one line per applied refresh (History)
//	feedback.jsonl           one line per vote (Feedback)
//	previews/<id>.json       refresh plans waiting for Apply or Cancel (Previews)
package filestate

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"

	"github.com/incidentbot/incidentbot"
)

// Options tune a State. The zero value is ready to use.
type Options struct {
	// Logger receives what the state notices on its own (a snapshot
	// swapped in by another process, unreadable feedback lines, leftovers
	// of a killed process cleared away); nil: slog.Default().
	Logger *slog.Logger
}

// State is incidentbot.State over a data folder.
type State struct {
	dir string
	log *slog.Logger

	mu     sync.Mutex
	locks  map[*os.File]bool // refresh locks held, released by Close
	closed bool
}

var _ incidentbot.State = (*State)(nil)

// Open uses dir as the shared state, creating it when missing.
func Open(dir string, opts Options) (*State, error) {
	if dir == "" {
		return nil, errors.New("filestate: no data folder given")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the data folder: %w", err)
	}
	s := &State{dir: dir, log: opts.Logger, locks: map[*os.File]bool{}}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.log = s.log.With("state", dir)
	s.removeAbandonedTemps()
	return s, nil
}

// Dir is the data folder.
func (s *State) Dir() string { return s.dir }

// Close releases the refresh locks this State still holds. Watch loops end
// with their context.
func (s *State) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	var errs []error
	for f := range s.locks {
		errs = append(errs, releaseLock(f))
		delete(s.locks, f)
	}
	return errors.Join(errs...)
}
