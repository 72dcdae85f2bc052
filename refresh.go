package incidentbot

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// ChangeKind says what a refresh does to an article.
type ChangeKind string

const (
	Added   ChangeKind = "added"
	Changed ChangeKind = "changed"
	Removed ChangeKind = "removed"
)

// ArticleChange is what a refresh does to one article, as a maintainer
// reads it before confirming.
type ArticleChange struct {
	Kind  ChangeKind `json:"kind"`
	ID    string     `json:"id"`
	Title string     `json:"title"`
	// Fields lists the metadata that differs: title, outlet, author, date,
	// url, tags.
	Fields []string `json:"fields,omitempty"`
	// Citable sentences gained and lost. Sentences are compared as a
	// multiset, so moving one is not a change.
	SentencesAdded   int    `json:"sentences_added"`
	SentencesRemoved int    `json:"sentences_removed"`
	FirstAdded       string `json:"first_added,omitempty"`
	FirstRemoved     string `json:"first_removed,omitempty"`
	// Moved is set when the same sentences appear in another order.
	Moved bool `json:"moved,omitempty"`
	// OtherText is set when the text changed outside the citable prose
	// (whitespace, headings) and no sentence did.
	OtherText bool `json:"other_text,omitempty"`
}

// Summary is the change in a line: `+2 sentences, −1 sentence: «…»; date changed`.
func (c ArticleChange) Summary() string {
	var parts []string
	if c.SentencesAdded > 0 || c.SentencesRemoved > 0 || c.Kind != Changed {
		var counts []string
		if c.SentencesAdded > 0 || c.Kind == Added {
			counts = append(counts, "+"+plural(c.SentencesAdded, "sentence"))
		}
		if c.SentencesRemoved > 0 || c.Kind == Removed {
			counts = append(counts, "−"+plural(c.SentencesRemoved, "sentence"))
		}
		s := strings.Join(counts, ", ")
		if q := c.FirstAdded; q != "" {
			s += ": «" + Excerpt(q, 90) + "»"
		} else if q := c.FirstRemoved; q != "" {
			s += ": «" + Excerpt(q, 90) + "» gone"
		}
		parts = append(parts, s)
	}
	if c.Moved {
		parts = append(parts, "sentences moved, none added or removed")
	}
	if c.OtherText {
		parts = append(parts, "text outside the citable prose changed")
	}
	if len(c.Fields) > 0 {
		parts = append(parts, strings.Join(c.Fields, ", ")+" changed")
	}
	return strings.Join(parts, "; ")
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Excerpt shortens s to at most n characters at a word, marking the cut.
func Excerpt(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}

// RefreshPlan is what a refresh would do, computed by Refresher.Plan and
// carried out by Refresher.Apply. Nothing changes until it is applied.
type RefreshPlan struct {
	// ID names the plan; the Apply/Cancel buttons of a preview carry it.
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	// Base is the index version the corpus was compared against ("" when
	// there was none); BaseBuiltAt is when that index was built.
	Base        string          `json:"base,omitempty"`
	BaseBuiltAt time.Time       `json:"base_built_at,omitzero"`
	Changes     []ArticleChange `json:"changes"`
	// Articles and Passages are the counts once applied.
	Articles        int `json:"articles"`
	Passages        int `json:"passages"`
	PassagesAdded   int `json:"passages_added"`
	PassagesChanged int `json:"passages_changed"`
	PassagesRemoved int `json:"passages_removed"`
	// ToEmbed counts the texts (passages and sentences) that have no
	// vector yet; EstimatedSeconds is how long embedding them should take
	// (0 when unknown, e.g. for a remote embedder).
	ToEmbed          int      `json:"to_embed"`
	EstimatedSeconds float64  `json:"estimated_seconds,omitempty"`
	Warnings         []string `json:"warnings,omitempty"`
}

// Changed reports whether applying the plan would change the index.
func (p *RefreshPlan) Changed() bool {
	return len(p.Changes)+p.PassagesAdded+p.PassagesChanged+p.PassagesRemoved > 0
}

// ArticleIDs lists the ids of the changes of one kind.
func (p *RefreshPlan) ArticleIDs(kind ChangeKind) []string {
	var ids []string
	for _, c := range p.Changes {
		if c.Kind == kind {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// Actor is who asked for something: the OS user for the CLI, a hash of the
// Discord user id for the bot (never the id itself), and by which way.
type Actor struct {
	Who string `json:"who"`
	Via string `json:"via"` // "cli", "discord", "console"
}

// RefreshReport is what an applied refresh did.
type RefreshReport struct {
	Plan *RefreshPlan `json:"plan"`
	// Version is the new index's published version ("" until it is
	// saved); BuiltAt when it was built.
	Version string    `json:"version"`
	BuiltAt time.Time `json:"built_at"`
	By      Actor     `json:"by"`
	// Embedded counts the texts sent to the embedder.
	Embedded int `json:"embedded"`
	// Seconds is how long the refresh took until the new index served in
	// the process that made it.
	Seconds float64 `json:"seconds"`
	// Saved is set once the new index's snapshot is published (every
	// process sharing the state then swaps it in) and the refresh is
	// recorded in the history; SavedSeconds is how long that took from the
	// start. Until then SaveFailures counts the attempts that failed
	// (retried, the new index serving meanwhile) and SaveError is the
	// last one's error.
	Saved        bool    `json:"saved"`
	SavedSeconds float64 `json:"saved_seconds,omitempty"`
	SaveFailures int     `json:"save_failures,omitempty"`
	SaveError    string  `json:"save_error,omitempty"`
	// WaitSaved, set while the snapshot is being saved, waits until it is
	// saved (the report returned says Saved), until more than failures
	// attempts to save it have failed (SaveFailures, SaveError), or until
	// ctx ends or saving is given up (an error).
	WaitSaved func(ctx context.Context, failures int) (*RefreshReport, error) `json:"-"`
}

// Refresher brings the served index up to date with the corpus. The CLI and
// the Discord command both go through it; every process serving from the
// same state follows what it publishes.
type Refresher interface {
	Plan(ctx context.Context) (*RefreshPlan, error)
	// Apply embeds what changed, publishes the new index and records the
	// refresh in the history. It fails, changing nothing, when the index
	// has moved on since the plan was made.
	Apply(ctx context.Context, plan *RefreshPlan, by Actor) (*RefreshReport, error)
	// ApplyServing is Apply that returns as soon as the new index serves
	// in this process, before its snapshot is published and the refresh
	// recorded (the report's Saved, and WaitSaved to wait for it).
	ApplyServing(ctx context.Context, plan *RefreshPlan, by Actor) (*RefreshReport, error)
}

// HistoryEntry is one applied refresh, as the history keeps it.
type HistoryEntry struct {
	Time     time.Time `json:"time"` // UTC
	Who      string    `json:"who"`
	Via      string    `json:"via,omitempty"`
	Version  string    `json:"version,omitempty"`
	Added    []string  `json:"added"` // article ids
	Changed  []string  `json:"changed"`
	Removed  []string  `json:"removed"`
	Articles int       `json:"articles"` // in the corpus afterwards
	// Embedded counts the texts sent to the embedder: new or changed
	// passages and their sentences.
	Embedded int     `json:"embedded"`
	Seconds  float64 `json:"seconds"`
}

// History is the record of applied refreshes.
type History interface {
	AppendHistory(ctx context.Context, e HistoryEntry) error
	// ReadHistory returns the entries, oldest first.
	ReadHistory(ctx context.Context) ([]HistoryEntry, error)
}

// Previews keeps refresh plans waiting for a maintainer's click on Apply or
// Cancel, so that the click works on whichever process receives it.
type Previews interface {
	SavePreview(ctx context.Context, plan *RefreshPlan, ttl time.Duration) error
	// TakePreview returns the plan and forgets it (a preview is applied or
	// cancelled once); nil when it is unknown, used or expired.
	TakePreview(ctx context.Context, id string) (*RefreshPlan, error)
}

// FeedbackRecord is one vote on an answer.
type FeedbackRecord struct {
	Time     time.Time `json:"time"`
	AnswerID string    `json:"answer_id"`
	Question string    `json:"question"`
	Answer   string    `json:"answer"`
	Mode     string    `json:"mode,omitempty"`
	Refused  bool      `json:"refused,omitempty"`
	Docs     []string  `json:"docs"`
	// User is the SHA-256 of the voter's Discord user ID, in hex: enough to
	// count one vote per person, not enough to say who.
	User    string `json:"user"`
	Vote    string `json:"vote"` // "up" or "down"
	GuildID string `json:"guild_id,omitempty"`
}

// Feedback keeps the votes.
type Feedback interface {
	RecordFeedback(ctx context.Context, r FeedbackRecord) error
	// ReadFeedback returns every vote, oldest first.
	ReadFeedback(ctx context.Context) ([]FeedbackRecord, error)
}
