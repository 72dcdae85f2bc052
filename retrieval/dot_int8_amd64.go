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

//go:noescape
func dotsInt8RowsAVX2(codes *int8, rows *int32, n int, q *int16, dim int, out *int32)

// dotsInt8Rows is dotsInt8 for the listed rows of codes (dot_int8.go).
func dotsInt8Rows(codes []int8, rows []int32, q []int16, out []int32) {
	if len(rows) == 0 {
		return
	}
	if !cpu.X86.HasAVX2 || len(q)%16 != 0 || len(q) == 0 {
		dotsInt8RowsGo(codes, rows, q, out)
		return
	}
	_ = out[len(rows)-1]
	for _, r := range rows {
		_ = codes[(int(r)+1)*len(q)-1] // the kernel reads this far
	}
	dotsInt8RowsAVX2(&codes[0], &rows[0], len(rows), &q[0], len(q), &out[0])
}
