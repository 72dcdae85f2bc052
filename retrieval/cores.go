package retrieval

import "sync"

// onEveryCore calls f(worker, i) for every i in [0, n), the i spread over
// workers goroutines (one per core: runtime.GOMAXPROCS(0)); worker, from
// 0 to workers-1, is for state kept per goroutine. Reading the articles' texts
// (chunking, hashing, counting words) is the slow part of building an
// index at scale, and each article is read independently.
func onEveryCore(workers, n int, f func(worker, i int)) {
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				f(w, i)
			}
		}()
	}
	wg.Wait()
}
