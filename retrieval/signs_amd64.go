package retrieval

import "golang.org/x/sys/cpu"

// signSums512AVX2 is signSumsGo in AVX2 (signs_amd64.s) for codes of 64
// bytes (up to 512 dimensions): a row's bytes and each query plane are
// ANDed, counted a nibble at a time with a table lookup (VPSHUFB), the
// planes' counts weighted by doubling, and the bytes summed (VPSADBW).
// The portable loop takes 27 ns a row, four times what reading the row
// from memory takes; one query at a million passages scans 2.7M rows.
//
//go:noescape
func signSums512AVX2(codes *byte, planes *uint64, rows int, out *uint32)

// signSums512AVX512 is signSums512AVX2 with AVX-512's word population
// count, a quarter of the instructions a row.
//
//go:noescape
func signSums512AVX512(codes *byte, planes *uint64, rows int, out *uint32)

var hasPopcnt512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VPOPCNTDQ

func signSums(codes []byte, q *signQuery, out []uint32) {
	if len(out) == 0 {
		return
	}
	if !cpu.X86.HasAVX2 || len(q.planes) != queryBits*8 {
		signSumsGo(codes, q, out)
		return
	}
	_ = codes[len(out)*64-1] // the kernel reads this far
	if hasPopcnt512 {
		signSums512AVX512(&codes[0], &q.planes[0], len(out), &out[0])
		return
	}
	signSums512AVX2(&codes[0], &q.planes[0], len(out), &out[0])
}
