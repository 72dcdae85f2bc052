package corpus

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestShippedProfileLoads(t *testing.T) {
	shipped, err := LoadProfile(".") // corpus/ has profile.yaml beside sources.yaml
	if err != nil {
		t.Fatal(err)
	}
	if shipped.Derived || shipped.Name == "" || shipped.Description == "" || shipped.Example == "" {
		t.Errorf("the shipped profile needs a name, a description and an example: %+v", shipped)
	}
	if len(shipped.Places) == 0 || len(shipped.Parties) == 0 || len(shipped.Topics) == 0 {
		t.Errorf("the shipped profile lists places, parties and topics: %+v", shipped)
	}
	// The built-in default is the same file, embedded.
	def := DefaultProfile()
	a, b := *shipped, *def
	a.Path, b.Path = "", ""
	if !reflect.DeepEqual(a, b) {
		t.Errorf("DefaultProfile differs from corpus/profile.yaml:\n%+v\n%+v", b, a)
	}
	if got := def.Subject(); got != def.Name {
		t.Errorf("Subject() = %q, want the name %q", got, def.Name)
	}
	// Every topic finds something: its query's words are in the articles,
	// and so is each match word.
	arts, err := Load(Default(), "corpus")
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, a := range arts {
		all.WriteString(a.Title + "\n" + a.Text + "\n")
	}
	for _, tp := range def.Topics {
		if tp.Title == "" || tp.Query == "" {
			t.Errorf("topic %q lacks a title or query", tp.ID)
		}
		for _, m := range tp.Match {
			if !tp.Matches(nil, all.String()) || !(Topic{Match: []string{m}}).Matches(nil, all.String()) {
				t.Errorf("topic %q: no article has a word starting with %q", tp.ID, m)
			}
		}
		if got, ok := def.Topic(" " + strings.ToUpper(tp.ID) + " "); !ok || got.ID != tp.ID {
			t.Errorf("Topic(%q) = %+v, %v", tp.ID, got, ok)
		}
	}
	if _, ok := def.Topic("football"); ok {
		t.Error("Topic found an id the profile does not have")
	}
	if ids := def.TopicIDs(); len(ids) != len(def.Topics) || ids[0] != def.Topics[0].ID {
		t.Errorf("TopicIDs() = %v", ids)
	}
	// Aliases map every alias, and every name, to the lower-cased name;
	// Entities are the places, then the parties.
	al := def.Aliases()
	for _, e := range def.Entities() {
		name := strings.ToLower(e.Name)
		if al[name] != name {
			t.Errorf("Aliases()[%q] = %q", name, al[name])
		}
		for _, x := range e.Aliases {
			if al[strings.ToLower(x)] != name {
				t.Errorf("Aliases()[%q] = %q, want %q", strings.ToLower(x), al[strings.ToLower(x)], name)
			}
		}
	}
	es := def.Entities()
	if len(es) != len(def.Places)+len(def.Parties) || es[0].Kind != "place" || es[len(es)-1].Kind != "party" {
		t.Errorf("Entities() should be the places then the parties: %+v", es)
	}
}

func TestProfileErrorsNameFileAndLine(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"broken YAML", "name: x\ntopics:\n  - id: a\n    title: a: b\n", "profile.yaml:4: not valid YAML"},
		{"unknown top field", "name: x\nsubject: y\n", `profile.yaml:2: unknown field "subject"`},
		{"unknown topic field", "name: x\ntopics:\n  - id: a\n    query: q\n    words: [a]\n", `profile.yaml:5: topic: unknown field "words"`},
		{"unknown entity field", "name: x\nplaces:\n  - name: A\n    capital: B\n", `profile.yaml:4: place: unknown field "capital"`},
		{"no name", "description: d\n", "profile.yaml:1: no name"},
		{"bad topic id", "name: x\ntopics:\n  - id: Big Topic\n    query: q\n", `profile.yaml:3: topic id "Big Topic"`},
		{"topic without query", "name: x\ntopics:\n  - id: a\n    title: A\n", `profile.yaml:3: topic "a" needs a query`},
		{"duplicate topic", "name: x\ntopics:\n  - id: a\n    query: q\n  - id: a\n    query: r\n", `profile.yaml:5: duplicate topic id "a": already on line 3`},
		{"alias of two", "name: x\nplaces:\n  - name: A\n    aliases: [Z]\nparties:\n  - name: B\n    aliases: [z]\n", `profile.yaml:6: "z" stands for both A (line 3) and B`},
		{"aliases not a list", "name: x\nparties:\n  - name: A\n    aliases: Z\n", "profile.yaml:4: aliases must be a list"},
		{"empty file", "", "profile.yaml:1: the file is empty"},
	} {
		dir := corpusDir(t, map[string]string{"a.md": article("A"), ProfileFile: tc.yaml})
		_, err := LoadProfile(dir)
		want := filepath.Join(dir, tc.want)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: want %q in the error, got %v", tc.name, want, err)
		}
	}
	// Every problem at once.
	dir := corpusDir(t, map[string]string{ProfileFile: "name: x\ncolour: red\ntopics:\n  - id: a\n  - id: B\n    query: q\n"})
	_, err := ReadProfile(filepath.Join(dir, ProfileFile))
	if err == nil || strings.Count(err.Error(), "\n") < 2 || !strings.Contains(err.Error(), ":2: ") || !strings.Contains(err.Error(), ":4: ") || !strings.Contains(err.Error(), ":5: ") {
		t.Errorf("want every problem with its line, got %v", err)
	}
}

