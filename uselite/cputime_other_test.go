//go:build !unix

package uselite

import "time"

func processCPUTime() time.Duration { return 0 }
