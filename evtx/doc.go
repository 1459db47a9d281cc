// Package evtx reads Windows XML event logs (.evtx) offline, including the
// dirty and damaged logs copied off live Hyper-V hosts, and extracts the
// Hyper-V Integration Services (IC) evidence from them (ExtractIC).
//
// # Format
//
// References: libyal's "Windows XML Event Log (EVTX) format" document
// (github.com/libyal/libevtx, documentation/) and Microsoft's [MS-EVEN6]
// BinXml section. An EVTX file is a 4096-byte file header (ELFFILE_HEADER,
// signature "ElfFile\0", CRC32 of its first 120 bytes at offset 124)
// followed by 65536-byte chunks (signature "ElfChnk\0"). Each chunk has a
// 512-byte header (header CRC32 over bytes 0-119 and 128-511 at offset 124,
// event-records CRC32 at offset 52), a string table and a template table,
// then event records: "**\0\0", a 32-bit size, a 64-bit record identifier,
// a FILETIME, the BinXML event, and the size repeated at the end.
//
// # How it reads
//
// The file header is parsed and checked but its chunk count is never trusted:
// chunks are found by slot (4096 + 65536*i, up to the file size, a partial
// last slot included) and by the "ElfChnk\0" magic. All-zero slots are
// unused; other slots without the magic are skipped and reported with the
// number of record headers seen inside. In each chunk, records are found by
// walking record headers ("**\0\0", a size whose trailing copy agrees)
// from offset 512 to the chunk's free-space offset; damaged bytes between
// records count as one failed record (Problem.Lost estimates the records
// lost from the identifier gap) and the walk resumes at the next
// well-formed header, so one damaged record costs one record, not a chunk.
// Past the free-space offset only records that continue the identifier
// sequence are read (the open chunk of a dirty log); the rest is slack of a
// reused chunk and is ignored, as other tools do.
//
// Each record's BinXML is decoded by github.com/0xrawsec/golang-evtx
// v1.2.9 (its exported Parse, with the chunk's template cache) on the
// caller's goroutine inside recover(); none of its goroutine APIs
// (Events, FastEvents, UnorderedEvents, Chunks, Chunk.Events) is used, nor
// its GoEvtxMap: the element tree is converted here, which keeps element
// order, attribute names (the classic <Provider Name="storvsp"/> shape),
// EventID Qualifiers and exact typed values. golang-evtx reads through a
// reader that stops at the record's end and at a per-record budget, and
// each token it peeks is checked first (validate.go): structures it would
// reject, and template definitions that refer back to themselves, fail the
// record before golang-evtx can print about them or recurse without end.
// The golang-utils logger it reports to is silenced once per process with
// its level setter. A template cached while decoding a failed record is
// dropped so it cannot spoil the chunk's later records.
//
// Checksums (file header, chunk header, chunk records) are verified here and
// mismatches reported as warning Problems: the data is still read.
//
// # Normalisation
//
// Record has EventID and Qualifiers apart, ProviderGUID upper-case with
// braces ("{FC65DDD8-D6EF-4962-83D5-6E5CFE9CE148}"), Keywords as uint64,
// TimeCreated exact to 100 ns in UTC (the FILETIME read without
// golang-evtx's float conversion), and event data as an ordered []Field.
// golang-evtx drops empty strings from classic string arrays; the array is
// re-read here from the record's raw value bytes so that empty insertion
// strings keep their place. Only when those bytes cannot be located with
// certainty is golang-evtx's shortened list used and
// Record.DataMayBeShifted set; ExtractIC then recovers IC values by pattern
// (GUID, version) and flags the event Ambiguous. ICEvent.VMID is lower-case
// without braces ("5e0b5b3a-1b2c-4d3e-8f90-abcdef012345").
//
// # Guarantees and limits
//
// No input makes the package panic, hang or allocate beyond what the input
// holds: every offset and size is checked before use, one 64 KiB chunk is
// in memory at a time, recursion over file-supplied offsets has a depth cap
// and a loop check, and limits come from Options (zero value = defaults):
// MaxFileSize (1 GiB), MaxRecordsPerChunk (8192), MaxDataFields (1024 per
// record), MaxDataSize (1 MiB per record); reaching one is a Problem.
// Damage yields partial results plus typed Problems (Stats), each with a
// *FormatError wrapping a sentinel (ErrNotEVTX, ErrCorrupt, ErrTruncated,
// ErrChecksum, ErrTooLarge, ErrDecode). Cancellation is checked once per
// chunk. The package prints nothing and keeps no mutable state of its own.
//
// # IC evidence
//
// ExtractIC keys on (provider, event ID), never the ID alone:
// Microsoft-Windows-Hyper-V-Integration-<Component> 4010, 4000 and 4096;
// Microsoft-Windows-Hyper-V-VmSwitch and VMSMP 27 and 26; classic storvsp 6
// and 5 (not Microsoft-Windows-Hyper-V-StorageVSP 6, an I/O error);
// Microsoft-Windows-Hyper-V-Worker 23014; any other Hyper-V Integration
// record is returned as ICRelated.
package evtx
