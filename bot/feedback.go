package bot

import (
	"bufio"
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

// FeedbackRecord is one vote, one JSON line of feedback.jsonl.
type FeedbackRecord = incidentbot.FeedbackRecord

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
