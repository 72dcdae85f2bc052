//go:build !amd64

package uselite

var useAVX2 = false

func microKernel(k int, a, b, c []float32, ldc int, bias []float32) {
	microKernelGo(k, a, b, c, ldc, bias)
}
