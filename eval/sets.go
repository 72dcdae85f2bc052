package eval

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
)

// The question sets, built into the program so `incidentbot eval` runs
// from anywhere.
//
//go:embed train/*.yaml test/*.yaml test/othercorpus test/othercorpus2 test/othercorpus3 test/othercorpus4 test/othercorpus5 test/othercorpus6 test/othercorpus7 test/othercorpus8 test/othercorpus9
var files embed.FS

// Role says what a set may be used for. Training sets may be tuned and
// fitted on freely; test sets were written blind and are only run to
// report: a set whose misses were read and then fixed in code is training.
type Role string

const (
	Train Role = "train"
	Test  Role = "test"
)

// Set is one question set, with the corpus its questions are about.
type Set struct {
	Name  string
	Role  Role
	About string
	file  string // path in files
	// corpus is the folder in files holding the set's own corpus
	// (articles/*.md, profile.yaml); "" for the shipped corpus.
	corpus string
}

// Sets lists every built-in set, training sets first.
func Sets() []Set {
	return []Set{
		{Name: "questions", Role: Train, file: "train/questions.yaml",
			About: "the main set: the weights, thresholds and the reader were fitted on it"},
		{Name: "heldout", Role: Train, file: "train/heldout.yaml",
			About: "written after the first retrieval tuning; tuned on since"},
		{Name: "heldout2", Role: Train, file: "train/heldout2.yaml",
			About: "written blind; its misses were read and fixed, so training now"},
		{Name: "heldout3", Role: Train, file: "train/heldout3.yaml",
			About: "written blind, casual and misspelt; its misses were read and fixed, so training now"},
		{Name: "pairs", Role: Train, file: "train/pairs.yaml",
			About: "written for training: 35 answerable questions, each paired with a near miss built from the same words"},
		{Name: "casual", Role: Train, file: "train/casual.yaml",
			About: "written for training: Discord-style answerable questions (casual, paraphrased, two-part) and near misses"},
		{Name: "whyhow", Role: Train, file: "train/whyhow.yaml",
			About: "written for training: why/how/who questions, overviews, follow-ups, and near misses"},
		{Name: "discord-train", Role: Train, file: "train/discord-train.yaml",
			About: "written for training: 70 Discord-style answerable questions (casual, two-part, follow-ups, paraphrases) and 40 near misses built from the same facts"},
		{Name: "coverage", Role: Train, file: "train/coverage.yaml",
			About: "written for training: 90 questions over the articles' paragraphs (plain, casual, paraphrased, two-part, follow-ups) and 45 near misses"},
		{Name: "threads", Role: Train, file: "train/threads.yaml",
			About: "written for training: 45 follow-ups in threads and 35 questions of several parts, Discord style, and 25 near misses of both kinds"},
		{Name: "otherlang", Role: Train, file: "train/otherlang.yaml",
			About: "written for training: 48 questions in nine other languages, answered offline by the English-only reply and the sources their names and figures point to"},
		{Name: "otherlang2", Role: Train, file: "train/otherlang2.yaml",
			About: "written for training: 60 questions in fourteen other languages typed as in chat (short, lower case, no accents, abbreviations), for the language model"},
		{Name: "mixed", Role: Train, file: "train/mixed.yaml",
			About: "written for training: 40 broad overview asks, 40 casual, 40 paraphrases, 30 of several parts or follow-ups, and 60 near misses"},
		{Name: "offtopic", Role: Train, file: "train/offtopic.yaml",
			About: "written for training: 40 questions about other subjects, chit-chat and instructions to the bot, all to refuse"},
		{Name: "discord-a", Role: Test, file: "test/discord-a.yaml",
			About: "written blind in Discord style (casual, misspelt, paraphrased, multi-part, follow-ups, other languages); only run to report"},
		{Name: "discord-b", Role: Test, file: "test/discord-b.yaml",
			About: "a second blind Discord-style set by another writer; only run to report"},
		{Name: "discord-c", Role: Test, file: "test/discord-c.yaml",
			About: "a third blind Discord-style set, written before the gloss and multi-part work; only run to report"},
		{Name: "other-corpus", Role: Test, file: "test/othercorpus/questions.yaml", corpus: "test/othercorpus",
			About: "a blind corpus about a different incident with its own blind questions; only run to report"},
		{Name: "other-corpus-2", Role: Test, file: "test/othercorpus2/questions.yaml", corpus: "test/othercorpus2",
			About: "a second blind corpus (a cyberattack on a port), written before the gloss and multi-part work; only run to report"},
		{Name: "discord-d", Role: Test, file: "test/discord-d.yaml",
			About: "a fourth blind Discord-style set, written before the answer-redundancy work; only run to report"},
		{Name: "other-corpus-3", Role: Test, file: "test/othercorpus3/questions.yaml", corpus: "test/othercorpus3",
			About: "a third blind corpus (an intrusion into a water utility's controls), written before the answer-redundancy work; only run to report"},
		{Name: "discord-e", Role: Test, file: "test/discord-e.yaml",
			About: "a fifth blind Discord-style set, written before the 2026-12-02 (second) session's work; only run to report"},
		{Name: "other-corpus-4", Role: Test, file: "test/othercorpus4/questions.yaml", corpus: "test/othercorpus4",
			About: "a fourth blind corpus (a ransomware attack on a regional airport), written before the same session's work; only run to report"},
		{Name: "discord-f", Role: Test, file: "test/discord-f.yaml",
			About: "a sixth blind Discord-style set, written before the 2026-12-02 (third) session's work; only run to report"},
		{Name: "other-corpus-5", Role: Test, file: "test/othercorpus5/questions.yaml", corpus: "test/othercorpus5",
			About: "a fifth blind corpus (a wiper attack on a land registry and city councils), written before the same session's work; only run to report"},
		{Name: "discord-g", Role: Test, file: "test/discord-g.yaml",
			About: "a seventh blind Discord-style set, written before the 2026-12-03 session's tuning; only run to report"},
		{Name: "other-corpus-6", Role: Test, file: "test/othercorpus6/questions.yaml", corpus: "test/othercorpus6",
			About: "a sixth blind corpus (a ransomware attack on a national railway), written before the same session's tuning; only run to report"},
		{Name: "discord-h", Role: Test, file: "test/discord-h.yaml",
			About: "an eighth blind Discord-style set, commissioned at the start of the second 2026-12-03 session; first run on that session's final code; only run to report"},
		{Name: "other-corpus-7", Role: Test, file: "test/othercorpus7/questions.yaml", corpus: "test/othercorpus7",
			About: "a seventh blind corpus (an attack on a national election commission during an election), written before the 2026-12-03 (second) session's tuning; only run to report"},
		{Name: "discord-i", Role: Test, file: "test/discord-i.yaml",
			About: "a ninth blind Discord-style set (200 + 60), commissioned at the start of the third 2026-12-03 session and first run before its changes; only run to report"},
		{Name: "other-corpus-8", Role: Test, file: "test/othercorpus8/questions.yaml", corpus: "test/othercorpus8",
			About: "an eighth blind corpus (ransomware that stopped a national postal service's international parcels), written at the start of the third 2026-12-03 session and first run before its changes; only run to report"},
		{Name: "discord-j", Role: Test, file: "test/discord-j.yaml",
			About: "a tenth blind Discord-style set (200 + 60), commissioned at the start of the 2026-12-04 session and first run before its changes; only run to report"},
		{Name: "other-corpus-9", Role: Test, file: "test/othercorpus9/questions.yaml", corpus: "test/othercorpus9",
			About: "a ninth blind corpus (a wiper attack on a national telecom operator), written at the start of the 2026-12-04 session and first run before its changes; only run to report"},
	}
}

