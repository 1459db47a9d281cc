// Package hvic decides, from files copied off Hyper-V hosts and guests,
// whether each virtual machine's Integration Services (IC) version matches
// its host's, which case of Microsoft KB2894285 applies, and what to do.
//
// One call does it all:
//
//	res, err := hvic.ScanPaths(ctx, []string{"collection.zip"}, nil)
//
// Scan (over an fs.FS) and ScanPaths (over OS paths) walk folders and ZIP
// archives, nested ones too; classify every file by content (EVTX "ElfFile",
// registry "regf", .reg export header, reg query text, hive transaction
// logs), never by name; pair each hive with its .LOG/.LOG1/.LOG2 siblings
// (replayed in memory when the hive is dirty); read the files in parallel
// (Options.Workers, default GOMAXPROCS); and hand the evidence to package kb:
//
//   - hosts are the computers named in the event records' Computer field; a
//     host's SOFTWARE hive, which holds no computer name as such, is tied to
//     the computer whose logs sit in the same folder tree, else to the name
//     it records of itself as a domain member (Group Policy's
//     Distinguished-Name), else to a known computer whose name is a folder
//     on its path, else to the only host in the collection (a warning);
//   - guests are tied to their VM and host by the Guest\Parameters values
//     the host writes into them (VirtualMachineId, VirtualMachineName,
//     HostName, PhysicalHostName);
//   - VMs are matched by VM ID first, by name second (kb), across several
//     hosts in one collection;
//   - coverage records which logs of which host were read and the period
//     each covers, so that kb tells "no event 4000" from "log not collected".
//
// The Result holds one kb.Assessment per VM (case, action, both IC
// versions, evidence), the findings, the IC events as a timeline, an
// inventory of hosts, VMs, guests and files (with their kind and role), and
// per-file Problems. Its JSON encoding is the JSON report of
// report/schema.md (its words in English; report.Localize words it in
// Japanese). Package report renders it as text, JSON, Markdown, CSV, SARIF
// or HTML, in English or Japanese.
//
// # Guarantees
//
// Input is treated as hostile. A damaged, refused or unreadable file never
// stops the scan: it becomes a Problem (a *FileError wrapping ErrRefused,
// ErrUnreadable, ErrDamaged or ErrInternal) and the Status is
// StatusPartial; StatusFailed means nothing analysable could be read.
// Damage in a file that cannot hold IC evidence (a hive that is neither
// SOFTWARE nor SYSTEM, an event log of another channel, told by content
// and by name only when the content cannot be read) is a Problem at
// SeverityInfo and leaves the Status complete. Archive
// entries whose names escape the archive ("../", absolute, drive letters),
// compression bombs (ratio over Options.MaxRatio), and entries beyond the
// size, count and nesting limits are refused one by one. Panics from the
// readers are recovered on the worker goroutine that called them. Memory is
// bounded by about Options.Workers times the largest file read with its
// transaction logs (each at most Options.MaxFileSize, 512 MiB by default),
// plus the events kept (Options.MaxEvents over the whole scan). The package prints nothing and keeps no mutable
// package state; Options.Progress is the only callback.
//
// # Limits
//
// Only ZIP archives are opened (7z, rar, cab, tar and compressed single
// files are listed as skipped). A host's SOFTWARE hive found with no event
// log of that host is named after its folder and reported. Event logs are
// read for their IC events only.
package hvic
