//go:build race

package provider_test

// raceEnabled: the race detector is on, which makes allocation counts
// meaningless (it allocates, and sync.Pool drops what it is given at random).
const raceEnabled = true
