package evtx

import "flag"

// long runs the exhaustive silence and validator-mirror tests: every
// damage position and the whole corpus twice, instead of the sample plain
// go test takes (.ci/run passes -long).
var long = flag.Bool("long", false, "run the exhaustive silence and validator-mirror tests")

// exhaustive reports whether this run takes the exhaustive variants: with
// -long, and not under the race detector (too slow there).
func exhaustive() bool { return *long && !raceEnabled }
