package filestate_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/filestate"
)

func open(t *testing.T, dir string) *filestate.State {
	t.Helper()
	st, err := filestate.Open(dir, filestate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// A data folder from before this package: a refresh history written by
// earlier versions (these two lines are what they wrote) reads back, oldest
// first, and goes on growing.
func TestHistoryReadsTheExistingFile(t *testing.T) {
	dir := t.TempDir()
	old := `{"time":"2025-03-01T10:00:00Z","who":"alice","via":"cli","added":["a"],"changed":null,"removed":null,"articles":3,"embedded":0,"seconds":0}
{"time":"2025-03-01T11:00:00Z","who":"bob","via":"cli","added":["a"],"changed":null,"removed":null,"articles":4,"embedded":0,"seconds":0}
`
	if err := os.WriteFile(filepath.Join(dir, filestate.HistoryFile), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	st := open(t, dir)
	ctx := context.Background()
	if err := st.AppendHistory(ctx, incidentbot.HistoryEntry{Time: t0.Add(2 * time.Hour), Who: "carol", Version: "v9"}); err != nil {
		t.Fatal(err)
	}
	h, err := st.ReadHistory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 3 || h[0].Who != "alice" || h[1].Who != "bob" || h[2].Who != "carol" || h[1].Articles != 4 || h[2].Version != "v9" {
		t.Fatalf("history = %+v, want alice, bob (from the old file), carol", h)
	}
}

func TestHistoryDamage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, filestate.HistoryFile)
	good := `{"time":"2025-03-01T10:00:00Z","who":"alice","added":["a"],"changed":[],"removed":[],"articles":1,"embedded":2,"seconds":1}` + "\n"
	ctx := context.Background()

	// A crash mid-append leaves a last line cut short: skipped.
	os.WriteFile(path, []byte(good+`{"time":"2025-03-01T11:00:00Z","who":"bo`), 0o644)
	h, err := open(t, dir).ReadHistory(ctx)
	if err != nil || len(h) != 1 || h[0].Who != "alice" {
		t.Fatalf("a history with a torn last line = %+v, %v; want alice's entry", h, err)
	}

	// A bad line in the middle is not a crash: an error naming file and line.
	os.WriteFile(path, []byte(good+"garbage\n"+good), 0o644)
	_, err = open(t, dir).ReadHistory(ctx)
	if err == nil || !strings.Contains(err.Error(), path+":2") {
		t.Fatalf("a damaged line 2 must be an error naming %s:2, got %v", path, err)
	}
}

// Votes recorded here are read by the bot's feedback summary, and a bad
// line does not hide the others.
func TestFeedbackFileIsTheBots(t *testing.T) {
	dir := t.TempDir()
	st := open(t, dir)
	ctx := context.Background()
	for _, v := range []string{"up", "down", "down"} {
		if err := st.RecordFeedback(ctx, incidentbot.FeedbackRecord{Time: time.Now().UTC(), AnswerID: "a-" + v,
			Question: "Who was behind it?", Docs: []string{}, User: "u-" + v + time.Now().String(), Vote: v}); err != nil {
			t.Fatal(err)
		}
	}
	var sum bytes.Buffer
	if err := bot.FeedbackSummary(ctx, st, &sum); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sum.String(), "Votes: 3 (👍 1, 👎 2)") {
		t.Errorf("the bot's summary of the votes recorded here:\n%s", sum.String())
	}
	path := filepath.Join(dir, filestate.FeedbackFile)
	data, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(data), "\n")
	os.WriteFile(path, []byte(lines[0]+"{hand edit\n"+lines[1]+lines[2]+`{"time":"2025`), 0o644)
	got, err := st.ReadFeedback(ctx)
	if err != nil || len(got) != 3 || got[0].Vote != "up" || got[2].AnswerID != "a-down" {
		t.Fatalf("feedback with a bad middle line and a torn last one = %+v, %v; want the 3 good votes", got, err)
	}
}

