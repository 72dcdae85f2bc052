package bot

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/incidentbot/incidentbot"
)

// FeedbackFile is the name of the feedback log in the data folder.
const FeedbackFile = "feedback.jsonl"

// feedbackPrefix starts the custom_id of the 👍/👎 buttons:
// "fb:up:<answer id>:<sig>" or "fb:down:<answer id>:<sig>" (see
// buttonSigner).
const feedbackPrefix = "fb:"

// FeedbackRecord is one vote, one JSON line of feedback.jsonl.
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

// feedbackLog appends records to DataDir/feedback.jsonl.
type feedbackLog struct {
	mu   sync.Mutex
	path string
}

func newFeedbackLog(dataDir string) *feedbackLog {
	if dataDir == "" {
		return &feedbackLog{}
	}
	return &feedbackLog{path: filepath.Join(dataDir, FeedbackFile)}
}

// add appends one record as one write, so a crash never leaves half a line
// behind another record.
func (f *feedbackLog) add(r FeedbackRecord) error {
	if f.path == "" {
		return errors.New("no data folder configured for feedback")
	}
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encoding feedback: %w", err)
	}
	line = append(line, '\n')
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
		return fmt.Errorf("creating the data folder: %w", err)
	}
	file, err := os.OpenFile(f.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("opening %s: %w", f.path, err)
	}
	if _, err := file.Write(line); err != nil {
		file.Close()
		return fmt.Errorf("writing %s: %w", f.path, err)
	}
	return file.Close()
}

// vote records a click on 👍 or 👎 under an answer this process sent;
// any other click records nothing.
func (s *service) vote(ctx context.Context, ev *Event) error {
	payload, ok := s.buttons.verify(ev.Name)
	vote, id, _ := strings.Cut(strings.TrimPrefix(payload, feedbackPrefix), ":")
	if !ok || (vote != "up" && vote != "down") || id == "" {
		logFor(s.log, ev).Info("refused a button this process did not send")
		return ev.reply.Send(ctx, Reply{Text: msgButtonExpired, Ephemeral: true})
	}
	rec := FeedbackRecord{
		Time: time.Now().UTC(), AnswerID: id, User: userHash(ev.UserID), Vote: vote, GuildID: ev.GuildID, Docs: []string{},
	}
	if a := s.recent.get(id); a != nil {
		rec.Question, rec.Answer, rec.Mode, rec.Refused = a.Question, a.Text, a.Mode, a.Refused
		rec.Docs = citedDocs(a)
	} else {
		// The answer was forgotten (it is old): keep what the message the
		// button is on shows.
		rec.Question, rec.Answer = parseRendered(ev.MessageContent)
	}
	if err := s.feedback.add(rec); err != nil {
		return fmt.Errorf("recording feedback: %w", err)
	}
	s.metrics.votes.Add(1)
	logFor(s.log, ev).Info("feedback", "vote", vote, "answer_id", id)
	thanks := "Thanks, noted 👍."
	if vote == "down" {
		thanks = "Thanks, noted 👎. It helps to know when an answer misses."
	}
	return ev.reply.Send(ctx, Reply{Text: thanks, Ephemeral: true})
}

// citedDocs lists the articles an answer cites, each once.
func citedDocs(a *incidentbot.Answer) []string {
	docs := []string{}
	seen := map[string]bool{}
	for _, c := range a.Citations {
		if !seen[c.Doc] {
			seen[c.Doc] = true
			docs = append(docs, c.Doc)
		}
	}
	return docs
}

// parseRendered recovers question and answer from an answer message as
// renderAnswer wrote it.
func parseRendered(content string) (question, answerText string) {
	body := content
	if rest, ok := strings.CutPrefix(body, "**Q:** "); ok {
		question, body, _ = strings.Cut(rest, "\n\n")
		question = unescapeMarkdown(question)
	}
	for _, h := range []string{"\n**Sources**", "\n**Closest sources**", "\n*Note:*"} {
		if i := strings.Index(body, h); i >= 0 {
			body = body[:i]
		}
	}
	return question, strings.TrimSpace(body)
}

// FeedbackSummary writes what users thought of the answers: votes per kind
// and the questions with the most 👎. A user's later vote on an answer
// replaces their earlier one. No feedback file is not an error.
func FeedbackSummary(dataDir string, w io.Writer) error {
	path := filepath.Join(dataDir, FeedbackFile)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		_, err := fmt.Fprintf(w, "No feedback yet (%s does not exist).\n", path)
		return err
	}
	if err != nil {
		return fmt.Errorf("opening feedback: %w", err)
	}
	defer f.Close()

	type key struct{ answer, user string }
	latest := map[key]FeedbackRecord{}
	var order []key
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	line, bad := 0, 0
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var r FeedbackRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil || (r.Vote != "up" && r.Vote != "down") {
			bad++ // a torn last line after a crash, or a hand edit
			continue
		}
		k := key{r.AnswerID, r.User}
		if _, ok := latest[k]; !ok {
			order = append(order, k)
		}
		latest[k] = r
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}

	type qstat struct {
		question  string
		up, down  int
		lastVoted time.Time
	}
	counts := map[string]int{}
	byQ := map[string]*qstat{}
	for _, k := range order {
		r := latest[k]
		counts[r.Vote]++
		q := r.Question
		if q == "" {
			q = "(question unknown)"
		}
		nk := normalizeQuestion(q)
		st := byQ[nk]
		if st == nil {
			st = &qstat{question: q}
			byQ[nk] = st
		}
		if r.Vote == "up" {
			st.up++
		} else {
			st.down++
		}
		if r.Time.After(st.lastVoted) {
			st.lastVoted = r.Time
		}
	}
	total := counts["up"] + counts["down"]
	fmt.Fprintf(w, "Feedback from %s\n", path)
	fmt.Fprintf(w, "Votes: %d (👍 %d, 👎 %d)", total, counts["up"], counts["down"])
	if total > 0 {
		fmt.Fprintf(w, ", %.0f%% helpful", 100*float64(counts["up"])/float64(total))
	}
	fmt.Fprintln(w)
	if bad > 0 {
		fmt.Fprintf(w, "Skipped %d unreadable line(s).\n", bad)
	}
	var worst []*qstat
	for _, st := range byQ {
		if st.down > 0 {
			worst = append(worst, st)
		}
	}
	sort.Slice(worst, func(i, j int) bool {
		a, b := worst[i], worst[j]
		if a.down != b.down {
			return a.down > b.down
		}
		if a.up != b.up {
			return a.up < b.up
		}
		return a.question < b.question
	})
	if len(worst) == 0 {
		_, err := fmt.Fprintln(w, "No question has a 👎.")
		return err
	}
	fmt.Fprintln(w, "\nMost downvoted questions:")
	for i, st := range worst[:min(len(worst), 10)] {
		fmt.Fprintf(w, "%2d. 👎 %d  👍 %d  %s\n", i+1, st.down, st.up, userText(st.question, asPlain, 120))
	}
	return nil
}
