package bot

import (
	"context"
	"time"

	"github.com/gorilla/websocket"
)

// A zombie connection is one Discord stopped answering: heartbeats go out,
// no ACK comes back, and every command fails while the socket looks open.
// discordgo v0.29.0 notices only after five missed intervals (its
// FailedHeartbeatAcks), about 3.5 minutes at Discord's 41.25 s, and then
// closes with 1000, which ends the session, so the events in between are
// lost. Discord's guidance is that a heartbeat not acknowledged by the
// next one means the connection is dead: watchHeartbeats applies it from
// outside discordgo (whose heartbeat loop cannot be configured), and closes
// with a code that keeps the session resumable, so the reconnect in serve
// RESUMEs and Discord replays what was missed.

// zombieCloseCode is what a zombie connection is closed with: any code but
// 1000 and 1001 leaves the session resumable.
const zombieCloseCode = websocket.CloseServiceRestart // 1012

// heartbeatPoll is how often the watchdog looks at the last ACK.
const heartbeatPoll = 100 * time.Millisecond

// zombieFactor: no ACK for this many heartbeat intervals since the last
// one means the heartbeat sent in between went unanswered (its ACK comes
// within a round trip, well under a quarter interval).
const zombieFactor = 1.25

// watchHeartbeats closes the connection when the heartbeats stop being
// acknowledged. The interval is learnt from the ACKs themselves (discordgo
// keeps HELLO's to itself): the gap between two ACKs of one connection,
// not counting HELLO (which discordgo records as an ACK) nor the first
// heartbeat, sent at once on connecting.
func (d *discord) watchHeartbeats(ctx context.Context, poll time.Duration) {
	tick := time.NewTicker(poll)
	defer tick.Stop()
	var (
		lastAck  time.Time
		acks     int // ACK changes seen on this connection
		interval time.Duration
	)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		d.s.RLock()
		ack := d.s.LastHeartbeatAck
		d.s.RUnlock()
		if !d.connected.Load() {
			lastAck, acks, interval = time.Time{}, 0, 0 // a new connection is learnt anew
			continue
		}
		if !ack.Equal(lastAck) {
			acks++
			if acks >= 3 {
				interval = ack.Sub(lastAck)
			}
			lastAck = ack
			continue
		}
		if interval == 0 || time.Since(ack) < time.Duration(zombieFactor*float64(interval)) {
			continue
		}
		d.b.log.Warn("gateway heartbeats are not acknowledged; reconnecting to resume", "since_ack", time.Since(ack).Round(time.Millisecond), "interval", interval)
		d.connected.Store(false)
		d.resumeNow.Store(true) // a zombie is no flapping connection: reconnect at once
		lastAck, acks, interval = time.Time{}, 0, 0
		// discordgo emits DISCONNECT after closing; serve then reconnects
		// with the session kept.
		if err := d.s.CloseWithCode(zombieCloseCode); err != nil {
			d.b.log.Warn("closing the zombie connection", "err", err)
		}
	}
}
