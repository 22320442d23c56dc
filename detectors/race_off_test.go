//go:build !race

package detectors

// RaceEnabled: see race_on_test.go.
const RaceEnabled = false
