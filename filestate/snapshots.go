package filestate

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/google/renameio/v2"

	"github.com/incidentbot/incidentbot"
)

// SnapshotFile is the current snapshot in the data folder.
const SnapshotFile = "index.snapshot"

// snapshotLockFile is held while a snapshot is swapped in or set aside, so
// that Discard never moves aside a snapshot another process has just
// published, and versions grow with every publish.
const snapshotLockFile = "snapshot.lock"

// headerMagic starts a snapshot file written by Publish. The next line is
// the SnapshotInfo as JSON; the bytes after it are the snapshot as given to
// Publish. Keeping the info in the file itself (not beside it) means one
// rename swaps both. A file without it (written before this package) is
// served whole, with only what its stat says.
const headerMagic = "incidentbot-snapshot 1\n"

// maxHeader bounds the info line, so that a damaged file cannot make
// Latest read gigabytes looking for a newline.
const maxHeader = 1 << 20

// versionLayout is fixed-width, so versions sort as the times they hold.
const versionLayout = "20060102T150405.000000000Z"

// fileHeader is what the info line holds: the info less what the file
// itself says (its version and size).
type fileHeader struct {
	BuiltAt  time.Time         `json:"built_at"`
	Embedder string            `json:"embedder"`
	Articles int               `json:"articles"`
	Passages int               `json:"passages"`
	By       incidentbot.Actor `json:"by"`
}

func (s *State) snapshotPath() string { return filepath.Join(s.dir, SnapshotFile) }

// versionOf names the snapshot a file holds: its modification time (set by
// Publish, to the nanosecond, always after the previous snapshot's) and
// its size.
func versionOf(fi fs.FileInfo) string {
	return fi.ModTime().UTC().Format(versionLayout) + "-" + strconv.FormatInt(fi.Size(), 10)
}

// Publish writes the snapshot beside the current one, fsyncs it and
// renames it over index.snapshot: a process killed mid-way leaves the
// previous snapshot current (and a temporary file, cleared by a later
// Open). Every process watching the folder sees it within a second. The
// version is always the file's, whatever info.Version says.
func (s *State) Publish(ctx context.Context, info incidentbot.SnapshotInfo, r io.Reader) (incidentbot.SnapshotInfo, error) {
	// A version given is not kept: in a folder the version is the file's
	// (see versionOf), and the info returned says which it is.
	info.Version = ""
	path := s.snapshotPath()
	pf, err := renameio.NewPendingFile(path, renameio.WithTempDir(s.dir), renameio.WithPermissions(0o644))
	if err != nil {
		return info, fmt.Errorf("creating the snapshot file: %w", err)
	}
	defer pf.Cleanup()
	head, err := json.Marshal(fileHeader{BuiltAt: info.BuiltAt, Embedder: info.Embedder, Articles: info.Articles,
		Passages: info.Passages, By: info.By})
	if err != nil {
		return info, fmt.Errorf("encoding the snapshot header: %w", err)
	}
	w := bufio.NewWriter(pf)
	w.WriteString(headerMagic)
	w.Write(head)
	w.WriteByte('\n')
	err = w.Flush()
	var n int64
	if err == nil {
		n, err = copyInBlocks(pf, ctxReader{ctx, r})
	}
	if err != nil {
		return info, fmt.Errorf("writing the snapshot %s: %w", pf.Name(), err)
	}
	// The long fsync of a large file happens before the lock is taken;
	// the one in CloseAtomicallyReplace then has little left to do.
	if err := pf.Sync(); err != nil {
		return info, fmt.Errorf("syncing the snapshot: %w", err)
	}
	err = s.withSnapshotLock(func() error {
		// The version is the modification time: make it now, and later
		// than the snapshot it replaces even if the clock stepped back.
		mt := time.Now()
		if cur, err := os.Stat(path); err == nil && !mt.After(cur.ModTime()) {
			mt = cur.ModTime().Add(time.Nanosecond)
		}
		if err := os.Chtimes(pf.Name(), mt, mt); err != nil {
			return fmt.Errorf("stamping the snapshot: %w", err)
		}
		if err := pf.CloseAtomicallyReplace(); err != nil {
			return fmt.Errorf("replacing %s: %w", path, err)
		}
		syncDir(s.dir)
		fi, err := os.Stat(path)
		if err != nil {
			return fmt.Errorf("reading back the new snapshot: %w", err)
		}
		info.Version = versionOf(fi)
		return nil
	})
	if err != nil {
		return info, err
	}
	info.Size = n
	s.log.Info("snapshot published", "version", info.Version, "bytes", n)
	return info, nil
}

