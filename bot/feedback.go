package bot

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/incidentbot/incidentbot"
)

// FeedbackRecord is one vote.
type FeedbackRecord = incidentbot.FeedbackRecord

// FeedbackSummary writes what users thought of the answers: votes per kind
// and the questions with the most 👎. A user's later vote on an answer
// replaces their earlier one.
func FeedbackSummary(ctx context.Context, fb incidentbot.Feedback, w io.Writer) error {
	records, err := fb.ReadFeedback(ctx)
	if err != nil {
		return fmt.Errorf("reading feedback: %w", err)
	}
	if len(records) == 0 {
		_, err := fmt.Fprintln(w, "No feedback yet.")
		return err
	}
	type key struct{ answer, user string }
	latest := map[key]FeedbackRecord{}
	var order []key
	bad := 0
	for _, r := range records {
		if r.Vote != "up" && r.Vote != "down" {
			bad++ // a hand edit
			continue
		}
		k := key{r.AnswerID, r.User}
		if _, ok := latest[k]; !ok {
			order = append(order, k)
		}
		latest[k] = r
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
	fmt.Fprintf(w, "Votes: %d (👍 %d, 👎 %d)", total, counts["up"], counts["down"])
	if total > 0 {
		fmt.Fprintf(w, ", %.0f%% helpful", 100*float64(counts["up"])/float64(total))
	}
	fmt.Fprintln(w)
	if bad > 0 {
		fmt.Fprintf(w, "Skipped %d vote(s) that are neither up nor down.\n", bad)
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
