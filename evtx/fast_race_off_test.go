//go:build !race

package evtx

// raceEnabled trims the equivalence tests under the race detector (ten
// times slower): the concurrency they check does not depend on input size.
const raceEnabled = false
