// Package statetest is the conformance suite every incidentbot.State
// adapter passes (filestate, postgres): what the serving processes, the
// refresh and the Discord buttons rely on, checked across two instances on
// one store as two processes would see it, and across a process killed
// mid-way (the test binary re-executed as a child).
package statetest

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime/metrics"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot"
)

// Backend is an adapter under test.
type Backend struct {
	// NewStore makes an empty store for one test and says where it is (a
	// folder, a database URL). It is thrown away after the test.
	NewStore func(t *testing.T) string
	// Open opens an instance on the store, as a process would. The suite
	// opens several on one store and closes them; the child processes of
	// the suite call it too.
	Open func(where string) (incidentbot.State, error)
}

// Environment of a child process: what to do and on which store.
const (
	envChild = "INCIDENTBOT_STATETEST_CHILD" // "lock" or "publish"
	envWhere = "INCIDENTBOT_STATETEST_WHERE"
)

// childReady is the line a child prints once it holds the lock, or is half
// way through a publish.
const childReady = "ready"

// ChildMain must be the first thing the adapter's TestMain does: when the
// suite re-executes the test binary as a child process, it plays its part
// on the store and never returns (the suite kills it); otherwise it returns
// at once.
func ChildMain(b Backend) {
	role := os.Getenv(envChild)
	if role == "" {
		return
	}
	st, err := b.Open(os.Getenv(envWhere))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child: opening the store:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	switch role {
	case "lock":
		if _, err := st.TryLock(ctx, childHolder); err != nil {
			fmt.Fprintln(os.Stderr, "child: taking the lock:", err)
			os.Exit(2)
		}
		fmt.Println(childReady)
	case "publish":
		// Half a snapshot, then the child stops reading until it is killed.
		r := io.MultiReader(io.LimitReader(newPayload(7), 6<<20), &announceThenBlock{})
		_, err := st.Publish(ctx, snapshotInfo("killed mid-publish"), r)
		fmt.Fprintln(os.Stderr, "child: publish returned:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "child: unknown role", role)
		os.Exit(2)
	}
	select {} // held until killed
}

var childHolder = incidentbot.Actor{Who: "child-process", Via: "cli"}

type announceThenBlock struct{}

func (*announceThenBlock) Read([]byte) (int, error) {
	fmt.Println(childReady)
	select {}
}

// startChild runs the test binary as a child playing role on the store at
// where, waits until it is ready, and returns a function that kills it with
// SIGKILL, as the kernel would end a process that crashed or was killed by
// an operator, and waits for it to be gone.
func startChild(t *testing.T, where, role string) (kill func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"="+role, envWhere+"="+where)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting the child process: %v", err)
	}
	var once sync.Once
	kill = func() {
		once.Do(func() {
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
		})
	}
	t.Cleanup(kill)
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == childReady {
				ready <- true
				io.Copy(io.Discard, out)
				return
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			kill()
			t.Fatalf("the child process (%s) ended before it was ready (does TestMain call statetest.ChildMain?): %s", role, stderr.String())
		}
	case <-time.After(30 * time.Second):
		kill()
		t.Fatalf("the child process (%s) was not ready after 30 s: %s", role, stderr.String())
	}
	return kill
}

// Run runs the suite against b.
func Run(t *testing.T, b Backend) {
	s := &suite{b: b}
	run := func(name string, f func(t *testing.T)) {
		t.Run(name, func(t *testing.T) {
			// Each test has a store of its own.
			t.Parallel()
			f(t)
		})
	}
	run("SnapshotRoundTrip", s.snapshotRoundTrip)
	run("WatchSeesAnotherInstance", s.watchSeesAnotherInstance)
	run("PublishFailingHalfwayKeepsPrevious", s.publishFailingHalfway)
	run("PublisherKilledMidwayKeepsPrevious", s.publisherKilled)
	run("DiscardedIsSkipped", s.discard)
	run("LockNamesHolder", s.lockNamesHolder)
	run("LockFreedWhenHolderDies", s.lockFreedWhenHolderDies)
	run("LockFreedOnClose", s.lockFreedOnClose)
	run("PreviewTakenOnce", s.previewTakenOnce)
	run("PreviewExpires", s.previewExpires)
	run("HistoryRoundTrip", s.history)
	run("FeedbackRoundTrip", s.feedback)
}

type suite struct{ b Backend }

