package bot

import (
	"context"
	"log/slog"
	"slices"
)

// Discord permission bits the checks use.
const (
	permAdministrator  int64 = 1 << 3
	permManageMessages int64 = 1 << 13
)

// roles says who moderates and who maintains the bot. Checked here, on the
// server side: default_member_permissions on a command is only a default
// that any server admin can change.
type roles struct {
	moderatorRoles, maintainerRoles, maintainerUsers []string
}

// moderator: a configured moderator role, or the Manage Messages (or
// Administrator) permission in the channel, or a maintainer.
func (r roles) moderator(ev *Event) bool {
	if ev.Trusted || r.maintainer(ev) {
		return true
	}
	if ev.Permissions&(permManageMessages|permAdministrator) != 0 {
		return true
	}
	return hasAny(ev.Roles, r.moderatorRoles)
}

// maintainer: a configured maintainer user or role.
func (r roles) maintainer(ev *Event) bool {
	if ev.Trusted {
		return true
	}
	return slices.Contains(r.maintainerUsers, ev.UserID) || hasAny(ev.Roles, r.maintainerRoles)
}

func hasAny(have, want []string) bool {
	for _, r := range have {
		if r != "" && slices.Contains(want, r) {
			return true
		}
	}
	return false
}

// onlyFor lets through the events allowed says may pass, and tells anyone
// else, ephemerally, that what they asked for "is for <whom>".
func onlyFor(allowed func(*Event) bool, whom string, log *slog.Logger) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, ev *Event) error {
			if !allowed(ev) {
				logFor(log, ev).Info("refused: not one of " + whom)
				return ev.reply.Send(ctx, Reply{Text: actionName(ev) + " is for " + whom + ".", Ephemeral: true})
			}
			return next(ctx, ev)
		}
	}
}
