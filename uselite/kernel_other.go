//go:build !amd64

package uselite

func availableKernels() []kernelKind { return []kernelKind{kernelGo} }

func microKernel(k int, a, b, c []float32, ldc int, bias []float32) {
	microKernelGo(k, a, b, c, ldc, bias)
}
