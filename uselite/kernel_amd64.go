package uselite

import "golang.org/x/sys/cpu"

// The assembly micro-kernels, best first. Each is gated on the CPU (and the
// OS saving the wider registers), which golang.org/x/sys/cpu checks; it also
// honours GODEBUG=cpu.avx512f=off and similar to force a narrower kernel.
var (
	haveAVX512 = cpu.X86.HasAVX512F
	haveAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
)

func init() {
	switch {
	case haveAVX512:
		kernel = kernelAVX512
	case haveAVX2:
		kernel = kernelAVX2
	}
}

//go:noescape
func kernel6x32AVX512(k int, a, b, c *float32, ldc int, bias *float32)

//go:noescape
func kernel6x16AVX2(k int, a, b, c *float32, ldc int, bias *float32)

// availableKernels lists the kernels this CPU can run, for tests.
func availableKernels() []kernelKind {
	ks := []kernelKind{kernelGo}
	if haveAVX2 {
		ks = append(ks, kernelAVX2)
	}
	if haveAVX512 {
		ks = append(ks, kernelAVX512)
	}
	return ks
}

func microKernel(k int, a, b, c []float32, ldc int, bias []float32) {
	switch kernel {
	case kernelAVX512:
		kernel6x32AVX512(k, &a[0], &b[0], &c[0], ldc, &bias[0])
	case kernelAVX2:
		kernel6x16AVX2(k, &a[0], &b[0], &c[0], ldc, &bias[0])
	default:
		microKernelGo(k, a, b, c, ldc, bias)
	}
}
