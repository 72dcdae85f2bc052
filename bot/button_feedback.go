package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/incidentbot/incidentbot"
)

// feedbackButton is the custom_id of the 👍/👎 buttons: the vote ("up" or
// "down") and the answer's event ID, signed (see buttonSigner).
const feedbackButton = "fb:{vote}:{id}:{sig}"

// vote records a click on 👍 or 👎 under an answer this process sent;
// any other click records nothing.
func (s *service) vote(ctx context.Context, ev *Event) error {
	vote, id := ev.Param("vote"), ev.Param("id")
	if vote != "up" && vote != "down" {
		return userErrorf(msgButtonExpired) // signed, but not by answerButtons
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
	if s.feedback == nil {
		return userErrorf("Votes are not kept by this bot.")
	}
	if err := s.feedback.RecordFeedback(ctx, rec); err != nil {
		return fmt.Errorf("recording feedback: %w", err)
	}
	s.metrics.votes.Inc()
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
