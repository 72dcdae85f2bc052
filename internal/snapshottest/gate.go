// Package snapshottest holds snapshot stores for tests of what serves while
// a snapshot is being saved: Gate holds every publish until the test lets
// it through, or makes it fail.
package snapshottest

import (
	"context"
	"errors"
	"io"
	"sync"

	"github.com/incidentbot/incidentbot"
)

// Gate is a snapshot store whose publishes wait, while it is held, until
// it is released or their context ends, and fail at once while a failure
// is set; everything else is the store it wraps. It starts released.
type Gate struct {
	incidentbot.Snapshots

	mu       sync.Mutex
	open     chan struct{} // closed while released
	fail     error
	attempts int
	landed   int
	changed  chan struct{} // closed, and replaced, on every attempt and landing
}

// New wraps snaps.
func New(snaps incidentbot.Snapshots) *Gate {
	open := make(chan struct{})
	close(open)
	return &Gate{Snapshots: snaps, open: open, changed: make(chan struct{})}
}

// Hold makes the publishes from now on wait for Release.
func (g *Gate) Hold() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
		g.open = make(chan struct{})
	default:
	}
}

// Release lets the publishes waiting, and those to come, through.
func (g *Gate) Release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
	default:
		close(g.open)
	}
}

// Fail makes the publishes from now on fail with err (nil: no more).
func (g *Gate) Fail(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.fail = err
}

// Counts are how many publishes were attempted and how many landed.
func (g *Gate) Counts() (attempts, landed int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.attempts, g.landed
}

// WaitAttempts waits until at least n publishes were attempted.
func (g *Gate) WaitAttempts(ctx context.Context, n int) error {
	for {
		g.mu.Lock()
		got, changed := g.attempts, g.changed
		g.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (g *Gate) bump(landed bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if landed {
		g.landed++
	} else {
		g.attempts++
	}
	close(g.changed)
	g.changed = make(chan struct{})
}

// ErrHeld is a publish that gave up waiting at the gate.
var ErrHeld = errors.New("snapshottest: the publish was held until its context ended")

// Publish waits at the gate, then publishes to the store it wraps.
func (g *Gate) Publish(ctx context.Context, info incidentbot.SnapshotInfo, r io.Reader) (incidentbot.SnapshotInfo, error) {
	g.mu.Lock()
	open, fail := g.open, g.fail
	g.mu.Unlock()
	g.bump(false)
	if fail != nil {
		return info, fail
	}
	select {
	case <-open:
	case <-ctx.Done():
		return info, errors.Join(ErrHeld, ctx.Err())
	}
	out, err := g.Snapshots.Publish(ctx, info, r)
	if err == nil {
		g.bump(true)
	}
	return out, err
}