// store makes an empty store and returns it with a function opening
// instances on it (each closed at the end of the test).
func (s *suite) store(t *testing.T) (where string, open func() incidentbot.State) {
	t.Helper()
	where = s.b.NewStore(t)
	return where, func() incidentbot.State {
		t.Helper()
		st, err := s.b.Open(where)
		if err != nil {
			t.Fatalf("opening the store: %v", err)
		}
		t.Cleanup(func() {
			if err := st.Close(); err != nil {
				t.Errorf("closing the store: %v", err)
			}
		})
		return st
	}
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// payloadSize is larger than two chunks of the PostgreSQL adapter and not
// a multiple of any power of two, so the last chunk is a short one.
const payloadSize = 9<<20 + 12345

// newPayload is a reproducible stream of pseudo-random bytes (so the
// stores cannot get away with compressing or truncating it unnoticed),
// generated as it is read: like a real snapshot, it is never whole in the
// test's memory.
func newPayload(seed uint64) io.Reader {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	return rand.NewChaCha8(key)
}

func payloadSum(seed uint64, n int64) [32]byte {
	h := sha256.New()
	io.Copy(h, io.LimitReader(newPayload(seed), n))
	return [32]byte(h.Sum(nil))
}

func snapshotInfo(embedder string) incidentbot.SnapshotInfo {
	return incidentbot.SnapshotInfo{
		BuiltAt:  time.Now().UTC().Truncate(time.Millisecond),
		Embedder: embedder,
		Articles: 42,
		Passages: 1234,
		By:       incidentbot.Actor{Who: "maintainer", Via: "cli"},
	}
}

func publish(t *testing.T, st incidentbot.State, seed uint64, embedder string) incidentbot.SnapshotInfo {
	t.Helper()
	return publishInfo(t, st, seed, snapshotInfo(embedder))
}

func publishInfo(t *testing.T, st incidentbot.State, seed uint64, given incidentbot.SnapshotInfo) incidentbot.SnapshotInfo {
	t.Helper()
	info, err := st.Publish(ctxFor(t), given, io.LimitReader(newPayload(seed), payloadSize))
	if err != nil {
		t.Fatalf("publishing a snapshot: %v", err)
	}
	if info.Version == "" {
		t.Fatalf("the store assigned no version: %+v", info)
	}
	return info
}

func latestVersion(t *testing.T, st incidentbot.State) string {
	t.Helper()
	l, err := st.Latest(ctxFor(t))
	if err != nil {
		t.Fatalf("Latest: %v", err)
	}
	if l == nil {
		return ""
	}
	return l.Version
}

func sameInfo(a, b incidentbot.SnapshotInfo) bool {
	return a.Version == b.Version && a.BuiltAt.Equal(b.BuiltAt) && a.Embedder == b.Embedder &&
		a.Articles == b.Articles && a.Passages == b.Passages && a.Size == b.Size && a.By == b.By
}

func (s *suite) snapshotRoundTrip(t *testing.T) {
	_, open := s.store(t)
	a, b := open(), open()
	ctx := ctxFor(t)
	if l, err := b.Latest(ctx); err != nil || l != nil {
		t.Fatalf("an empty store must have no latest snapshot and no error, got %+v, %v", l, err)
	}
	want := snapshotInfo("use-lite")
	got := publishInfo(t, a, 1, want)
	if got.Size != payloadSize || !got.BuiltAt.Equal(want.BuiltAt) || got.Embedder != want.Embedder ||
		got.Articles != want.Articles || got.Passages != want.Passages || got.By != want.By {
		t.Errorf("Publish returned %+v, want the info given (%+v) with size %d", got, want, payloadSize)
	}
	l, err := b.Latest(ctx)
	if err != nil || l == nil || !sameInfo(*l, got) {
		t.Fatalf("another instance's Latest = %+v, %v; want %+v", l, err, got)
	}
	rc, err := b.Open(ctx, got.Version)
	if err != nil {
		t.Fatalf("another instance opening %s: %v", got.Version, err)
	}
	h := sha256.New()
	n, err := io.Copy(h, rc)
	rc.Close()
	if err != nil {
		t.Fatalf("reading the snapshot back: %v", err)
	}
	if n != payloadSize || [32]byte(h.Sum(nil)) != payloadSum(1, payloadSize) {
		t.Fatalf("read back %d bytes that differ from the %d published", n, payloadSize)
	}

	second := publish(t, b, 2, "use-lite")
	if second.Version <= got.Version {
		t.Errorf("versions must sort in publish order: %q then %q", got.Version, second.Version)
	}
	if v := latestVersion(t, a); v != second.Version {
		t.Errorf("Latest after a second publish = %q, want %q", v, second.Version)
	}
	if rc, err := a.Open(ctx, "no-such-version"); err == nil {
		rc.Close()
		t.Error("opening an unknown version must fail")
	}
}

func (s *suite) watchSeesAnotherInstance(t *testing.T) {
	_, open := s.store(t)
	watcher, publisher := open(), open()
	before := publish(t, publisher, 1, "before")

	ctx, cancel := context.WithCancel(ctxFor(t))
	seen := make(chan incidentbot.SnapshotInfo, 16)
	done := make(chan error, 1)
	go func() { done <- watcher.Watch(ctx, func(i incidentbot.SnapshotInfo) { seen <- i }) }()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("Watch did not return within 10 s of its context ending")
		}
	}()
	// Give the watcher time to settle on the snapshot it starts with, so
	// that a report of it would show below.
	time.Sleep(1500 * time.Millisecond)

	next := publish(t, publisher, 2, "after")
	select {
	case i := <-seen:
		if i.Version == before.Version {
			t.Fatalf("Watch reported %s, published before it started", i.Version)
		}
		if !sameInfo(i, next) {
			t.Fatalf("Watch reported %+v, want %+v", i, next)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("Watch did not see the snapshot %s published by another instance within 5 s", next.Version)
	}
	// One report per version: a swap is not done twice.
	select {
	case i := <-seen:
		t.Errorf("Watch reported %s again", i.Version)
	case <-time.After(2500 * time.Millisecond):
	}
	third := publish(t, publisher, 3, "third")
	select {
	case i := <-seen:
		if i.Version != third.Version {
			t.Errorf("Watch reported %s, want %s", i.Version, third.Version)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("Watch did not see the next snapshot %s within 5 s", third.Version)
	}
}

var errHalfway = errors.New("the embedder failed halfway")

func (s *suite) publishFailingHalfway(t *testing.T) {
	_, open := s.store(t)
	a, b := open(), open()
	prev := publish(t, a, 1, "previous")
	r := io.MultiReader(io.LimitReader(newPayload(2), 6<<20), iotestErr{errHalfway})
	_, err := a.Publish(ctxFor(t), snapshotInfo("broken"), r)
	if !errors.Is(err, errHalfway) {
		t.Fatalf("Publish from a reader that fails must fail with the reader's error, got %v", err)
	}
	if v := latestVersion(t, b); v != prev.Version {
		t.Fatalf("after a failed publish Latest = %q, want the previous %q", v, prev.Version)
	}
	rc, err := b.Open(ctxFor(t), prev.Version)
	if err != nil {
		t.Fatalf("opening the previous snapshot after a failed publish: %v", err)
	}
	n, _ := io.Copy(io.Discard, rc)
	rc.Close()
	if n != payloadSize {
		t.Errorf("the previous snapshot reads %d bytes, want %d", n, payloadSize)
	}
}

type iotestErr struct{ err error }

func (e iotestErr) Read([]byte) (int, error) { return 0, e.err }

func (s *suite) publisherKilled(t *testing.T) {
	where, open := s.store(t)
	a := open()
	prev := publish(t, a, 1, "previous")
	kill := startChild(t, where, "publish")
	kill()
	if v := latestVersion(t, a); v != prev.Version {
		t.Fatalf("after a publisher was killed mid-publish Latest = %q, want the previous %q", v, prev.Version)
	}
	b := open()
	if v := latestVersion(t, b); v != prev.Version {
		t.Fatalf("a new instance after the kill: Latest = %q, want the previous %q", v, prev.Version)
	}
	// Nothing the dead publisher held blocks the next one.
	next := publish(t, b, 3, "next")
	if v := latestVersion(t, a); v != next.Version {
		t.Fatalf("publishing after the kill: Latest = %q, want %q", v, next.Version)
	}
}

func (s *suite) discard(t *testing.T) {
	_, open := s.store(t)
	a, b := open(), open()
	good := publish(t, a, 1, "good")
	bad := publish(t, a, 2, "bad")
	where, err := b.Discard(ctxFor(t), bad.Version, "vectors: unexpected EOF")
	if err != nil {
		t.Fatalf("Discard: %v", err)
	}
	if where == "" {
		t.Error("Discard must say where the damaged snapshot is kept")
	}
	for _, st := range []incidentbot.State{a, b} {
		v := latestVersion(t, st)
		if v == bad.Version {
			t.Fatalf("Latest still returns the discarded %s", bad.Version)
		}
		if v != "" && v != good.Version {
			t.Fatalf("after Discard Latest = %q, want none or the earlier %q", v, good.Version)
		}
	}
	next := publish(t, b, 3, "next")
	if v := latestVersion(t, a); v != next.Version {
		t.Fatalf("publishing after a Discard: Latest = %q, want %q", v, next.Version)
	}
}

func (s *suite) lockNamesHolder(t *testing.T) {
	_, open := s.store(t)
	a, b := open(), open()
	ctx := ctxFor(t)
	alice := incidentbot.Actor{Who: "alice", Via: "cli"}
	before := time.Now()
	unlock, err := a.TryLock(ctx, alice)
	if err != nil {
		t.Fatalf("TryLock on a free lock: %v", err)
	}
	after := time.Now()
	_, err = b.TryLock(ctx, incidentbot.Actor{Who: "bob", Via: "discord"})
	var le *incidentbot.LockedError
	if !errors.As(err, &le) {
		t.Fatalf("TryLock while another instance holds it = %v, want a *LockedError", err)
	}
	if le.Holder != alice {
		t.Errorf("refused TryLock names %+v, want %+v", le.Holder, alice)
	}
	// The stores may keep time to the microsecond, and the database's
	// clock is a second's hair away from ours.
	if le.Since.Before(before.Add(-time.Second)) || le.Since.After(after.Add(time.Second)) {
		t.Errorf("holder since %v, want between %v and %v", le.Since, before, after)
	}
	if !strings.Contains(err.Error(), "alice") {
		t.Errorf("the refusal %q does not say who holds the lock", err)
	}
	// Taking it again in the same instance is refused too: one refresh at a time.
	if _, err := a.TryLock(ctx, alice); !errors.As(err, &le) {
		t.Errorf("a second TryLock in the holding instance = %v, want a *LockedError", err)
	}
	unlock()
	unlock() // twice is harmless
	unlockB, err := b.TryLock(ctx, incidentbot.Actor{Who: "bob", Via: "discord"})
	if err != nil {
		t.Fatalf("TryLock after unlock: %v", err)
	}
	_, err = a.TryLock(ctx, alice)
	if !errors.As(err, &le) || le.Holder.Who != "bob" {
		t.Errorf("TryLock while bob holds it = %v, want a *LockedError naming bob", err)
	}
	unlockB()
}

// waitLockFree tries the lock until it is free, for up to 5 s.
func waitLockFree(t *testing.T, st incidentbot.State, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		unlock, err := st.TryLock(ctxFor(t), incidentbot.Actor{Who: "next", Via: "cli"})
		if err == nil {
			unlock()
			return
		}
		var le *incidentbot.LockedError
		if !errors.As(err, &le) {
			t.Fatalf("TryLock: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the lock is still held 5 s after %s: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *suite) lockFreedWhenHolderDies(t *testing.T) {
	where, open := s.store(t)
	a := open()
	kill := startChild(t, where, "lock")
	_, err := a.TryLock(ctxFor(t), incidentbot.Actor{Who: "parent", Via: "cli"})
	var le *incidentbot.LockedError
	if !errors.As(err, &le) || le.Holder != childHolder {
		t.Fatalf("TryLock while a child process holds the lock = %v, want a *LockedError naming %+v", err, childHolder)
	}
	kill()
	waitLockFree(t, a, "its holder was killed")
}

func (s *suite) lockFreedOnClose(t *testing.T) {
	where, open := s.store(t)
	a := open()
	holder, err := s.b.Open(where)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := holder.TryLock(ctxFor(t), incidentbot.Actor{Who: "closing", Via: "cli"}); err != nil {
		t.Fatal(err)
	}
	if err := holder.Close(); err != nil {
		t.Fatalf("Close while holding the lock: %v", err)
	}
	waitLockFree(t, a, "its holder's store was closed")
}

func testPlan(id string) *incidentbot.RefreshPlan {
	return &incidentbot.RefreshPlan{
		ID:      id,
		Created: time.Now().UTC().Truncate(time.Millisecond),
		Base:    "v1",
		Changes: []incidentbot.ArticleChange{
			{Kind: incidentbot.Added, ID: "new-article", Title: "New", SentencesAdded: 3, FirstAdded: "A sentence."},
			{Kind: incidentbot.Changed, ID: "old-article", Title: "Old", Fields: []string{"date"}, SentencesRemoved: 1},
		},
		Articles: 10, Passages: 80, PassagesAdded: 4, ToEmbed: 12, EstimatedSeconds: 1.5,
		Warnings: []string{"one article has no date"},
	}
}

func (s *suite) previewTakenOnce(t *testing.T) {
	_, open := s.store(t)
	a, b, c := open(), open(), open()
	ctx := ctxFor(t)
	if p, err := b.TakePreview(ctx, "unknown-plan"); err != nil || p != nil {
		t.Fatalf("TakePreview of an unknown id = %+v, %v; want nil, nil", p, err)
	}
	for round := range 5 {
		want := testPlan(fmt.Sprintf("plan-%d", round))
		if err := a.SavePreview(ctx, want, time.Minute); err != nil {
			t.Fatalf("SavePreview: %v", err)
		}
		// Two clicks reaching two processes at once, several times over.
		var mu sync.Mutex
		var got []*incidentbot.RefreshPlan
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 8 {
			st := []incidentbot.State{b, c}[i%2]
			wg.Go(func() {
				<-start
				p, err := st.TakePreview(ctx, want.ID)
				if err != nil {
					t.Errorf("TakePreview: %v", err)
				}
				if p != nil {
					mu.Lock()
					got = append(got, p)
					mu.Unlock()
				}
			})
		}
		close(start)
		wg.Wait()
		if len(got) != 1 {
			t.Fatalf("a preview raced by 8 clicks on two instances was taken %d times, want once", len(got))
		}
		if !samePlan(got[0], want) {
			t.Fatalf("TakePreview returned %+v, want %+v", got[0], want)
		}
		if p, err := a.TakePreview(ctx, want.ID); err != nil || p != nil {
			t.Fatalf("a preview taken once must be gone, got %+v, %v", p, err)
		}
	}
}

func samePlan(a, b *incidentbot.RefreshPlan) bool {
	ac, bc := *a, *b
	if !ac.Created.Equal(bc.Created) || !ac.BaseBuiltAt.Equal(bc.BaseBuiltAt) {
		return false
	}
	ac.Created, bc.Created, ac.BaseBuiltAt, bc.BaseBuiltAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	return fmt.Sprintf("%+v", ac) == fmt.Sprintf("%+v", bc)
}

func (s *suite) previewExpires(t *testing.T) {
	_, open := s.store(t)
	a, b := open(), open()
	ctx := ctxFor(t)
	if err := a.SavePreview(ctx, testPlan("short"), 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := a.SavePreview(ctx, testPlan("long"), time.Hour); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if p, err := b.TakePreview(ctx, "short"); err != nil || p != nil {
		t.Fatalf("an expired preview must give nil, got %+v, %v", p, err)
	}
	// Saving another preview must not sweep away ones still valid.
	if err := a.SavePreview(ctx, testPlan("other"), time.Hour); err != nil {
		t.Fatal(err)
	}
	if p, err := b.TakePreview(ctx, "long"); err != nil || p == nil || p.ID != "long" {
		t.Fatalf("a preview within its time = %+v, %v; want it", p, err)
	}
	if err := a.SavePreview(ctx, testPlan(""), time.Hour); err == nil {
		t.Error("a preview without an id must be refused")
	}
}

func (s *suite) history(t *testing.T) {
	_, open := s.store(t)
	a, b := open(), open()
	ctx := ctxFor(t)
	if h, err := b.ReadHistory(ctx); err != nil || len(h) != 0 {
		t.Fatalf("an empty store's history = %+v, %v; want none", h, err)
	}
	t0 := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	want := []incidentbot.HistoryEntry{
		{Time: t0, Who: "alice", Via: "cli", Version: "v1", Added: []string{"a", "b"}, Changed: []string{}, Removed: []string{},
			Articles: 2, Embedded: 40, Seconds: 3.5},
		{Time: t0.Add(time.Minute), Who: "bob-hash", Via: "discord", Version: "v2", Added: []string{}, Changed: []string{"a"},
			Removed: []string{"b"}, Articles: 1, Embedded: 5, Seconds: 0.25},
		{Who: "carol", Via: "cli", Version: "v3", Added: []string{"c"}, Articles: 2, Embedded: 7}, // Time zero: now
	}
	before := time.Now()
	for i, e := range want {
		if err := []incidentbot.State{a, b}[i%2].AppendHistory(ctx, e); err != nil {
			t.Fatalf("AppendHistory: %v", err)
		}
	}
	got, err := a.ReadHistory(ctx)
	if err != nil {
		t.Fatalf("ReadHistory: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("ReadHistory returned %d entries, want %d: %+v", len(got), len(want), got)
	}
	if got[2].Time.Before(before.Add(-time.Second)) || got[2].Time.After(time.Now().Add(time.Second)) {
		t.Errorf("an entry recorded without a time must get the time it was recorded, got %v", got[2].Time)
	}
	want[2].Time = got[2].Time
	for i := range want {
		g, w := got[i], want[i]
		if !g.Time.Equal(w.Time) || g.Who != w.Who || g.Via != w.Via || g.Version != w.Version ||
			!slices.Equal(g.Added, w.Added) || !slices.Equal(g.Changed, w.Changed) || !slices.Equal(g.Removed, w.Removed) ||
			g.Articles != w.Articles || g.Embedded != w.Embedded || g.Seconds != w.Seconds {
			t.Errorf("history entry %d (oldest first) = %+v, want %+v", i, g, w)
		}
	}
}

func (s *suite) feedback(t *testing.T) {
	_, open := s.store(t)
	a, b := open(), open()
	ctx := ctxFor(t)
	if f, err := b.ReadFeedback(ctx); err != nil || len(f) != 0 {
		t.Fatalf("an empty store's feedback = %+v, %v; want none", f, err)
	}
	t0 := time.Now().UTC().Truncate(time.Millisecond)
	want := []incidentbot.FeedbackRecord{
		{Time: t0, AnswerID: "ans1", Question: "Who attacked Albania?", Answer: "Iran [1].", Mode: "extractive",
			Docs: []string{"albania-2022"}, User: strings.Repeat("ab", 32), Vote: "up", GuildID: "g1"},
		{Time: t0.Add(time.Second), AnswerID: "ans2", Question: "What?", Answer: "No answer.", Refused: true,
			Docs: []string{}, User: strings.Repeat("cd", 32), Vote: "down"},
		{Time: t0.Add(2 * time.Second), AnswerID: "ans1", Question: "Who attacked Albania?", Answer: "Iran [1].",
			Docs: []string{"albania-2022", "iran"}, User: strings.Repeat("cd", 32), Vote: "down", GuildID: "g2"},
	}
	for i, r := range want {
		if err := []incidentbot.State{a, b}[i%2].RecordFeedback(ctx, r); err != nil {
			t.Fatalf("RecordFeedback: %v", err)
		}
	}
	got, err := b.ReadFeedback(ctx)
	if err != nil {
		t.Fatalf("ReadFeedback: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("ReadFeedback returned %d records, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.Time.Equal(w.Time) || g.AnswerID != w.AnswerID || g.Question != w.Question || g.Answer != w.Answer ||
			g.Mode != w.Mode || g.Refused != w.Refused || !slices.Equal(g.Docs, w.Docs) || g.User != w.User ||
			g.Vote != w.Vote || g.GuildID != w.GuildID {
			t.Errorf("feedback record %d (oldest first) = %+v, want %+v", i, g, w)
		}
	}
}

// BenchmarkPublishOpen publishes and reads back a 64 MiB snapshot per
// iteration on st, and reports the largest live heap seen meanwhile
// (peak-heap-MiB): far below 64 MiB when neither way holds the snapshot
// whole in memory.
func BenchmarkPublishOpen(b *testing.B, st incidentbot.State) {
	const size = 64 << 20
	ctx := context.Background()
	b.SetBytes(size)
	b.ReportAllocs()
	stop := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var max uint64
		for {
			metrics.Read(sample)
			max = maxOf(max, sample[0].Value.Uint64())
			select {
			case <-stop:
				peak <- max
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	defer func() {
		close(stop)
		b.ReportMetric(float64(<-peak)/(1<<20), "peak-heap-MiB")
	}()
	for i := 0; b.Loop(); i++ {
		info, err := st.Publish(ctx, snapshotInfo("bench"), io.LimitReader(newPayload(uint64(i)), size))
		if err != nil {
			b.Fatal(err)
		}
		rc, err := st.Open(ctx, info.Version)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil || n != size {
			b.Fatalf("read back %d bytes, %v", n, err)
		}
	}
}

func maxOf(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}