// copyInBlocks copies r to w a megabyte at a time. Not io.Copy: that
// hands the copy to the file's ReadFrom, which reads anything but a file
// in 32 KB pieces and writes each with a system call of its own (36k of
// them for a 1.2 GB snapshot: a second of the publish).
func copyInBlocks(w io.Writer, r io.Reader) (int64, error) {
	buf := make([]byte, 1<<20)
	var n int64
	for {
		m, err := io.ReadFull(r, buf)
		if m > 0 {
			if _, err := w.Write(buf[:m]); err != nil {
				return n, err
			}
			n += int64(m)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// ctxReader stops a long copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// syncDir makes a rename in dir durable. Best effort: some file systems
// refuse to fsync a folder, and the rename itself has happened.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Latest returns the current snapshot's info, nil when there is none. A
// file whose header cannot be read is still returned (with what its stat
// says), so that its reader finds it damaged and Discards it.
func (s *State) Latest(ctx context.Context) (*incidentbot.SnapshotInfo, error) {
	f, err := os.Open(s.snapshotPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the snapshot: %w", err)
	}
	defer f.Close()
	info, _, err := readHeader(f)
	if err != nil {
		var bad *badHeaderError
		if !errors.As(err, &bad) {
			return nil, err
		}
		s.log.Warn("snapshot header unreadable", "path", f.Name(), "err", err)
	}
	return info, nil
}

type badHeaderError struct {
	path string
	err  error
}

func (e *badHeaderError) Error() string {
	return fmt.Sprintf("snapshot %s is damaged (header: %v)", e.path, e.err)
}

func (e *badHeaderError) Unwrap() error { return e.err }

// readHeader reads the info of the open snapshot file f and where its
// payload starts. On a *badHeaderError the info is still the file's
// version, size and time.
func readHeader(f *os.File) (*incidentbot.SnapshotInfo, int64, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, fmt.Errorf("reading the snapshot: %w", err)
	}
	info := &incidentbot.SnapshotInfo{Version: versionOf(fi), BuiltAt: fi.ModTime().UTC(), Size: fi.Size()}
	br := bufio.NewReader(io.NewSectionReader(f, 0, min(fi.Size(), int64(len(headerMagic))+maxHeader)))
	magic := make([]byte, len(headerMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != headerMagic {
		return info, 0, nil // written before this package: all payload
	}
	line, err := br.ReadBytes('\n')
	if err != nil {
		return info, 0, &badHeaderError{f.Name(), fmt.Errorf("no complete info line: %w", err)}
	}
	var h fileHeader
	if err := json.Unmarshal(bytes.TrimSuffix(line, []byte("\n")), &h); err != nil {
		return info, 0, &badHeaderError{f.Name(), err}
	}
	off := int64(len(headerMagic) + len(line))
	info.BuiltAt, info.Embedder, info.Articles, info.Passages, info.By = h.BuiltAt, h.Embedder, h.Articles, h.Passages, h.By
	info.Size = fi.Size() - off
	return info, off, nil
}

// Open reads the snapshot version, which must be the current one: the
// folder keeps no other. The file stays readable to the end even if a
// newer one replaces it meanwhile.
func (s *State) Open(ctx context.Context, version string) (io.ReadCloser, error) {
	f, err := os.Open(s.snapshotPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("snapshot %s is superseded or set aside: there is no %s now", version, s.snapshotPath())
	}
	if err != nil {
		return nil, fmt.Errorf("opening the snapshot: %w", err)
	}
	info, off, err := readHeader(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	if info.Version != version {
		f.Close()
		return nil, fmt.Errorf("snapshot %s is superseded: %s now holds %s", version, s.snapshotPath(), info.Version)
	}
	return &snapshotReader{io.NewSectionReader(f, off, info.Size), f}, nil
}

// snapshotReader is the payload of a snapshot file. It seeks within the
// payload, for readers that sniff their input and go back.
type snapshotReader struct {
	*io.SectionReader
	f *os.File
}

func (r *snapshotReader) Close() error { return r.f.Close() }

// Discard moves the current snapshot aside to
// index.snapshot.damaged-<UTC time>, when it is still version, and returns
// its new path. When it is not (another process set it aside, or published
// a newer one) there is nothing to do and where is "".
func (s *State) Discard(ctx context.Context, version, reason string) (where string, err error) {
	path := s.snapshotPath()
	err = s.withSnapshotLock(func() error {
		fi, err := os.Stat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading the snapshot: %w", err)
		}
		if versionOf(fi) != version {
			return nil
		}
		to := path + ".damaged-" + time.Now().UTC().Format("20060102T150405.000Z")
		for i := 2; ; i++ {
			if _, err := os.Lstat(to); errors.Is(err, fs.ErrNotExist) {
				break
			}
			to = fmt.Sprintf("%s.damaged-%s-%d", path, time.Now().UTC().Format("20060102T150405.000Z"), i)
		}
		if err := os.Rename(path, to); err != nil {
			return fmt.Errorf("moving the damaged snapshot aside: %w", err)
		}
		syncDir(s.dir)
		where = to
		return nil
	})
	if err != nil {
		return "", err
	}
	if where == "" {
		s.log.Info("snapshot to discard is no longer current", "version", version)
	} else {
		s.log.Warn("snapshot set aside", "version", version, "path", where, "reason", reason)
	}
	return where, nil
}

// watchInterval is how often Watch looks at the snapshot. Polling, not
// file notifications: fsnotify is not a dependency, and a rename over the
// file (how every snapshot arrives) replaces the inode a watch on the file
// would follow, so it would have to watch the folder and filter; a stat a
// second is nothing next to that, and well within the 5 s in which every
// process must follow a new snapshot.
const watchInterval = 500 * time.Millisecond

// Watch reports every new current snapshot until ctx ends; it returns nil
// then. A version is new when it differs from the last one seen: the
// folder only ever holds the newest.
func (s *State) Watch(ctx context.Context, fn func(incidentbot.SnapshotInfo)) error {
	last := ""
	if fi, err := os.Stat(s.snapshotPath()); err == nil {
		last = versionOf(fi)
	}
	tick := time.NewTicker(watchInterval)
	defer tick.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		fi, err := os.Stat(s.snapshotPath())
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) && !failing {
				s.log.Warn("watching the snapshot", "err", err)
				failing = true
			}
			continue
		}
		if versionOf(fi) == last {
			continue
		}
		info, err := s.Latest(ctx)
		if err != nil {
			if !failing {
				s.log.Warn("watching the snapshot", "err", err)
				failing = true
			}
			continue
		}
		failing = false
		if info == nil || info.Version == last {
			continue
		}
		last = info.Version
		fn(*info)
	}
}

// abandonedAfter is how long a temporary file may go unmodified before
// Open takes it for the leftover of a killed process. A publish in
// progress writes to its file all the time.
const abandonedAfter = time.Hour

// removeAbandonedTemps clears what killed processes left behind: a
// half-written snapshot (possibly gigabytes), half-written or claimed
// previews.
func (s *State) removeAbandonedTemps() {
	for _, pattern := range []string{
		filepath.Join(s.dir, "."+SnapshotFile+"*"),
		filepath.Join(s.previewDir(), ".*"),
		filepath.Join(s.previewDir(), "*"+claimedInfix+"*"),
	} {
		names, _ := filepath.Glob(pattern)
		for _, name := range names {
			fi, err := os.Lstat(name)
			if err != nil || !fi.Mode().IsRegular() || time.Since(fi.ModTime()) < abandonedAfter {
				continue
			}
			if err := os.Remove(name); err == nil {
				s.log.Info("removed the leftover of a killed process", "path", name, "bytes", fi.Size())
			}
		}
	}
}
