// Package benchgen generates large, realistic EVTX logs for benchmarks and
// for the equivalence tests of the evtx fast path, with the test writer
// internal/evtxwriter.
//
// A generated System log is a deterministic (seeded) mix of events from
// about twenty ordinary System providers (Service Control Manager, Kernel-
// General, Kernel-Power, EventLog, Time-Service, DNS Client, disk, Ntfs, ...)
// in the manifest and classic layouts, with IC evidence records (Hyper-V
// Integration 4010/4000, VmSwitch 27, classic storvsp 6, Worker 23014) placed
// at chosen record positions. Noise events never name a Hyper-V provider,
// storvsp or VMSMP, so the chunks that hold no IC record are exactly the
// chunks the fast path may skip. Options.HyperVHost (HyperVHost: 250,000
// records, about 114 MB) is the exception: a real Hyper-V host's System
// log, whose noise puts VmSwitch 232/233/234, Hypervisor and VMMS events
// in every chunk, so that only the record-level filter can skip work.
//
// Large files are cached under os.TempDir() by name and a version string
// (Cached), so repeated benchmark runs do not regenerate them.
//
// Format: the files are EVTX as internal/evtxwriter writes them (libyal's
// "Windows XML Event Log (EVTX) format": a 4 KiB file header, 64 KiB chunks
// with string and template tables, BinXML template instances).
//
// Guarantees and limits: the package is for tests, benchmarks and scripts
// only. Its input is its own Options, not hostile data. It prints nothing
// and keeps no package-level mutable state (the provider table and word
// list are read-only). Generate holds the whole file in memory (about 500
// bytes a record); Cached writes through a temporary file and a rename, so
// concurrent benchmark processes never read a half-written input.
package benchgen
