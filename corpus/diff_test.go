package corpus_test

import (
	"strings"
	"testing"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/retrieval"
)

func shipped(t *testing.T) []*incidentbot.Article {
	t.Helper()
	arts, err := corpus.Load(corpus.Default(), "corpus")
	if err != nil {
		t.Fatal(err)
	}
	return arts
}

func clone(a *incidentbot.Article) *incidentbot.Article {
	c := *a
	c.Tags = append([]string(nil), a.Tags...)
	return &c
}

func TestDiffSummarisesSentenceChanges(t *testing.T) {
	old := shipped(t)
	next := make([]*incidentbot.Article, 0, len(old))
	for _, a := range old {
		next = append(next, clone(a))
	}
	// 001: one sentence reworded (one out, one in) and one added.
	a := next[1]
	before := "The Albanian prime minister says the government is absolutely sure the cyberattack on Albania was an Iranian state attack."
	if !strings.Contains(a.Text, before) {
		t.Fatal("test sentence not in 001")
	}
	a.Text = strings.Replace(a.Text, before, "The Albanian prime minister says the government is certain the cyberattack was an Iranian state attack. Tehran denied it the same day.", 1)
	// 002: only a date correction. 003: only a heading changed. 004: removed.
	next[2].Date = next[2].Date.AddDate(0, 0, 1)
	next[3].Text = strings.Replace(next[3].Text, "Albania cuts off diplomatic ties with Iran. Being enemy on the cyber space\n", "Albania cuts off diplomatic ties with Iran – being enemy on the cyber space\n", 1)
	next = next[:4]
	added := &incidentbot.Article{ID: "2022-09-20-montenegro-under-cyber-attack", Title: "Montenegro under cyber attack",
		Text: "Montenegro's government servers were hit on Aug. 20, officials said. Services stayed offline for weeks.\n"}
	next = append(next, added)

	changes := corpus.Diff(old, next, retrieval.SplitSentences)
	got := map[string]corpus.Change{}
	for _, c := range changes {
		got[c.ID] = c
	}
	if len(changes) != 5 {
		t.Fatalf("want 5 changes (1 added, 3 changed, 1 removed), got %d: %+v", len(changes), changes)
	}
	c := got["001_a5fffa3effbdf9de"]
	if c.Kind != corpus.Changed || c.SentencesAdded != 2 || c.SentencesRemoved != 1 ||
		c.FirstAdded != "The Albanian prime minister says the government is certain the cyberattack was an Iranian state attack." {
		t.Errorf("reworded article: %+v", c)
	}
	if s := c.Summary(); !strings.HasPrefix(s, "+2 sentences, −1 sentence: «The Albanian prime minister says the government is certain") {
		t.Errorf("summary %q", s)
	}
	if c := got["002_013f2565afa33a21"]; c.Kind != corpus.Changed || c.Summary() != "date changed" {
		t.Errorf("date-only change: %+v %q", c, c.Summary())
	}
	if c := got["003_af503fd266cc0859"]; !c.OtherText || c.SentencesAdded+c.SentencesRemoved != 0 {
		t.Errorf("a heading is not a citable sentence: %+v", c)
	}
	if c := got["004_3c6ba5321dfd73d4"]; c.Kind != corpus.Removed || c.SentencesRemoved == 0 || !strings.HasPrefix(c.Summary(), "−") {
		t.Errorf("removed: %+v %q", c, c.Summary())
	}
	// "Aug. 20" does not end a sentence: the splitter the index uses is used.
	if c := got[added.ID]; c.Kind != corpus.Added || c.SentencesAdded != 2 || c.Summary() != "+2 sentences: «Montenegro's government servers were hit on Aug. 20, officials said.»" {
		t.Errorf("added: %+v %q", c, c.Summary())
	}
	if changes[0].ID != "001_a5fffa3effbdf9de" || changes[4].ID != added.ID {
		t.Error("changes are not sorted by article id")
	}
}

func TestDiffUnchangedAndMoved(t *testing.T) {
	old := shipped(t)
	if d := corpus.Diff(old, shipped(t), retrieval.SplitSentences); len(d) != 0 {
		t.Errorf("identical corpora differ: %+v", d)
	}
	a := clone(old[1])
	lines := strings.SplitN(a.Text, "\n", 3)
	a.Text = lines[1] + "\n" + lines[0] + "\n" + lines[2]
	d := corpus.Diff([]*incidentbot.Article{old[1]}, []*incidentbot.Article{a}, retrieval.SplitSentences)
	if len(d) != 1 || !d[0].Moved || d[0].Summary() != "sentences moved, none added or removed" {
		t.Errorf("swapped paragraphs: %+v", d)
	}
}

func TestExcerpt(t *testing.T) {
	if got := corpus.Excerpt("Albania cut diplomatic ties with Iran", 20); got != "Albania cut…" {
		t.Errorf("%q", got)
	}
	if got := corpus.Excerpt("short", 20); got != "short" {
		t.Errorf("%q", got)
	}
}
