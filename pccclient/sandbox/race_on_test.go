//go:build race

package sandbox_test

// raceEnabled scales down load tests under the race detector.
const raceEnabled = true
