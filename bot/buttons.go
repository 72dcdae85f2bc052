package bot

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// The buttons under an answer (👍, 👎, "show sources") name the answer in
// their custom_id. Discord sends back whatever custom_id a click carries,
// and a client can send one of its own making, so each is signed with a
// key made when the process starts: a click is taken only on a button this
// process sent, for the answer it was sent with. A made-up or altered id,
// or one from before a restart, gets msgButtonExpired and changes nothing.

const msgButtonExpired = "That button has expired. Ask again for an answer with buttons that work."

// buttonSigner signs and checks custom_ids.
type buttonSigner struct{ key []byte }

func newButtonSigner() *buttonSigner {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24+)
	return &buttonSigner{key: key}
}

// sigLen is the signature's length in custom_id: 96 bits, base64url. A
// custom_id may have 100 characters; "fb:down:" and a snowflake take 27.
const sigLen = 16

func (b *buttonSigner) sig(payload string) string {
	m := hmac.New(sha256.New, b.key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))[:sigLen]
}

// sign returns payload with its signature: "payload:sig".
func (b *buttonSigner) sign(payload string) string {
	return payload + ":" + b.sig(payload)
}

// verify returns the payload of a custom_id that sign made, or false.
func (b *buttonSigner) verify(customID string) (string, bool) {
	i := strings.LastIndexByte(customID, ':')
	if i < 0 || len(customID)-i-1 != sigLen {
		return "", false
	}
	payload := customID[:i]
	return payload, hmac.Equal([]byte(customID[i+1:]), []byte(b.sig(payload)))
}
