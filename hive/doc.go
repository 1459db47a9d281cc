// Package hive reads Windows registry hive files (regf) offline, replays
// their transaction logs in memory, and exposes keys and typed values
// through the shared Key/Value model, which .reg exports and reg query text
// also fill.
//
// # Usage
//
// Tell the form by content, read it, and take the IC facts:
//
//	switch hive.Sniff(head) { // hive, hive-log, reg-export, reg-query
//	case hive.KindHive:
//		h, err := hive.Open(ctx, "SOFTWARE", nil) // .LOG1/.LOG2 beside it are replayed
//		facts := hive.ExtractFacts(h, "SOFTWARE")
//	case hive.KindRegExport:
//		e, err := hive.ParseReg(ctx, data, nil)
//		facts := hive.ExtractFacts(e, "guest.reg")
//	case hive.KindRegQuery:
//		e, err := hive.ParseRegQuery(ctx, data, nil)
//	}
//
// Both a Hive and an Export are KeyReaders: Key(path) gives a Key with its
// Values (Value.Text decodes strings and numbers; Value prints as text),
// and Walk visits a subtree with fn(key, err). Hive.Recovery says which
// transaction logs were applied or refused; Problems lists what damage
// cost. Facts carry each value's source (file, key, value, replayed). The
// rest of this comment is the format and how the package reads it, for
// maintainers.
//
// # Format
//
// A hive is a 4096-byte base block ("regf": sequence numbers, root cell
// offset, hive-bins data size, XOR-32 checksum of its first 508 bytes)
// followed by hive bins ("hbin", multiples of 4096 bytes) holding cells. A
// cell is a signed 32-bit size (negative when allocated) and a record: nk
// (CM_KEY_NODE, a key), vk (CM_KEY_VALUE), lf/lh/li/ri (CM_KEY_INDEX,
// subkey lists), db (CM_BIG_DATA, values over 16344 bytes) or sk. Offsets
// in cells are relative to the first hbin. Names are Latin-1 when the
// compressed-name flag (0x0020 for nk, 0x0001 for vk) is set, UTF-16LE
// otherwise. Data of 4 bytes or less sits in the vk's offset field when
// the size's high bit is set.
//
// A hive whose primary and secondary sequence numbers differ is dirty: its
// newest state is in the transaction logs. New-format logs (Windows 8.1 /
// 2012 R2 and later) hold a base block then HvLE entries (size, flags,
// sequence, hive-bins size, dirty-page references and the pages, with two
// Marvin32 hashes); entries apply from the log header's sequence number
// on, consecutively, until the first invalid one; of .LOG1 and .LOG2 the
// one with the lower starting sequence goes first. Old-format logs (Vista
// to 2012) hold a base block, a "DIRT" signature, a bitmap of dirty 512-byte
// sectors and the dirty sectors. A base block that fails its checksum is
// restored from a log's header.
//
// Recovery reports the logs applied and refused, with entry and page
// counts (pages as regipy counts them: HvLE page references, or DIRT
// 512-byte sectors); Key.FromLog marks keys whose cells came from a
// restored page.
//
// References: Maxim Suhanov, "Windows registry file format specification"
// (github.com/msuhanov/regf); Joachim Metz, libregf "Windows NT Registry
// File (REGF) format" documentation.
//
// # Exports and facts
//
// ParseReg reads regedit exports: "Windows Registry Editor Version 5.00"
// (UTF-16LE with BOM, or UTF-8) and ANSI "REGEDIT4"; [key] and deleted
// [-key] sections, "name"=value and "name"=- lines, @ for the default
// value, line continuations, hex:, hex(N):, dword: and quoted strings with
// their escapes. HKEY_LOCAL_MACHINE\SOFTWARE and HKLM\Software prefixes map
// to the SOFTWARE hive root; keys outside it are kept and reported
// (ErrOutsideSoftware). ParseRegQuery reads the text of reg query: key lines,
// "    Name    REG_TYPE    Data" rows, (Default) and (既定) names, several
// pasted queries, the "End of search" line in English or Japanese; UTF-8,
// UTF-16 with BOM or Shift-JIS. Both build an Export, the same Key/Value
// model as a hive; a bad line is a problem, the rest is kept. Sniff tells the
// three kinds apart by content.
//
// ExtractFacts turns any KeyReader into typed IC facts: HostFacts (every
// GuestInstaller\Version value, Virtualization\Version, the OS identity) and
// GuestFacts (Virtual Machine\Auto, Guest\Parameters, VssRequestor
// BackupType, the last-write times of Auto and Parameters), each value with
// its source (file, key, value, replayed from a log). A source is a host, a
// guest, both or neither by its content, never by its file name. Versions
// stay strings; package kb parses them.
//
// # Relation to regparser
//
// The project mandates www.velocidex.com/golang/regparser. The fixed fields
// of key nodes (nk) and key values (vk) are read through its generated
// accessors (CM_KEY_NODE, CM_KEY_VALUE), but only over the bytes of one
// cell already bounds-checked here, and under recover(). Everything else is
// this package's own, because regparser is unsafe or wrong on exactly the
// inputs that matter here: Subkeys() and OpenKey() recurse without limit
// through ri lists (a stack overflow that recover() cannot stop), names
// ignore the compressed-name flag, FILETIMEs lose precision, ValueData()
// panics on short data, and its log replay (RecoverHive) applies no page of
// real logs. The package never calls those. regparser's full path also serves as the
// independent cross-check in the tests (same keys, values and data on clean
// hives) and as the baseline of the 100 MiB benchmark.
//
// # Guarantees
//
//   - No panic escapes: the decoding is the package's own, every offset and
//     length is checked before use, and FromBytes recovers from any panic
//     into an ErrCorrupt error as a last resort.
//   - Memory is bounded: the hive is read whole once (refused above
//     Options.MaxHiveSize; FromReader and Open skip all-zero chunks, so a
//     sparse file costs what it holds, and replay updates that buffer in
//     place). Logs are read in place, entry by entry, at most MaxLogBytes
//     of each (four times the hive plus 16 MiB, within MaxLogSize). Replay
//     never grows the image past the base file plus the log bytes it may
//     use plus 1 MiB: an entry declaring more is not applied and is
//     reported (ErrTooLarge). Every other allocation is bounded by the
//     bytes present and by MaxSubkeys, MaxValues and MaxValueSize.
//   - Cancellation: Open, OpenFS, FromBytes, FromReader, ParseReg and
//     ParseRegQuery check their context between 1 MiB chunks, log
//     entries, DIRT runs and every 4096 lines, and return its error.
//   - No silent loss: a key on a looked-up path that cannot be reached
//     because its parent's subkey list is damaged is ErrCorrupt ("key
//     A\B: unreadable: damaged subkey list in its parent"), never
//     ErrKeyNotFound; and
//     ExtractFacts reports the Problems of every key it reads. One cause
//     reads as one problem there: a key's damaged cells of one kind are
//     one error naming the first in full and counting the others, with
//     the keys its damaged subkey list made unreadable (capped, "and N
//     others"); it unwraps to every error it merges, the first first.
//   - Recursion is bounded: key depth and ri nesting are capped by
//     MaxDepth, and subkey lists carry a visited set, so a self-referencing
//     index list returns ErrCorrupt instead of exhausting the stack.
//   - Damage gives partial results: a refused log, a bad cell or a cut
//     list is reported (Hive.Problems, Recovery, the error of one Key) and
//     the rest stays readable.
//
// # Limits
//
// Format versions 1.2 to 1.6 are read (Windows NT 3.51 and later); 1.0
// and 1.1, with their different cell layout, fail with ErrBadBaseBlock.
// The package reads; it never writes a hive. Deleted (unallocated) cells
// are not recovered, security (sk) cells are not decoded, and transactional
// registry (KTM, .TM.blf/.regtrans-ms) logs are not read. Key names are
// compared with Unicode simple case folding, close to but not exactly
// Windows' upcase table.
package hive
