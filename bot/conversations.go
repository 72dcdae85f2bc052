package bot

import (
	"context"
	"slices"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/incidentbot/incidentbot"
)

// conversations keeps the recent turns of each thread (and DM channel, and
// the console), bounded in both the number of conversations (the least
// recently used is forgotten) and the turns kept per conversation. A
// conversation the bot has an entry for is one it answers in without being
// mentioned.
type conversations struct {
	mu       sync.Mutex // makes add's read, append and write one step
	maxTurns int
	c        *lru.Cache[string, []incidentbot.Turn]
}

func newConversations(maxConvs, maxTurns int) *conversations {
	c, _ := lru.New[string, []incidentbot.Turn](maxConvs) // errors only for size <= 0
	return &conversations{maxTurns: maxTurns, c: c}
}

// known reports whether key has an entry.
func (c *conversations) known(key string) bool { return c.c.Contains(key) }

// open creates an empty entry for key if it has none.
func (c *conversations) open(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.c.ContainsOrAdd(key, nil)
}

// history returns a copy of key's turns, oldest first.
func (c *conversations) history(key string) []incidentbot.Turn {
	turns, _ := c.c.Get(key)
	return slices.Clone(turns)
}

// add appends turns to key's conversation, keeping the last maxTurns.
func (c *conversations) add(key string, turns ...incidentbot.Turn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old, _ := c.c.Get(key)
	all := append(slices.Clone(old), turns...)
	if n := len(all) - max(c.maxTurns, 0); n > 0 {
		all = all[n:]
	}
	c.c.Add(key, all)
}

// memory is a Conversation backed by the conversations store.
type memory struct {
	c   *conversations
	key string
}

func (m memory) History(context.Context) []incidentbot.Turn { return m.c.history(m.key) }
func (m memory) Remember(t incidentbot.Turn)                { m.c.add(m.key, t) }
