package bot

import (
	"crypto/sha256"
	"encoding/hex"
)

// userHash identifies a user in logs and feedback without storing the ID.
func userHash(id string) string {
	if id == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(id))
	return hex.EncodeToString(sum[:])
}

// shortHash is userHash cut to a length that is still unique in practice,
// for log lines.
func shortHash(id string) string {
	h := userHash(id)
	if len(h) > 16 {
		h = h[:16]
	}
	return h
}
