package retrieval

import (
	"slices"
	"testing"

	"github.com/incidentbot/incidentbot"
)

// A question's words come in the order it says them, multi-word names
// included: what it asks for is read from that order ("who runs Port
// Authority of Eastmouth" asks about the one who runs it), and the same
// question is always read the same way, however the profile's names are
// stored.
func TestQueryWordsKeepTheQuestionsOrder(t *testing.T) {
	arts := []*incidentbot.Article{{ID: "a", Title: "T", Text: "The Port Authority of Eastmouth and the Harbour Office ran the Quartz Heron drill."}}
	ix, err := NewIndex("test", arts, func(string) []float32 { return []float32{1, 0} })
	if err != nil {
		t.Fatal(err)
	}
	ix.reader.opts = QueryOptions{Aliases: map[string]string{
		"port authority of eastmouth": "Port Authority of Eastmouth", "harbour office": "Harbour Office", "quartz heron": "Quartz Heron"}}
	want := []string{"chief", "harbour office", "drill", "quartz heron", "run", "port authority of eastmouth"}
	for range 20 { // map order differs from run to run
		var got []string
		for _, w := range ix.Analyze("who was the chief of the Harbour Office in the drill Quartz Heron run by the Port Authority of Eastmouth").Words {
			got = append(got, w.Word)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("words %q, want %q", got, want)
		}
	}
}
