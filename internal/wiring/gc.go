package wiring

import (
	"os"
	"runtime/debug"
)

// servingGCPercent is the collector's GOGC in a process that serves
// questions: the heap may grow by half its live size between collections
// instead of by all of it.
//
// Why: such a process holds little live heap (about 12 MB with the shipped
// corpus: the speller, caches, the index) and allocates about 0.6 MB per
// answer, so at the default of 100 the heap swung up to twice its live
// size, some 12 MB of the 100 MB the process is allowed. At 50 the
// collections come twice as often (every ten answers or so, each a few
// milliseconds of marking on the other core): measured with `bench
// --measure-serving` and `go test -bench Ask ./bench` on the 2-core
// machine, ask latency (p50 ~5 ms) and the process's CPU time did not
// change beyond the noise, and the peak fell by about 6 MB. The setting
// is relative to the live heap, so a large corpus (a 183 MB heap at
// 100,000 passages) is not made to collect constantly, as a fixed soft
// memory limit (debug.SetMemoryLimit) below its live heap would; an
// operator who knows the machine's memory can still set GOMEMLIMIT, which
// the runtime honours, or GOGC, which this leaves alone.
const servingGCPercent = 50

// ServingGC sets the collector for a process that serves questions
// (serve, chat, ask, search, and the benchmark's serving process), unless
// GOGC is set in the environment.
func ServingGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(servingGCPercent)
	}
}
