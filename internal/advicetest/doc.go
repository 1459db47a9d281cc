// Package advicetest holds no code: its tests check that the output of
// every collection command kb advises (kb.Table.Collect) whose reader
// exists is read back by that reader, attributed to its VM, and that a
// collection of Get-VM CSV, reg query text and event exports in every
// form gives, through kb.Evaluate, the verdicts of the same collection
// with .evtx files. It lives apart because kb knows no file format; the
// conversions in its tests stand in for the phase-2 wiring of the
// collection scan.
package advicetest
