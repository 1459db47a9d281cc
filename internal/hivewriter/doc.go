// Package hivewriter builds Windows registry hive files (regf) in memory,
// for tests and fixture generators: never for production data.
//
// Format reference: Maxim Suhanov, "Windows registry file format
// specification" (github.com/msuhanov/regf) and libyal's "Windows NT
// Registry File (REGF) format" document.
//
// What it writes:
//   - a 4096-byte base block (HBASE_BLOCK, "regf") with sequence numbers,
//     timestamp, version 1.5 by default, root cell offset, hive-bins size and
//     the XOR checksum at offset 508;
//   - hive bins ("hbin") of 4 KiB multiples; a cell that does not fit the
//     current bin starts a new one sized to hold it; the rest of each bin is
//     one free cell;
//   - nk (CM_KEY_NODE) cells with compressed (Latin-1) names when possible
//     and UTF-16LE otherwise (or always, with UTF16Names), class names,
//     last-write FILETIMEs at 100 ns precision;
//   - vk (CM_KEY_VALUE) cells, data inline in the offset field when at most
//     4 bytes, in a data cell up to 16344 bytes, and as big data (db,
//     CM_BIG_DATA: segment list and 16344-byte segments) above that;
//   - value lists, subkey lists sorted by upper-cased name as lh (default),
//     lf or li leaves, split under an ri index above MaxLeaf entries, and
//     optionally a self-referencing ri (SelfReferencingRI) to test readers'
//     cycle checks;
//   - one shared sk (CM_KEY_SECURITY) cell with a minimal self-relative
//     security descriptor.
//
// Dirty and DirtySteps produce a dirty base hive (primary sequence number !=
// secondary) and a new-format transaction log (.LOG1: a 512-byte copy of
// the base block with file type 6, then HvLE entries whose dirty pages are
// the 4 KiB pages that changed, with Marvin32 hashes, seed
// 0x82EF4D887A4E55C5, over the entry's page data (hash-1) and its first 32
// bytes (hash-2)). DirtyOld writes the old format instead (Vista to
// Windows 8 / 2012: a 512-byte base block copy with file type 1, "DIRT", a
// bitmap of dirty 512-byte sectors and the sectors).
//
// Shapes, HostSoftware, GuestSoftware and Fixtures build SOFTWARE hives of
// Hyper-V hosts and guests (2008 R2, 2012, 2012 R2) with the values of
// domain.md §2; AddFiller grows a hive with unrelated keys (about 100 MiB
// in a few seconds) for benchmarks.
//
// Limits: the whole hive is built in memory and must stay below 2 GiB;
// names up to 65535 bytes; at most 65535 entries per leaf or index. The
// builder trusts its caller: it is not hardened against hostile input.
package hivewriter
