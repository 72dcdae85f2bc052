package bot

import (
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/incidentbot/incidentbot"
)

// recentAnswers remembers the last answers by event ID, for the buttons
// under them. It is bounded: a click on a long-forgotten answer falls back
// to what the message itself says.
type recentAnswers struct {
	c *lru.Cache[string, *incidentbot.Answer]
}

func newRecentAnswers(size int) *recentAnswers {
	c, _ := lru.New[string, *incidentbot.Answer](size) // errors only for size <= 0
	return &recentAnswers{c: c}
}

func (r *recentAnswers) put(id string, a *incidentbot.Answer) { r.c.Add(id, a) }

func (r *recentAnswers) get(id string) *incidentbot.Answer {
	a, _ := r.c.Get(id)
	return a
}
