//go:build race

package bot_test

// raceEnabled: under the race detector answers take several times longer,
// so tests of time budgets scale them.
const raceEnabled = true
