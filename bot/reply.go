package bot

import "context"

// replier is how a handler answers, whatever the event came through.
type replier interface {
	// Defer acknowledges the event before slow work (Discord shows
	// "thinking…"; a mention gets its thread and a typing indicator).
	Defer(ctx context.Context, ephemeral bool) error
	// Progress shows the text of an answer still being written. It edits
	// one message; Send later replaces it.
	Progress(ctx context.Context, text string) error
	// Send delivers a reply, in as many messages as its length needs: the
	// first replaces the deferred or partial one, the rest follow.
	Send(ctx context.Context, r Reply) error
}

// Reply is a message to show.
type Reply struct {
	Text string
	// Ephemeral replies are seen only by the user, where Discord allows it
	// (not after a public defer, not for mentions).
	Ephemeral bool
	Buttons   []Button // shown under the last message
}

// Button is a button under a reply.
type Button struct {
	ID    string // custom_id
	Label string
	Emoji string
}
