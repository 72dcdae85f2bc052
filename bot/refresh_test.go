package bot_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/incidentbot/incidentbot/bot"
	"github.com/incidentbot/incidentbot/internal/wiring"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/bot/discordtest"
	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/eval"
	"github.com/incidentbot/incidentbot/filestate"
	"github.com/incidentbot/incidentbot/internal/snapshottest"
	"github.com/incidentbot/incidentbot/retrieval"
)

// answerableQuestions returns n distinct questions from the evaluation set.
func answerableQuestions(tb testing.TB, n int) []string {
	tb.Helper()
	qs, err := eval.Default()
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, q := range qs {
		if !q.Unanswerable && len(out) < n {
			out = append(out, q.Question)
		}
	}
	if len(out) < n {
		tb.Fatalf("only %d questions", len(out))
	}
	return out
}

func TestRefreshWhileAnsweringLosesNothing(t *testing.T) {
	t.Parallel()
	dir := corpusCopy(t)
	store := privateStore(t, dir)
	// Answers are computed on the index of the moment, then held until the
	// refresh has been reported: those in flight straddle the swap.
	ans := &hooked{real: answer.New(store, wiring.AnswerOptions(answer.Options{}, wiring.MustLanguage()))}
	gate := make(chan struct{})
	ans.ask = func(ctx context.Context, req answer.Request) (*incidentbot.Answer, error) {
		a, err := ans.real.Ask(ctx, req)
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return a, err
	}
	h := start(t, setup{library: store, answerer: ans, corpusDir: dir, cfg: func(c *bot.Config) {
		c.MaintainerUsers = []string{maintainerUser}
		c.MaxConcurrent = 4
	}})

	questions := answerableQuestions(t, 20)
	var ids []string
	for _, q := range questions {
		ids = append(ids, h.ask(q).ID)
	}
	err := h.srv.Wait(ctxT(t, 30*time.Second), func() bool { return len(ans.requests()) >= 4 })
	if err != nil {
		t.Fatal("the first answers never started")
	}

	writeArticle(t, dir, "900_drill", "Blackout drill at the Tirana data centre", "2022-10-03",
		"On October 3, 2022, Albania's National Agency for Information Society ran a blackout drill codenamed Operation Quartz Heron at the Tirana data centre.\n\n"+
			"The drill tested whether e-Albania could be restored from offline backups within six hours.")
	// /refresh shows what would change and waits for the maintainer.
	ref := h.send(discordtest.SlashCommand("refresh").ByMember(maintainer))
	preview := h.replied(ref.ID, "**Refresh preview**")
	if !strings.Contains(preview.Original.Content, "added **Blackout drill at the Tirana data centre**") ||
		!strings.Contains(preview.Original.Content, "Texts to embed:") || !preview.Original.Ephemeral() {
		t.Errorf("preview should list the new article, privately:\n%s", preview.Original.Content)
	}
	if store.Index().Article("900_drill") != nil {
		t.Fatal("a preview must not change the index")
	}
	// A member who is not a maintainer cannot apply it.
	apply := buttonID(t, preview.Original, "refresh:apply:")
	sneaky := h.send(discordtest.ButtonClick(apply).OnMessage(preview.Original))
	h.replied(sneaky.ID, "is for the bot's maintainers")
	click := h.send(discordtest.ButtonClick(apply).OnMessage(preview.Original).ByMember(maintainer))
	rep := h.replied(click.ID, "**Index refreshed**")
	for _, want := range []string{"Articles added: 1 (900_drill)", "Articles changed: 0", "Articles removed: 0", "Now serving 6 articles"} {
		if !strings.Contains(rep.Original.Content, want) {
			t.Errorf("report lacks %q:\n%s", want, rep.Original.Content)
		}
	}
	if strings.Contains(rep.Original.Content, "Texts embedded: 0") {
		t.Errorf("nothing embedded:\n%s", rep.Original.Content)
	}
	close(gate)

	for i, id := range ids {
		rec := h.answered(id)
		if !strings.Contains(rec.Original.Content, "**Q:** "+questions[i]) || len(rec.Errors) > 0 {
			t.Errorf("question %d: errors %v, answer:\n%s", i, rec.Errors, rec.Original.Content)
		}
	}
	rec := h.answered(h.ask("What was Operation Quartz Heron?").ID)
	if !strings.Contains(rec.Original.Content, "Quartz Heron") || !strings.Contains(rec.Original.Content, "Blackout drill at the Tirana data centre") {
		t.Errorf("the new article is not used:\n%s", rec.Original.Content)
	}
	checkSafeWrites(t, h.srv)

	// The applied refresh is in the history, by a hashed user id.
	hist, err := stateIn(t, h.data).ReadHistory(context.Background())
	if err != nil || len(hist) != 1 || len(hist[0].Added) != 1 || hist[0].Added[0] != "900_drill" || hist[0].Via != "discord" || hist[0].Who == maintainerUser {
		t.Errorf("history: %+v %v", hist, err)
	}
	// The preview's buttons work once.
	again := h.send(discordtest.ButtonClick(apply).OnMessage(preview.Original).ByMember(maintainer))
	h.replied(again.ID, "expired or was already used")
}

