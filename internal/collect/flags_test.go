package collect

import "flag"

var update = flag.Bool("update", false, "regenerate testdata files")

// seedDir holds the fuzz seeds (documented in its README.md).
const seedDir = "../../testdata/collect"
