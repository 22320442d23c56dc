//go:build !race

package detectors_test

const raceEnabled = false
