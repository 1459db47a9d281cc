// Package hostile builds hostile inputs for hvic at any scale: small ones
// in tests, where the bound each defends is asserted (memory budget
// high-water mark, open files, problems reported, refused count), and
// full-size ones for the measurements of scripts/hostile-*.sh
// (cmd/gencollect, cmd/genhive, cmd/genevtx), which report peak memory
// and time. It prints nothing and keeps no state.
//
// collect.go builds the collection classes: a zip of entries refused for
// unsafe names, nested zips, a zip of overlapping entries, a zip whose
// central directory is cut, a zip of small entries each under the ratio
// floor (a bomb only in total), a folder of many zips, a tree of symbolic
// links leading out of it, and sparse hives with three logs each. hive.go
// builds the damaged and oversized hives, evtx.go the costly event logs.
package hostile
