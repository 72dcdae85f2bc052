package corpus

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/incidentbot/incidentbot"
)

// A profile says what a corpus is about, for the program's own words: the
// incident's name, the line the bot gives of itself, an example question,
// the places and parties that matter with their other names, and the topics
// a summary offers. It is maintainer-edited, beside the sources file:
//
//	name: "the 2022 floods in the river valley"
//	description: "answers questions about … from news articles and cites the passages it draws on"
//	example: "When did the river burst its banks?"
//	places:
//	  - name: Millbrook
//	    aliases: [Millbrook's, Millbrookers]
//	parties:
//	  - name: Environment Agency
//	    aliases: [EA]
//	topics:
//	  - id: outage
//	    title: "The warning system outage"
//	    query: "the flood warning system failed and sent no alerts"
//	    match: [outage, siren]
//
// See profile.yaml for what each field means.

// ProfileFile is the name of the profile in a corpus folder.
const ProfileFile = "profile.yaml"

//go:embed profile.yaml
var embeddedProfile []byte

var (
	profileFields = []string{"name", "description", "example", "places", "parties", "topics"}
	entityFields  = []string{"name", "aliases"}
	topicFields   = []string{"id", "title", "query", "match"}
	topicID       = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
)

// Limits that Discord puts on /summary's choices, checked here so that a
// profile that loads can always be registered.
const (
	maxTopics     = 25
	maxTopicTitle = 100
	maxTopicID    = 100
)

// Profile is a parsed profile.
type Profile struct {
	// Path is the file it was read from: "" when it was derived from the
	// articles, "corpus/profile.yaml (built in)" for the default.
	Path string
	// Derived is set when the folder had no profile.yaml and the profile
	// was made from the articles' tags and titles.
	Derived bool

	Name        string // the incident's name, as the bot says it
	Description string // the one line the bot gives of itself
	Example     string // an example question ("" when none)
	Places      []Entity
	Parties     []Entity
	Topics      []Topic
}

// Entity is a place or a party and the other names it goes by.
type Entity struct {
	Kind    string // "place" or "party"
	Name    string
	Aliases []string
	line    int // where it is defined in the profile, for messages
}

// Topic is one part of the subject that a summary can be limited to.
type Topic struct {
	ID    string // what a user types: lower case, digits and hyphens
	Title string // what a user is shown
	Query string // what to search for to find the topic's passages
	// Match, when set, keeps a found passage only if its article has one of
	// these tags or its text has a word starting with one of them (a
	// multi-word entry must start at a word and match whole words before
	// its last). Empty: every passage the query finds belongs.
	Match []string
}

// ProfileError points at the line of a profile where something is wrong.
type ProfileError struct {
	File string
	Line int
	Msg  string
}

