package retrieval

import (
	"container/heap"
	"math"
	"runtime"
	"sync"

	"github.com/viterin/vek/vek32"
)

// matrix holds unit vectors back to back. chromem's documents are given
// slices of it, so the vectors are stored once. Searching scans it directly:
// chromem's exhaustive query passes every document through a channel and a
// lock, which at 270k sentence vectors cost 400 ms a query; a parallel scan
// of contiguous memory costs a few.
type matrix struct {
	dim  int
	data []float32
}

func newMatrix(dim, rows int) *matrix {
	return &matrix{dim: dim, data: make([]float32, 0, dim*rows)}
}

// add appends v scaled to unit length and returns its row.
func (m *matrix) add(v []float32) []float32 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	scale := float32(1)
	if n > 0 {
		scale = float32(1 / math.Sqrt(n))
	}
	start := len(m.data)
	for _, x := range v {
		m.data = append(m.data, x*scale)
	}
	return m.data[start:len(m.data):len(m.data)]
}

func (m *matrix) rows() int { return len(m.data) / max(m.dim, 1) }

func (m *matrix) row(i int) []float32 { return m.data[i*m.dim : (i+1)*m.dim] }

// nearest returns the k rows most similar to q (a unit vector), best first.
func (m *matrix) nearest(q []float32, k int) []Scored {
	n := m.rows()
	k = min(k, n)
	if k <= 0 {
		return nil
	}
	workers := min(runtime.GOMAXPROCS(0), max(1, n/2048))
	parts := make([]minHeap, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := make(minHeap, 0, k+1)
			for i := w * n / workers; i < (w+1)*n/workers; i++ {
				s := float64(vek32.Dot(q, m.row(i)))
				if len(h) < k {
					heap.Push(&h, Scored{i, s})
				} else if s > h[0].Score {
					h[0] = Scored{i, s}
					heap.Fix(&h, 0)
				}
			}
			parts[w] = h
		}()
	}
	wg.Wait()
	all := make(minHeap, 0, k*workers)
	for _, p := range parts {
		all = append(all, p...)
	}
	return sortedTop(all, k)
}

// minHeap keeps the best k scores seen, worst on top.
type minHeap []Scored

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return h[i].Score < h[j].Score }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(Scored)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
