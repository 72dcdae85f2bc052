package corpus

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestHistoryNewestFirst(t *testing.T) {
	dir := t.TempDir()
	if h, err := ReadHistory(dir); err != nil || h != nil {
		t.Fatalf("no history yet: %v %v", h, err)
	}
	t0 := time.Date(2022, 9, 16, 10, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	entries := []HistoryEntry{
		{Time: t0, Who: "alice", Via: "cli", Added: []string{"a", "b"}, Articles: 2, Embedded: 120, Seconds: 1.5},
		{Time: t0.Add(time.Hour), Who: "3f2a9c", Via: "discord", Changed: []string{"a"}, Articles: 2, Embedded: 4, Seconds: 0.1},
		{Time: t0.Add(2 * time.Hour), Who: "alice", Via: "cli", Removed: []string{"b"}, Added: []string{"c"}, Articles: 2},
	}
	for _, e := range entries {
		if err := AppendHistory(dir, e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ReadHistory(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Removed[0] != "b" || got[1].Who != "3f2a9c" || got[2].Embedded != 120 {
		t.Fatalf("want newest first, got %+v", got)
	}
	if got[2].Time.Location() != time.UTC || !got[2].Time.Equal(t0) {
		t.Errorf("times are recorded in UTC: %v", got[2].Time)
	}
	seen, err := FirstSeen(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !seen["a"].Equal(t0) || !seen["c"].Equal(t0.Add(2*time.Hour)) || len(seen) != 3 {
		t.Errorf("first seen: %v", seen)
	}
}

func TestHistoryToleratesATornLastLineOnly(t *testing.T) {
	dir := t.TempDir()
	AppendHistory(dir, HistoryEntry{Who: "alice", Added: []string{"a"}})
	path := filepath.Join(dir, HistoryFile)
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"time":"2022-09-16T10:00:00Z","who":"bo`) // the process died here
	f.Close()
	got, err := ReadHistory(dir)
	if err != nil || len(got) != 1 {
		t.Fatalf("a torn last line is skipped: %v %v", got, err)
	}
	data, _ := os.ReadFile(path)
	os.WriteFile(path, append([]byte("not json\n"), data...), 0o644)
	if _, err := ReadHistory(dir); err == nil || !strings.Contains(err.Error(), HistoryFile+":1:") {
		t.Errorf("a damaged line in the middle is an error naming it: %v", err)
	}
}

func TestHistoryConcurrentAppends(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := AppendHistory(dir, HistoryEntry{Who: fmt.Sprint("user", i), Added: []string{strings.Repeat("x", 500)}}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, err := ReadHistory(dir)
	if err != nil || len(got) != 20 {
		t.Fatalf("%d entries, %v", len(got), err)
	}
}

func TestAppliedRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if ap, err := ReadApplied(dir); err != nil || ap != nil {
		t.Fatalf("nothing applied yet: %v %v", ap, err)
	}
	arts, err := Load(Default(), "corpus")
	if err != nil {
		t.Fatal(err)
	}
	if err := SaveApplied(dir, arts); err != nil {
		t.Fatal(err)
	}
	ap, err := ReadApplied(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ap.Articles, arts) {
		t.Error("the applied corpus does not read back as saved")
	}
	if time.Since(ap.SavedAt) > time.Minute {
		t.Errorf("saved at %v", ap.SavedAt)
	}
	path := filepath.Join(dir, AppliedFile)
	data, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(data), "Edi Rama", "Edi Roma", 1)), 0o644)
	if _, err := ReadApplied(dir); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("an edited record is caught: %v", err)
	}
}
