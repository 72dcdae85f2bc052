package incidentbot

import (
	"context"
	"fmt"
	"io"
	"time"
)

// SnapshotInfo describes a published index snapshot.
type SnapshotInfo struct {
	// Version names the snapshot; versions sort in the order they were
	// published.
	Version  string    `json:"version"`
	BuiltAt  time.Time `json:"built_at"`
	Embedder string    `json:"embedder"`
	Articles int       `json:"articles"`
	Passages int       `json:"passages"`
	Size     int64     `json:"size"` // bytes
	By       Actor     `json:"by"`
}

// Snapshots is where index snapshots are published and every serving
// process finds the newest: files in the data folder, or PostgreSQL for
// processes on several machines.
type Snapshots interface {
	// Publish stores a new snapshot, read from r, and announces it. The
	// store assigns info.Version when it is empty and returns the info
	// as stored.
	Publish(ctx context.Context, info SnapshotInfo, r io.Reader) (SnapshotInfo, error)
	// Latest is the newest snapshot's info; nil when none was published.
	Latest(ctx context.Context) (*SnapshotInfo, error)
	// Open reads one snapshot.
	Open(ctx context.Context, version string) (io.ReadCloser, error)
	// Discard sets aside a snapshot that cannot be loaded (truncated,
	// garbage), so that Latest no longer returns it; it is kept for a look
	// and where is returned (a file path, or a note for a database).
	Discard(ctx context.Context, version, reason string) (where string, err error)
	// Watch calls fn with each snapshot published after it starts, by this
	// or any other process, until ctx ends. It may skip versions when
	// several come at once, never the newest.
	Watch(ctx context.Context, fn func(SnapshotInfo)) error
}

// RefreshLock serialises refreshes across every process sharing a state.
type RefreshLock interface {
	// TryLock takes the lock for holder, or fails at once with a
	// *LockedError naming who holds it. A lock held by a process that died
	// is free again.
	TryLock(ctx context.Context, holder Actor) (unlock func(), err error)
}

// LockedError is a refresh refused because another one is running.
type LockedError struct {
	Holder Actor
	Since  time.Time
}

func (e *LockedError) Error() string {
	who := e.Holder.Who
	if e.Holder.Via != "" {
		who += " via " + e.Holder.Via
	}
	if who == "" {
		who = "another process"
	}
	if e.Since.IsZero() {
		return fmt.Sprintf("another refresh is running (%s)", who)
	}
	return fmt.Sprintf("another refresh is running (%s, since %s)", who, e.Since.UTC().Format("2006-01-02 15:04:05 UTC"))
}

// State is everything processes serving the same bot share.
type State interface {
	Snapshots
	RefreshLock
	History
	Previews
	Feedback
	Close() error
}
