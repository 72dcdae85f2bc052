package answer_test

import (
	"context"
	"errors"
	"github.com/incidentbot/incidentbot/internal/wiring"
	"strings"
	"sync"
	"testing"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/incidentbot/incidentbot"
	"github.com/incidentbot/incidentbot/answer"
	"github.com/incidentbot/incidentbot/corpus"
	"github.com/incidentbot/incidentbot/openai"
	"github.com/incidentbot/incidentbot/openai/openaitest"
	"github.com/incidentbot/incidentbot/retrieval"
	"github.com/incidentbot/incidentbot/uselite"
)

const otherIncident = "../corpus/testdata/otherincident"

// An answerer over another incident's corpus takes its subject and topics
// from that corpus's profile: nothing of the built-in incident remains.
func TestAnswererUsesTheCorpusProfile(t *testing.T) {
	profile, err := corpus.LoadProfile(otherIncident)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := uselite.FindWeights("")
	if err != nil {
		t.Fatal(err)
	}
	m, err := uselite.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	store, _, err := retrieval.Open(context.Background(), retrieval.StoreOptions{Query: wiring.ShippedQuery(),
		DataDir: t.TempDir(), Embedder: m,
		Load: func() ([]*incidentbot.Article, error) { return corpus.LoadPath(otherIncident) },
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := openaitest.NewServer(t)
	var (
		mu      sync.Mutex
		systems []string
	)
	srv.SetChatFunc(func(req goopenai.ChatCompletionRequest) string {
		mu.Lock()
		systems = append(systems, req.Messages[0].Content)
		mu.Unlock()
		return "I cannot help with that."
	})
	chat, err := openai.NewChat(openai.Config{BaseURL: srv.URL(), Model: "fake-model", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a := answer.New(answer.WithProfile(store, profile), answer.Options{LLM: chat})
	if a.Profile() != profile {
		t.Fatal("Profile() is not the profile given")
	}

	// The model writes only answers the extractive reader did not refuse.
	prompts := 2
	ans, err := a.Ask(ctx, answer.Request{Question: "Which company installed the software update on February 27?"})
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Refused || ans.Mode != incidentbot.ModeExtractive {
		prompts++
	}
	sum, err := a.Summary(ctx, "sirens")
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Citations) == 0 || !strings.Contains(strings.ToLower(sum.Text), "siren") || !strings.Contains(sum.Question, "The silent sirens on March 2") {
		t.Errorf("the sirens topic should summarise the passages about sirens: %+v", sum)
	}
	if _, err := a.Timeline(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(systems) != prompts {
		t.Errorf("want %d prompts (answer, summary, timeline), got %d", prompts, len(systems))
	}
	for _, s := range systems {
		if !strings.Contains(s, profile.Name) || strings.Contains(s, "Albania") {
			t.Errorf("the system prompt should name the profile's subject only:\n%s", s)
		}
	}
	mu.Unlock()

	_, err = a.Summary(ctx, "kosovo")
	if !errors.Is(err, answer.ErrUnknownTopic) || !strings.Contains(err.Error(), "sirens, cause") {
		t.Errorf("a topic of another profile: %v", err)
	}
}

// Without a profile, an Answerer describes the built-in corpus.
func TestAnswererDefaultsToTheBuiltInProfile(t *testing.T) {
	a := answer.New(testStore(t), wiring.AnswerOptions(answer.Options{}, wiring.MustLanguage()))
	if a.Profile() != corpus.DefaultProfile() {
		t.Error("an Answerer without a profile should use corpus.DefaultProfile")
	}
	if p := (&corpus.Profile{Name: "the storm"}); a.Profiled(p).Profile() != p || a.Profile() != corpus.DefaultProfile() {
		t.Error("Profiled should return an Answerer with the profile, leaving the original as it was")
	}
	if answer.WithProfile(testStore(t), nil) != answer.Source(testStore(t)) {
		t.Error("WithProfile(src, nil) should leave src as it is")
	}
	_, err := a.Summary(context.Background(), "football")
	if !errors.Is(err, answer.ErrUnknownTopic) || !strings.Contains(err.Error(), strings.Join(corpus.DefaultProfile().TopicIDs(), ", ")) {
		t.Errorf("unknown topic should list the built-in topics: %v", err)
	}
}
