//go:build !unix

package rfsapi_test

import "time"

// processCPU is unknown here: BenchmarkLoad reports 0 CPU per request.
func processCPU() time.Duration { return 0 }