// FindSet returns the set with the given name.
func FindSet(name string) (Set, error) {
	for _, s := range Sets() {
		if s.Name == name {
			return s, nil
		}
	}
	var names []string
	for _, s := range Sets() {
		names = append(names, s.Name)
	}
	return Set{}, fmt.Errorf("no question set %q (the sets are %v)", name, names)
}

// Questions loads the set's questions.
func (s Set) Questions() ([]Question, error) {
	data, err := files.ReadFile(s.file)
	if err != nil {
		return nil, fmt.Errorf("question set %s: %w", s.Name, err)
	}
	return Parse(path.Join("eval", s.file), data)
}

// Corpus returns the set's own corpus folder (articles/*.md and
// profile.yaml), or nil when its questions are about the shipped corpus.
func (s Set) Corpus() fs.FS {
	if s.corpus == "" {
		return nil
	}
	sub, err := fs.Sub(files, s.corpus)
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	return sub
}

// CorpusName names the set's corpus in messages.
func (s Set) CorpusName() string { return path.Join("eval", s.corpus) }

// TrainingSet is a training set's English questions.
type TrainingSet struct {
	Name      string
	Questions []Question
	// OtherLanguage holds the set's questions in other languages, which
	// the reader is not fitted on; the language detector is.
	OtherLanguage []Question
}

// Training returns the English questions of every training set about the
// shipped corpus, set by set, leaving out a set with none: what the reader
// and the retrieval weights are fitted on. Questions in other languages
// take another path (the reader reads English).
func Training() ([]TrainingSet, error) {
	var out []TrainingSet
	for _, s := range Sets() {
		if s.Role != Train || s.Corpus() != nil {
			continue
		}
		qs, err := s.Questions()
		if err != nil {
			return nil, err
		}
		ts := TrainingSet{Name: s.Name}
		for _, q := range qs {
			if q.Style != "other-language" {
				ts.Questions = append(ts.Questions, q)
			} else {
				ts.OtherLanguage = append(ts.OtherLanguage, q)
			}
		}
		if len(ts.Questions)+len(ts.OtherLanguage) > 0 {
			out = append(out, ts)
		}
	}
	return out, nil
}