func (e *ProfileError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

var defaultProfile = sync.OnceValue(func() *Profile {
	p, err := ParseProfile("corpus/"+ProfileFile+" (built in)", embeddedProfile)
	if err != nil {
		panic(err) // embedded; the package's tests load it
	}
	return p
})

// DefaultProfile is the profile of the articles built into the program
// (Default). It is shared: callers must not modify it.
func DefaultProfile() *Profile { return defaultProfile() }

// LoadProfile reads the profile of the corpus at dir: dir/profile.yaml, or
// when dir names a sources file, the profile.yaml beside it. A corpus without
// a profile.yaml gets one derived from its articles (DeriveProfile), so dir's
// articles must load.
func LoadProfile(dir string) (*Profile, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	folder := dir
	if !st.IsDir() {
		folder = filepath.Dir(dir)
	}
	p := filepath.Join(folder, ProfileFile)
	if st, err := os.Stat(p); err == nil && !st.IsDir() {
		return ReadProfile(p)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("profile: %w", err)
	}
	arts, err := LoadPath(dir)
	if err != nil {
		return nil, err
	}
	return DeriveProfile(arts), nil
}

// ReadProfile reads and validates a profile file.
func ReadProfile(path string) (*Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	return ParseProfile(path, data)
}

// ParseProfile validates a profile's content; path names it in errors. Every
// problem is reported with its line, not only the first. Unknown fields are
// refused.
func ParseProfile(path string, data []byte) (*Profile, error) {
	var errs []error
	fail := func(line int, format string, args ...any) {
		errs = append(errs, &ProfileError{File: path, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	if !utf8.Valid(data) {
		return nil, &ProfileError{File: path, Line: 1, Msg: "file is not valid UTF-8"}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line := 1
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
		msg := strings.TrimPrefix(yamlLine.ReplaceAllString(err.Error(), ""), "yaml: ")
		return nil, &ProfileError{File: path, Line: line, Msg: "not valid YAML: " + msg}
	}
	if len(doc.Content) == 0 {
		return nil, &ProfileError{File: path, Line: 1, Msg: "the file is empty: it needs at least a name"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &ProfileError{File: path, Line: root.Line, Msg: "must be a mapping with a name, a description and topics"}
	}
	p := &Profile{Path: path}
	seen := map[string]bool{}
	nameLine := root.Line
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if seen[k.Value] {
			fail(k.Line, "field %q appears twice", k.Value)
			continue
		}
		seen[k.Value] = true
		switch k.Value {
		case "name":
			p.Name, nameLine = profileText(v, k.Value, fail), k.Line
		case "description":
			p.Description = profileText(v, k.Value, fail)
		case "example":
			p.Example = profileText(v, k.Value, fail)
		case "places", "parties":
			kind := map[string]string{"places": "place", "parties": "party"}[k.Value]
			es := profileEntities(v, kind, fail)
			if kind == "place" {
				p.Places = es
			} else {
				p.Parties = es
			}
		case "topics":
			p.Topics = profileTopics(v, fail)
		default:
			fail(k.Line, "unknown field %q (known fields: %s)", k.Value, strings.Join(profileFields, ", "))
		}
	}
	if p.Name == "" {
		fail(nameLine, "no name: say what the incident is called, e.g. name: \"the 2022 floods in the river valley\"")
	}
	checkProfileAliases(p, fail)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	p.fillDefaults()
	return p, nil
}

// text reads a single-line scalar.
func profileText(v *yaml.Node, field string, fail func(int, string, ...any)) string {
	if v.Kind != yaml.ScalarNode {
		fail(v.Line, "%s must be a single value", field)
		return ""
	}
	if v.Tag == "!!null" {
		return ""
	}
	s := strings.TrimSpace(v.Value)
	if strings.ContainsAny(s, "\n\r") {
		fail(v.Line, "%s must be one line", field)
	}
	return s
}

// words reads a list of non-empty scalars.
func profileList(v *yaml.Node, field string, fail func(int, string, ...any)) []string {
	if v.Kind != yaml.SequenceNode {
		fail(v.Line, "%s must be a list, e.g. [one, two]", field)
		return nil
	}
	var out []string
	for _, n := range v.Content {
		s := ""
		if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
			s = strings.TrimSpace(n.Value)
		}
		if s == "" {
			fail(n.Line, "each of %s must be a non-empty word or phrase", field)
			continue
		}
		out = append(out, s)
	}
	return out
}

// mapping walks a list entry's fields, refusing unknown and repeated ones.
func profileMapping(n *yaml.Node, what string, known []string, fail func(int, string, ...any), field func(k, v *yaml.Node)) bool {
	if n.Kind != yaml.MappingNode {
		fail(n.Line, "each %s must be a mapping with %s", what, strings.Join(known, ", "))
		return false
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case seen[k.Value]:
			fail(k.Line, "%s: field %q appears twice", what, k.Value)
		case !slices.Contains(known, k.Value):
			fail(k.Line, "%s: unknown field %q (known fields: %s)", what, k.Value, strings.Join(known, ", "))
		default:
			field(k, v)
		}
		seen[k.Value] = true
	}
	return true
}

func profileEntities(v *yaml.Node, kind string, fail func(int, string, ...any)) []Entity {
	if v.Kind != yaml.SequenceNode {
		fail(v.Line, "%s must be a list of entries, each with a name and optional aliases", kindPlural(kind))
		return nil
	}
	var out []Entity
	for _, n := range v.Content {
		e := Entity{Kind: kind, line: n.Line}
		ok := profileMapping(n, kind, entityFields, fail, func(k, v *yaml.Node) {
			switch k.Value {
			case "name":
				e.Name = profileText(v, kind+" name", fail)
			case "aliases":
				e.Aliases = profileList(v, "aliases", fail)
			}
		})
		if !ok {
			continue
		}
		if e.Name == "" {
			fail(n.Line, "%s needs a name", kind)
			continue
		}
		out = append(out, e)
	}
	return out
}

func kindPlural(kind string) string {
	if kind == "party" {
		return "parties"
	}
	return kind + "s"
}

func profileTopics(v *yaml.Node, fail func(int, string, ...any)) []Topic {
	if v.Kind != yaml.SequenceNode {
		fail(v.Line, "topics must be a list of entries, each with an id, a title and a query")
		return nil
	}
	if len(v.Content) > maxTopics {
		fail(v.Line, "%d topics: at most %d (Discord offers no more choices)", len(v.Content), maxTopics)
	}
	var out []Topic
	ids := map[string]int{}
	for _, n := range v.Content {
		t := Topic{}
		ok := profileMapping(n, "topic", topicFields, fail, func(k, v *yaml.Node) {
			switch k.Value {
			case "id":
				t.ID = profileText(v, "id", fail)
				if t.ID != "" && (!topicID.MatchString(t.ID) || len(t.ID) > maxTopicID) {
					fail(v.Line, "topic id %q must be lower-case letters, digits and hyphens, like iran-response", t.ID)
				}
			case "title":
				t.Title = profileText(v, "title", fail)
				if utf8.RuneCountInString(t.Title) > maxTopicTitle {
					fail(v.Line, "topic title is %d characters: at most %d (Discord's limit for a choice)", utf8.RuneCountInString(t.Title), maxTopicTitle)
				}
			case "query":
				t.Query = profileText(v, "query", fail)
			case "match":
				t.Match = profileList(v, "match", fail)
				for i, m := range t.Match {
					t.Match[i] = strings.ToLower(m)
				}
			}
		})
		if !ok {
			continue
		}
		switch {
		case t.ID == "":
			fail(n.Line, "topic needs an id (what a user types, e.g. id: outage)")
			continue
		case t.Query == "":
			fail(n.Line, "topic %q needs a query (what to search for to find its passages)", t.ID)
		}
		if first, dup := ids[t.ID]; dup {
			fail(n.Line, "duplicate topic id %q: already on line %d", t.ID, first)
			continue
		}
		ids[t.ID] = n.Line
		if t.Title == "" {
			t.Title = t.ID
		}
		out = append(out, t)
	}
	return out
}

// checkProfileAliases refuses a name or alias that stands for two entities.
func checkProfileAliases(p *Profile, fail func(int, string, ...any)) {
	owner := map[string]Entity{}
	for _, e := range p.Entities() {
		for _, a := range append([]string{e.Name}, e.Aliases...) {
			key := strings.ToLower(a)
			if o, ok := owner[key]; ok && o.Name != e.Name {
				fail(e.line, "%q stands for both %s (line %d) and %s: give each name to one %s", a, o.Name, o.line, e.Name, e.Kind)
				continue
			}
			owner[key] = e
		}
	}
}

// fillDefaults completes what a profile may leave out.
func (p *Profile) fillDefaults() {
	if p.Description == "" {
		p.Description = "answers questions about " + p.Name + " from news articles and cites the passages it draws on"
	}
}

// Subject is the incident's name, as the bot says it: "Ask about <Subject>".
func (p *Profile) Subject() string { return p.Name }

// Entities are the places, then the parties.
func (p *Profile) Entities() []Entity {
	out := make([]Entity, 0, len(p.Places)+len(p.Parties))
	out = append(out, p.Places...)
	return append(out, p.Parties...)
}

// Aliases maps each lower-cased alias (demonyms, capitals, other spellings,
// abbreviations) of every entity, and each entity's own lower-cased name, to
// the entity's lower-cased name: "tehran" → "iran", "iran" → "iran".
func (p *Profile) Aliases() map[string]string {
	m := map[string]string{}
	for _, e := range p.Entities() {
		name := strings.ToLower(e.Name)
		m[name] = name
		for _, a := range e.Aliases {
			m[strings.ToLower(a)] = name
		}
	}
	return m
}

// Topic returns the topic with id (case and surrounding space ignored).
func (p *Profile) Topic(id string) (Topic, bool) {
	id = strings.ToLower(strings.TrimSpace(id))
	for _, t := range p.Topics {
		if t.ID == id {
			return t, true
		}
	}
	return Topic{}, false
}

// TopicIDs are the topics' ids, in the profile's order.
func (p *Profile) TopicIDs() []string {
	out := make([]string, len(p.Topics))
	for i, t := range p.Topics {
		out[i] = t.ID
	}
	return out
}

// Matches reports whether a passage with text (its section heading and its
// words) from an article with tags belongs to the topic: see Topic.Match.
func (t Topic) Matches(tags []string, text string) bool {
	if len(t.Match) == 0 {
		return true
	}
	norm := " " + strings.Join(matchWords(text), " ")
	for _, m := range t.Match {
		for _, tag := range tags {
			if strings.EqualFold(tag, m) {
				return true
			}
		}
		if w := matchWords(m); len(w) > 0 && strings.Contains(norm, " "+strings.Join(w, " ")) {
			return true
		}
	}
	return false
}

// matchWords splits text into lower-case runs of letters and digits.
func matchWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// DeriveProfile makes a profile for articles that came without one: its name
// is the articles' most common tags (or, untagged, their titles' most common
// words), it has no places, parties or topics, and its example asks about
// the first of those words.
func DeriveProfile(arts []*incidentbot.Article) *Profile {
	top := commonProfileTerms(arts, func(a *incidentbot.Article) []string {
		var out []string
		for _, t := range a.Tags {
			out = append(out, strings.ReplaceAll(strings.ToLower(strings.TrimSpace(t)), "-", " "))
		}
		return out
	})
	if len(top) == 0 {
		top = commonProfileTerms(arts, func(a *incidentbot.Article) []string {
			var out []string
			for _, w := range strings.FieldsFunc(a.Title, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' }) {
				if lw := strings.ToLower(w); utf8.RuneCountInString(lw) > 3 && !titleStopWords[lw] {
					out = append(out, w)
				}
			}
			return out
		})
	}
	p := &Profile{Derived: true, Name: "the events in these articles"}
	if len(top) > 0 {
		p.Name = profileAndList(top)
		p.Example = "What do the articles say about " + top[0] + "?"
	}
	p.fillDefaults()
	return p
}

// commonTerms counts terms once per article and returns up to three of the
// most common, ties in order of first appearance. Terms are compared case
// folded and shown as first written.
func commonProfileTerms(arts []*incidentbot.Article, terms func(*incidentbot.Article) []string) []string {
	type count struct {
		shown string
		n     int
		first int
	}
	counts := map[string]*count{}
	for _, a := range arts {
		seen := map[string]bool{}
		for _, t := range terms(a) {
			key := strings.ToLower(t)
			if key == "" || seen[key] {
				continue
			}
			seen[key] = true
			if c, ok := counts[key]; ok {
				c.n++
			} else {
				counts[key] = &count{shown: t, n: 1, first: len(counts)}
			}
		}
	}
	list := make([]*count, 0, len(counts))
	for _, c := range counts {
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].n != list[j].n {
			return list[i].n > list[j].n
		}
		return list[i].first < list[j].first
	})
	var out []string
	for _, c := range list[:min(3, len(list))] {
		out = append(out, c.shown)
	}
	return out
}

func profileAndList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// titleStopWords are title words that name no subject.
var titleStopWords = map[string]bool{
	"about": true, "after": true, "again": true, "against": true, "amid": true, "before": true, "being": true,
	"from": true, "have": true, "into": true, "over": true, "says": true, "said": true, "than": true, "that": true,
	"their": true, "them": true, "they": true, "this": true, "under": true, "were": true, "what": true, "when": true,
	"where": true, "which": true, "while": true, "will": true, "with": true, "would": true, "your": true,
	"news": true, "report": true, "reports": true, "update": true, "live": true, "following": true,
}
