package retrieval

import (
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// Both assembly kernels (signSums picks one by the CPU) give the portable
// loop's sums, on rows of every bit pattern and block lengths that are not
// a multiple of anything.
func TestSignKernelsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	const dim = 512
	for _, rows := range []int{1, 7, 64, 513} {
		codes := make([]byte, rows*signBytes(dim))
		for i := range codes {
			codes[i] = byte(rng.IntN(256))
		}
		copy(codes, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}) // a word of every bit
		sq := newSignQuery(randomUnit(rng, dim))
		want := make([]uint32, rows)
		signSumsGo(codes, sq, want)
		kernels := map[string]func(*byte, *uint64, int, *uint32){}
		if cpu.X86.HasAVX2 {
			kernels["AVX2"] = signSums512AVX2
		}
		if hasPopcnt512 {
			kernels["AVX-512"] = signSums512AVX512
		}
		for name, k := range kernels {
			got := make([]uint32, rows)
			k(&codes[0], &sq.planes[0], rows, &got[0])
			for r := range rows {
				if got[r] != want[r] {
					t.Fatalf("%s, %d rows: row %d sum %d, portable %d", name, rows, r, got[r], want[r])
				}
			}
		}
	}
}