func publishBytes(t *testing.T, st *filestate.State, data string) incidentbot.SnapshotInfo {
	t.Helper()
	info, err := st.Publish(context.Background(), incidentbot.SnapshotInfo{Embedder: "use-lite"}, strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func readAll(t *testing.T, st *filestate.State, version string) string {
	t.Helper()
	rc, err := st.Open(context.Background(), version)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A snapshot written before this package (no header) is served whole, so
// an existing data folder keeps its index.
func TestSnapshotFromBeforeIsServedWhole(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, filestate.SnapshotFile), []byte("incidentbot-index 1\nold vectors"), 0o644)
	st := open(t, dir)
	l, err := st.Latest(context.Background())
	if err != nil || l == nil || l.Size != 31 {
		t.Fatalf("Latest of a snapshot from before = %+v, %v", l, err)
	}
	if got := readAll(t, st, l.Version); got != "incidentbot-index 1\nold vectors" {
		t.Errorf("read %q", got)
	}
}

func TestSupersededSnapshot(t *testing.T) {
	st := open(t, t.TempDir())
	first := publishBytes(t, st, "first snapshot")
	rc, err := st.Open(context.Background(), first.Version)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	second := publishBytes(t, st, "second snapshot, longer")
	// A reader that started on the first one reads it to the end.
	if b, err := io.ReadAll(rc); err != nil || string(b) != "first snapshot" {
		t.Errorf("a reader opened before the swap read %q, %v", b, err)
	}
	if _, err := st.Open(context.Background(), first.Version); err == nil || !strings.Contains(err.Error(), "superseded") {
		t.Errorf("opening a superseded version must say so, got %v", err)
	}
	if got := readAll(t, st, second.Version); got != "second snapshot, longer" {
		t.Errorf("read %q", got)
	}
	// The payload seeks within itself (chromem sniffs and seeks back).
	rc2, _ := st.Open(context.Background(), second.Version)
	defer rc2.Close()
	io.ReadFull(rc2, make([]byte, 6))
	if _, err := rc2.(io.Seeker).Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(rc2); string(b) != "second snapshot, longer" {
		t.Errorf("after seeking to the start read %q", b)
	}
}

func TestDiscardMovesTheFileAside(t *testing.T) {
	dir := t.TempDir()
	st := open(t, dir)
	bad := publishBytes(t, st, "garbage")
	where, err := st.Discard(context.Background(), bad.Version, "not an index")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(where, filepath.Join(dir, filestate.SnapshotFile+".damaged-")) {
		t.Errorf("Discard put it at %q", where)
	}
	if b, err := os.ReadFile(where); err != nil || !strings.HasSuffix(string(b), "garbage") {
		t.Errorf("the damaged snapshot is not kept at %s: %v", where, err)
	}
	// Another process discarding the same version finds nothing to do.
	if again, err := open(t, dir).Discard(context.Background(), bad.Version, "not an index"); err != nil || again != "" {
		t.Errorf("a second Discard = %q, %v; want nothing done", again, err)
	}
}

// A publisher killed mid-write leaves a temporary file; the next Open
// removes it once nothing has written to it for an hour.
func TestAbandonedSnapshotIsCleared(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "."+filestate.SnapshotFile+"12345")
	fresh := filepath.Join(dir, "."+filestate.SnapshotFile+"67890")
	os.WriteFile(old, []byte("half"), 0o644)
	os.WriteFile(fresh, []byte("being written"), 0o644)
	hourAgo := time.Now().Add(-2 * time.Hour)
	os.Chtimes(old, hourAgo, hourAgo)
	open(t, dir)
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Error("an abandoned temporary snapshot was kept")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("a snapshot being written was removed")
	}
}

// A preview id comes from a button; it can never name a file outside the
// previews folder.
func TestPreviewIDCannotLeaveTheFolder(t *testing.T) {
	dir := t.TempDir()
	st := open(t, dir)
	outside := filepath.Join(dir, "secret.json")
	os.WriteFile(outside, []byte(`{"expires":"2999-01-01T00:00:00Z","plan":{"id":"x"}}`), 0o644)
	if p, err := st.TakePreview(context.Background(), "../secret"); p != nil || err != nil {
		t.Errorf("TakePreview(../secret) = %+v, %v", p, err)
	}
	if _, err := os.Stat(outside); err != nil {
		t.Error("TakePreview touched a file outside the previews folder")
	}
	if err := st.SavePreview(context.Background(), &incidentbot.RefreshPlan{ID: "../../etc/x"}, time.Minute); err == nil {
		t.Error("SavePreview accepted an id that is a path")
	}
}
