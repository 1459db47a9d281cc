// Package advicetest holds no code: its tests check that the output of
// every collection command kb advises (kb.Table.Collect) whose reader
// exists is read back by that reader, attributed to its VM. It lives apart
// because kb knows no file format.
package advicetest
