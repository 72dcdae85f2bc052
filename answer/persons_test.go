package answer

import (
	"slices"
	"testing"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/lang"
)

// News names a person in full once and by surname after: "…, Okonkwo
// said" answers "who" in an article that has named Ada Okonkwo, and not in
// one that has not (there, a capitalised word alone may be a company or a
// town).
func TestASurnameAloneIsThePersonTheArticleNamedInFull(t *testing.T) {
	res, err := lang.Load("")
	if err != nil {
		t.Fatalf("language pack not installed (make model): %v", err)
	}
	art := &incidentbot.Article{ID: "a", Text: "The inquiry was opened by Ada Okonkwo, the commissioner. The data had been copied, Okonkwo said on Monday."}
	other := &incidentbot.Article{ID: "b", Text: "The data had been copied, Okonkwo said on Monday."}
	qa := &question{lex: res}
	sentence := "The data had been copied, Okonkwo said on Monday."
	if got := qa.persons(sentence, art); !slices.Equal(got, []string{"Okonkwo"}) {
		t.Errorf("in the article that names her in full: %q, want [Okonkwo]", got)
	}
	if got := qa.persons(sentence, other); len(got) != 0 {
		t.Errorf("in an article that never names her in full: %q, want none", got)
	}
}