func TestProfileDefaults(t *testing.T) {
	p, err := ParseProfile("p.yaml", []byte("name: the storm\ntopics:\n  - id: roads\n    query: roads closed by the storm\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Description, "the storm") || p.Topics[0].Title != "roads" || p.Example != "" {
		t.Errorf("defaults: %+v", p)
	}
}

func TestFolderWithoutProfile(t *testing.T) {
	dir := corpusDir(t, map[string]string{
		"a.md": "---\ntitle: \"Harbour crane collapses in storm\"\ntags: [harbour, storm-damage]\n---\n" + proseBody,
		"b.md": "---\ntitle: \"Storm closes the harbour\"\ntags: [storm-damage]\n---\n" + proseBody,
		"c.md": "---\ntitle: \"Port reopens\"\n---\n" + proseBody,
	})
	p, err := LoadProfile(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Derived || p.Name != "storm damage and harbour" || len(p.Places)+len(p.Parties)+len(p.Topics) != 0 {
		t.Errorf("derived profile: %+v", p)
	}
	if !strings.Contains(p.Description, p.Name) || !strings.Contains(p.Example, "storm damage") {
		t.Errorf("derived description and example: %+v", p)
	}
	// Untagged articles: the titles' common words.
	dir = corpusDir(t, map[string]string{
		"a.md": "---\ntitle: \"Harbour crane collapses in storm\"\n---\n" + proseBody,
		"b.md": "---\ntitle: \"Storm closes the harbour\"\n---\n" + proseBody,
	})
	if p, err = LoadProfile(dir); err != nil || p.Name != "Harbour, storm and crane" {
		t.Errorf("derived from titles: %+v, %v", p, err)
	}
	// A folder whose articles do not load cannot be described either.
	dir = corpusDir(t, map[string]string{"a.md": "no front matter\n"})
	if _, err := LoadProfile(dir); err == nil || !strings.Contains(err.Error(), "a.md:1") {
		t.Errorf("want the article's error, got %v", err)
	}
}

func TestProfileBesideASourcesFile(t *testing.T) {
	p, err := LoadProfile(filepath.Join("testdata", "otherincident", SourcesFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Name, "Wrenfield") || strings.Join(p.TopicIDs(), ",") != "sirens,cause" {
		t.Errorf("profile beside the sources file: %+v", p)
	}
	if _, err := LoadProfile(filepath.Join("testdata", "nowhere")); err == nil {
		t.Error("a missing folder must fail")
	}
	if _, err := os.Stat(filepath.Join("testdata", "otherincident", ProfileFile)); err != nil {
		t.Fatal(err)
	}
}

func TestTopicMatches(t *testing.T) {
	tp := Topic{Match: []string{"kosov", "embassy", "people's mojahedin"}}
	for text, want := range map[string]bool{
		"Kosovo's institutions were hit":                  true,
		"KOSOVAR officials":                               true,
		"the embassy closed":                              true,
		"the People's Mojahedin of Iran":                  true,
		"Tirana":                                          false,
		"a prekosovo word does not start with the prefix": false,
		"the peoples mojahedin":                           false,
	} {
		if got := tp.Matches(nil, text); got != want {
			t.Errorf("Matches(%q) = %v, want %v", text, got, want)
		}
	}
	if !(Topic{Match: []string{"flood"}}).Matches([]string{"Flood"}, "no word of it here") {
		t.Error("an article tag equal to a match entry should match")
	}
	if !(Topic{}).Matches(nil, "anything") {
		t.Error("a topic without match keeps every passage")
	}
}