func TestRefreshCancelAndNothingToDo(t *testing.T) {
	t.Parallel()
	dir := corpusCopy(t)
	store := privateStore(t, dir)
	h := start(t, setup{library: store, answerer: answer.New(store, wiring.AnswerOptions(answer.Options{}, wiring.MustLanguage())), corpusDir: dir, cfg: func(c *bot.Config) {
		c.MaintainerUsers = []string{maintainerUser}
	}})
	ref := h.send(discordtest.SlashCommand("refresh").ByMember(maintainer))
	h.replied(ref.ID, "Nothing to refresh")

	path := filepath.Join(dir, "004_3c6ba5321dfd73d4.md")
	data, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(data), "24 hours to leave the country.", "one day to leave the country.", 1)), 0o644)
	ref = h.send(discordtest.SlashCommand("refresh").ByMember(maintainer))
	preview := h.replied(ref.ID, "**Refresh preview**")
	if !strings.Contains(preview.Original.Content, "changed **Albania cuts diplomatic ties") {
		t.Errorf("preview should show the changed article:\n%s", preview.Original.Content)
	}
	click := h.send(discordtest.ButtonClick(buttonID(t, preview.Original, "refresh:cancel:")).OnMessage(preview.Original).ByMember(maintainer))
	h.replied(click.ID, "Refresh cancelled")
	if strings.Contains(store.Index().Article("004_3c6ba5321dfd73d4").Text, "one day to leave") {
		t.Error("a cancelled refresh changed the index")
	}
}

func TestRefreshFailureIsReportedAndOldIndexServes(t *testing.T) {
	t.Parallel()
	dir := corpusCopy(t)
	store := privateStore(t, dir)
	h := start(t, setup{library: store, answerer: answer.New(store, wiring.AnswerOptions(answer.Options{}, wiring.MustLanguage())), cfg: func(c *bot.Config) {
		c.MaintainerUsers = []string{maintainerUser}
	}})
	// An article that does not parse makes the refresh fail.
	writeBroken(t, dir)
	ref := h.send(discordtest.SlashCommand("refresh").ByMember(maintainer))
	rec := h.replied(ref.ID, "**Refresh failed:**")
	if !strings.Contains(rec.Original.Content, "The previous index is still serving") || !rec.Original.Ephemeral() {
		t.Errorf("failure report:\n%s", rec.Original.Content)
	}
	h.answered(h.ask("When did Albania cut diplomatic ties with Iran?").ID)
}

func writeBroken(tb testing.TB, dir string) {
	tb.Helper()
	if err := os.WriteFile(filepath.Join(dir, "999_broken.md"), []byte("---\ntitle: \"Broken\"\ndate: \"last Tuesday\"\n---\nBody.\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// gatedStore is privateStore with its snapshots going through a gate.
func gatedStore(tb testing.TB, corpusDir string) (*retrieval.Store, *snapshottest.Gate) {
	tb.Helper()
	sharedIndex(tb)
	data := tb.TempDir()
	if err := os.CopyFS(data, os.DirFS(shared.dataDir)); err != nil {
		tb.Fatal(err)
	}
	fs, err := filestate.Open(data, filestate.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { fs.Close() })
	gate := snapshottest.New(fs)
	st, _, err := retrieval.Open(context.Background(), retrieval.StoreOptions{Query: wiring.ShippedQuery(),
		Snapshots: gate, Embedder: shared.model,
		Load: func() ([]*incidentbot.Article, error) { return corpus.LoadDir(corpusDir) },
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st, gate
}

// /refresh tells the maintainer as soon as the new index serves, answers
// from it while its snapshot is still being saved, and says so in the same
// message once it is saved.
func TestRefreshServesBeforeItsSnapshotIsSaved(t *testing.T) {
	t.Parallel()
	dir := corpusCopy(t)
	store, gate := gatedStore(t, dir)
	h := start(t, setup{library: store, answerer: answer.New(store, wiring.AnswerOptions(answer.Options{}, wiring.MustLanguage())), corpusDir: dir, cfg: func(c *bot.Config) {
		c.MaintainerUsers = []string{maintainerUser}
	}})
	writeArticle(t, dir, "900_drill", "Blackout drill at the city data centre", "2022-10-03",
		"On October 3, 2022, the national agency for information society ran a blackout drill codenamed Operation Quartz Heron at the city data centre.")
	ref := h.send(discordtest.SlashCommand("refresh").ByMember(maintainer))
	preview := h.replied(ref.ID, "**Refresh preview**")
	before := store.Index().Version()

	gate.Hold()
	click := h.send(discordtest.ButtonClick(buttonID(t, preview.Original, "refresh:apply:")).OnMessage(preview.Original).ByMember(maintainer))
	serving := h.replied(click.ID, "**Serving the refreshed index here**")
	for _, want := range []string{"saving it in the background", "Articles added: 1 (900_drill)", "Now serving 6 articles", "here (not saved yet)"} {
		if !strings.Contains(serving.Original.Content, want) {
			t.Errorf("the report before the snapshot is saved lacks %q:\n%s", want, serving.Original.Content)
		}
	}
	rec := h.answered(h.ask("What was Operation Quartz Heron?").ID)
	if !strings.Contains(rec.Original.Content, "Quartz Heron") {
		t.Errorf("the new article is not answered before its snapshot is saved:\n%s", rec.Original.Content)
	}
	if latest, _ := gate.Latest(context.Background()); latest.Version != before {
		t.Fatal("published before the gate opened")
	}

	gate.Release()
	saved := h.replied(click.ID, "**Index refreshed**")
	if v := store.Index().Version(); v == before || !strings.Contains(saved.Original.Content, "(index "+v+")") {
		t.Errorf("the report once saved does not name the version saved (%s):\n%s", v, saved.Original.Content)
	}
	hist, err := stateIn(t, h.data).ReadHistory(context.Background())
	if err != nil || len(hist) != 1 || hist[0].Version != store.Index().Version() {
		t.Errorf("history: %+v %v", hist, err)
	}
}
