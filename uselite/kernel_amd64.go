package uselite

import "golang.org/x/sys/cpu"

// useAVX2 selects the assembly micro-kernel. Tests switch it off to check the
// portable kernel against the reference too.
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kernel6x16AVX2 is microKernelGo in AVX2/FMA assembly, with k ≥ 1.
//
//go:noescape
func kernel6x16AVX2(k int, a, b, c *float32, ldc int, bias *float32)

func microKernel(k int, a, b, c []float32, ldc int, bias []float32) {
	if useAVX2 {
		kernel6x16AVX2(k, &a[0], &b[0], &c[0], ldc, &bias[0])
		return
	}
	microKernelGo(k, a, b, c, ldc, bias)
}
