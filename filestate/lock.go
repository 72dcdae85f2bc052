package filestate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/incidentbot/incidentbot"
)

// RefreshLockFile is the refresh lock. It is locked with flock(2), which
// the kernel releases when the holding process ends however it ends, and
// holds who took it since when, so that a refused refresh can say.
const RefreshLockFile = "refresh.lock"

// lockHolder is what the lock file holds while locked.
type lockHolder struct {
	Who   string    `json:"who"`
	Via   string    `json:"via,omitempty"`
	Since time.Time `json:"since"`
	Host  string    `json:"host,omitempty"`
	PID   int       `json:"pid"`
}

// TryLock takes the refresh lock for holder, or returns a
// *incidentbot.LockedError at once naming who holds it. unlock releases
// it; so does Close, and the end of the process.
func (s *State) TryLock(ctx context.Context, holder incidentbot.Actor) (unlock func(), err error) {
	path := filepath.Join(s.dir, RefreshLockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening the refresh lock: %w", err)
	}
	// flock locks belong to the open file, not the process: a second
	// TryLock in this process, on a file of its own, is refused too.
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, s.lockedError(ctx, path)
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	host, _ := os.Hostname()
	data, err := json.Marshal(lockHolder{Who: holder.Who, Via: holder.Via, Since: time.Now().UTC(), Host: host, PID: os.Getpid()})
	if err == nil {
		err = f.Truncate(0)
	}
	if err == nil {
		_, err = f.WriteAt(data, 0)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("recording the refresh lock's holder in %s: %w", path, err)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		f.Close()
		return nil, errors.New("filestate: the state is closed")
	}
	s.locks[f] = true
	s.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.locks[f] { // not already released by Close
				delete(s.locks, f)
				if err := releaseLock(f); err != nil {
					s.log.Warn("releasing the refresh lock", "err", err)
				}
			}
		})
	}, nil
}

// releaseLock forgets the holder and unlocks. The holder's name is cleared
// first, so that the next refused TryLock never names a holder that left.
func releaseLock(f *os.File) error {
	terr := f.Truncate(0)
	return errors.Join(terr, f.Close())
}

// lockedError reads who holds the lock at path. The holder writes its name
// just after taking the lock, so an empty file, or the name of a process
// that is gone (it was killed and the new holder has not written yet), is
// read again for a moment before the refusal is sent without a name.
func (s *State) lockedError(ctx context.Context, path string) error {
	host, _ := os.Hostname()
	deadline := time.Now().Add(time.Second)
	for {
		var h lockHolder
		data, err := os.ReadFile(path)
		if err == nil && json.Unmarshal(data, &h) == nil && h.Who != "" &&
			(h.Host != host || h.PID <= 0 || unix.Kill(h.PID, 0) != unix.ESRCH) {
			return &incidentbot.LockedError{Holder: incidentbot.Actor{Who: h.Who, Via: h.Via}, Since: h.Since}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return &incidentbot.LockedError{}
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// withSnapshotLock runs fn holding snapshot.lock, a lock held only for the
// moment of a rename.
func (s *State) withSnapshotLock(fn func() error) error {
	path := filepath.Join(s.dir, snapshotLockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		return fmt.Errorf("locking %s: %w", path, err)
	}
	return fn()
}
