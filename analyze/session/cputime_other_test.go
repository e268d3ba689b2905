//go:build !unix

package session

import "time"

func processCPU() (time.Duration, bool) { return 0, false }
