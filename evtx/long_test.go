package evtx

import "flag"

// long runs the exhaustive variants: the silence and validator-mirror
// tests at every damage position and over the whole corpus twice, the
// forced IC layouts in every place among noise (TestScanICGenerated), the
// full-decode comparisons on every damaged log (TestScanICDamaged),
// instead of the sample plain go test takes (.ci/run passes -long).
var long = flag.Bool("long", false, "run the exhaustive variants (silence, validator mirror, layouts, damage)")

// exhaustive reports whether this run takes the exhaustive variants: with
// -long, and not under the race detector (too slow there).
func exhaustive() bool { return *long && !raceEnabled }
