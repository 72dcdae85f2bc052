// Package incidentbot holds the domain types every other package speaks:
// articles and their passages, search results, and grounded answers with
// citations, and the small interfaces the adapters meet (Answerer,
// Library, Refresher, the State behind them). Technology lives in adapter
// packages around it:
//
//	corpus/     the shipped articles and the loader that validates them
//	retrieval/  passages, BM25 + sentence-encoder hybrid search, snapshots, following the newest
//	refresh/    the one refresh service: Plan, then Apply under the shared lock
//	filestate/  the shared State as files in the data folder (one machine)
//	postgres/   the shared State in PostgreSQL (several machines; pgx)
//	uselite/    the pure-Go Universal Sentence Encoder Lite
//	openai/     OpenAI-compatible embeddings and chat (go-openai)
//	answer/     extractive and LLM answers, citation checks, summaries, timelines
//	prompts/    the prompt templates
//	bot/        Discord: router, middleware, handlers (speaks the root's interfaces only)
//	ops/        /healthz and Prometheus /metrics
//	cmd/incidentbot/  flags and wiring: config into plain options, adapters into interfaces
//
// A question flows Discord event (bot) → retrieval → answer → rendered reply (bot).
package incidentbot
