//go:build !unix

package lang

import (
	"errors"
	"os"
)

// mapFile is not available here: the pack is read onto the heap.
func mapFile(*os.File, int64) ([]byte, func([]byte), error) {
	return nil, nil, errors.New("no mmap")
}
