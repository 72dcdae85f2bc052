package bot

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/bwmarrin/discordgo"
)

// Discord error codes the bot handles by name.
const (
	codeUnknownMessage      = 10008 // the message was deleted (e.g. the "thinking…" one)
	codeUnknownWebhook      = 10015
	codeUnknownInteraction  = 10062 // not acknowledged within 3 s, or already gone
	codeAlreadyAcknowledged = 40060
	codeInvalidWebhookToken = 50027 // the 15-minute interaction token expired
)

// discordCode extracts Discord's JSON error code, or 0.
func discordCode(err error) int {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Message != nil {
		return re.Message.Code
	}
	return 0
}

// errGone is returned for replies to an event already known to be gone.
var errGone = errors.New("the interaction or its message is gone")

// isGone reports an error after which nothing more can be shown for this
// event: the interaction or its message no longer exists.
func isGone(err error) bool {
	if errors.Is(err, errGone) {
		return true
	}
	switch discordCode(err) {
	case codeUnknownMessage, codeUnknownWebhook, codeUnknownInteraction, codeInvalidWebhookToken, codeAlreadyAcknowledged:
		return true
	}
	return false
}

// countDiscordError counts a failed Discord call by its code ("http" when
// the error carries none).
func (s *service) countDiscordError(err error) {
	code := "other"
	if c := discordCode(err); c != 0 {
		code = strconv.Itoa(c)
	} else {
		var re *discordgo.RESTError
		if errors.As(err, &re) && re.Response != nil {
			code = "http_" + strconv.Itoa(re.Response.StatusCode)
		}
	}
	s.metrics.discordErrors.WithLabelValues(code).Inc()
}

// restFailed logs and counts a failed REST call for ev and returns it
// wrapped. Errors that mean the event is gone are logged at Info: a
// deleted message or expired token is normal, not a fault.
func (d *discord) restFailed(ev *Event, what string, err error) error {
	d.b.countDiscordError(err)
	log := logFor(d.b.log, ev)
	if isGone(err) {
		log.Info(what+": the interaction or message is gone", "code", discordCode(err))
	} else {
		log.Warn(what+" failed", "err", err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
