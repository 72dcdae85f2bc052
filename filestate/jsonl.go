package filestate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// appendMu serialises appends within the process; between processes each
// line is one write(2) to a file opened with O_APPEND, which keeps whole
// lines apart.
var appendMu sync.Mutex

// appendJSONLine appends v to path as one JSON line, in one write, so a
// crash never leaves half a line in front of another record.
func appendJSONLine(path string, v any) error {
	line, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding a line of %s: %w", filepath.Base(path), err)
	}
	line = append(line, '\n')
	appendMu.Lock()
	defer appendMu.Unlock()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	if _, err := f.Write(line); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// readJSONLines calls fn with each non-blank line of path and its number;
// last is set for a final line with no newline (one a crash cut short). No
// file is no lines.
func readJSONLines(path string, fn func(n int, line []byte, last bool) error) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	// A bufio.Reader, not a Scanner: a line has no length limit.
	r := bufio.NewReader(f)
	for n := 1; ; n++ {
		line, rerr := r.ReadBytes('\n')
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return fmt.Errorf("reading %s: %w", path, rerr)
		}
		last := errors.Is(rerr, io.EOF)
		if len(bytes.TrimSpace(line)) > 0 {
			if err := fn(n, line, last); err != nil {
				return err
			}
		}
		if last {
			return nil
		}
	}
}
