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
// chunks are found by slot (4096 + 65536*i, up to the file size) and by magic.
// Records are found by scanning each chunk for record headers whose leading
// and trailing sizes agree, so one damaged record costs one record, not a
// chunk. Each record's BinXML is decoded with github.com/0xrawsec/golang-evtx
// v1.2.9 (chunk tables, ParseEvent, GoEvtxMap) on the caller's goroutine
// inside recover(); none of its goroutine APIs is used. The golang-utils
// logger golang-evtx reports to is silenced once per process.
//
// Checksums (file header, chunk header, chunk records) are verified here and
// mismatches reported as warning Problems: the data is still read.
//
// # Normalisation
//
// golang-evtx's map is turned into a typed Record: EventID with Qualifiers
// kept apart, the provider recovered from the classic <Provider Name="x"/>
// shape, GUIDs upper-case with braces, Keywords as uint64, TimeCreated exact
// to 100 ns in UTC, and event data as an ordered []Field. Unnamed data from
// classic string arrays may have lost empty strings (golang-evtx drops them);
// Record.DataMayBeShifted says so, and ExtractIC recovers IC values by
// pattern (GUID, version) in that case and flags the event Ambiguous.
// ICEvent.VMID is lower-case without braces.
//
// # Guarantees and limits
//
// No input makes the package panic, hang or allocate beyond what the input
// holds: every offset and size is checked before use, and limits come from
// Options (zero value = defaults): MaxFileSize (1 GiB), MaxRecordsPerChunk
// (8192), MaxDataFields (1024 per record), MaxDataSize (1 MiB per record).
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
