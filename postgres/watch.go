package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v5"

	"github.com/incidentbot/incidentbot"
)

// watchCheckEvery is how long Watch waits for a notification before it
// checks the connection and the latest snapshot anyway: a connection can
// die without a word (a dropped route), and this bounds how long that goes
// unnoticed.
const watchCheckEvery = 10 * time.Second

// Watch LISTENs on a connection of its own and calls fn with each newer
// snapshot until ctx ends; it returns nil then. When the connection drops
// it reconnects, with backoff, and after every (re)connection it checks
// the latest snapshot, so that one announced while it was away is not
// missed. fn sees versions in publish order, each once.
func (s *State) Watch(ctx context.Context, fn func(incidentbot.SnapshotInfo)) error {
	w := &watcher{s: s, fn: fn, known: -1}
	if _, published, err := s.latest(ctx); err == nil {
		w.known = published
	}
	b := &backoff.ExponentialBackOff{InitialInterval: 100 * time.Millisecond, RandomizationFactor: 0.5,
		Multiplier: 2, MaxInterval: 5 * time.Second}
	for {
		err := w.listen(ctx, b)
		if ctx.Err() != nil {
			return nil
		}
		wait := b.NextBackOff()
		s.log.Warn("snapshot notifications interrupted; reconnecting", "err", err, "in", wait.Round(time.Millisecond))
		w.lost = true
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

type watcher struct {
	s  *State
	fn func(incidentbot.SnapshotInfo)
	// known is the publish number of the newest snapshot seen; -1 until
	// the database could be asked (then the one found is the start).
	known int64
	lost  bool // the connection was lost at least once
}

// listen runs one connection until it fails.
func (w *watcher) listen(ctx context.Context, b *backoff.ExponentialBackOff) error {
	conn, err := w.s.connect(ctx, "watch")
	if err != nil {
		return fmt.Errorf("connecting: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return fmt.Errorf("LISTEN: %w", err)
	}
	b.Reset()
	if w.lost {
		w.s.log.Info("snapshot notifications resumed")
	}
	// Listening from here on: what was published before is in the
	// database for this check to find.
	if err := w.check(ctx); err != nil {
		return err
	}
	for {
		wctx, cancel := context.WithTimeout(ctx, watchCheckEvery)
		_, err := conn.WaitForNotification(wctx)
		timedOut := wctx.Err() != nil
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		if err != nil && !timedOut {
			return err
		}
		if timedOut {
			if err := conn.Ping(ctx); err != nil {
				return fmt.Errorf("the notification connection does not answer: %w", err)
			}
		}
		// The payload is a version, but the latest good one is what the
		// watcher wants: several may have come at once.
		if err := w.check(ctx); err != nil {
			return err
		}
	}
}

// check calls fn when the latest snapshot is newer than the last seen.
func (w *watcher) check(ctx context.Context) error {
	info, published, err := w.s.latest(ctx)
	if err != nil {
		return err
	}
	if w.known < 0 {
		w.known = published
		return nil
	}
	if info == nil || published <= w.known {
		return nil
	}
	w.known = published
	w.fn(*info)
	return nil
}
