package retrieval

import "golang.org/x/sys/cpu"

// dotsInt8AVX2 is dotsInt8Go in AVX2 (dot_int8_amd64.s) for dimensions that
// are a multiple of 16: vek has float kernels only, and the portable loop
// is eight times slower than the memory it reads.
//
//go:noescape
func dotsInt8AVX2(codes *int8, q *int16, dim, rows int, out *int32)

func dotsInt8(codes []int8, q []int16, out []int32) {
	if len(out) == 0 {
		return
	}
	if !cpu.X86.HasAVX2 || len(q)%16 != 0 || len(q) == 0 {
		dotsInt8Go(codes, q, out)
		return
	}
	_ = codes[len(out)*len(q)-1] // the kernel reads this far
	dotsInt8AVX2(&codes[0], &q[0], len(q), len(out), &out[0])
}
