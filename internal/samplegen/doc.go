// Package samplegen builds hvic's bundled sample collection
// (testdata/sample): a Windows Server 2012 R2 Hyper-V host's SOFTWARE hive
// and event logs, and the registry of six of its guests in the forms a
// support engineer receives them (hives, a dirty hive with its .LOG1, a
// .reg export, reg query text). Every byte is synthetic, written with the
// project's fixture writers (internal/hivewriter, internal/evtxwriter), and
// the output is deterministic: the same bytes on every run.
//
//	go run ./internal/samplegen/cmd/samplegen testdata/sample
//
// The expected verdict of every VM is in VMs() (Case, Action); the root package's tests
// assert it.
//
// The generator trusts its own constant input; it is for fixtures only and
// is never linked into the library.
package samplegen
