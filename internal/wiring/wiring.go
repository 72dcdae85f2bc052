// Package wiring holds the few pieces of wiring that the program
// (cmd/incidentbot) and the tests of other packages must do alike, so a
// test exercises the bot as it runs: how the index reads questions with
// the language resources and the corpus profile, and the answerer's
// options that go with them.
package wiring

import (
	"fmt"
	"sync"

	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/lang"
	"github.com/incidentbot/incidentbot/retrieval"
)

// LoadLanguage loads the English resources (WordNet, word vectors) that
// `make model` installs, from dir or where lang.Find looks.
func LoadLanguage(dir string) (*lang.Resources, error) {
	d, err := lang.Find(dir)
	if err != nil {
		return nil, err
	}
	r, err := lang.Load(d)
	if err != nil {
		return nil, fmt.Errorf("loading the language resources: %w", err)
	}
	return r, nil
}

// QueryOptions are how the index reads questions: the names the profile
// gives the incident's places and parties, the corpus's near words, and
// spelling corrected against the corpus and English.
func QueryOptions(p *corpus.Profile, res *lang.Resources) retrieval.QueryOptions {
	o := retrieval.QueryOptions{Aliases: p.Aliases()}
	if res != nil {
		o.Vectors = res
		o.Definitions = res
		o.Phrases = res
		o.Nouns = res
		o.NewSpeller = func(vocab map[string]int) retrieval.Speller { return lang.NewSpeller(res, vocab) }
	}
	return o
}

// AnswerOptions completes o with the language resources.
func AnswerOptions(o answer.Options, res *lang.Resources) answer.Options {
	if res != nil && o.Lexicon == nil {
		o.Lexicon = res
	}
	return o
}

var shared struct {
	once sync.Once
	res  *lang.Resources
	err  error
}

// Language returns the language resources, loaded once per process: for
// tests, which open many indexes.
func Language() (*lang.Resources, error) {
	shared.once.Do(func() { shared.res, shared.err = LoadLanguage("") })
	return shared.res, shared.err
}

// MustLanguage is Language for tests and benchmarks: it panics, saying to
// run `make model`, when the resources are not installed.
func MustLanguage() *lang.Resources {
	res, err := Language()
	if err != nil {
		panic(err)
	}
	return res
}

// ShippedQuery is how the program reads questions about the built-in
// corpus.
func ShippedQuery() retrieval.QueryOptions {
	return QueryOptions(corpus.DefaultProfile(), MustLanguage())
}
