// Package evtxwriter writes real Windows XML Event Log (EVTX) files for tests.
//
// It produces the on-disk format that Windows (wevtsvc) writes and that
// libyal's "Windows XML Event Log (EVTX)" format document describes:
//
//   - the file header (ElfFile\0): first and last chunk numbers, next record
//     identifier, header size 128, minor version 1, major version 3, header
//     block size 4096, chunk count, flags (1 = dirty, 2 = full) and the CRC32
//     of its first 120 bytes;
//   - 64 KiB chunks (ElfChnk\0) with first/last record numbers and identifiers,
//     header size 128, last record offset, free space offset, the CRC32 of the
//     records data, the 64-entry common string offset table, the 32-entry
//     template pointer table and the header CRC32 over bytes 0-120 and 128-512;
//   - event records (**\0\0, size, identifier, FILETIME written, binary XML,
//     copy of the size);
//   - binary XML fragments that hold a TemplateInstance token: a template
//     definition (identifier, GUID, data size, body) defined once per chunk and
//     referenced by offset afterwards, element and attribute tokens whose names
//     are chunk strings (next offset, hash, length, UTF-16 name) defined once
//     per chunk, normal and optional substitutions, and the substitution value
//     array with typed values (string, uint8/16/32/64, hex32/hex64, GUID, SID,
//     FILETIME, SYSTEMTIME, nested binary XML 0x21, string array 0x81).
//
// Three layouts are available (see [Layout]). All of them use a System
// template shaped like the generic one Windows 7 to 10 write (18 values in
// Windows' order: Level, Opcode, Task, EventID, Qualifiers, Keywords,
// TimeCreated, ActivityID, ProcessID, ThreadID, EventRecordID, Version,
// UserID, RelatedActivityID, provider Name, provider Guid, Channel, and the
// event data as a nested binary XML value 0x21 holding its own template
// instance; Computer is literal text, so there is one System template per
// computer), as seen in the System logs of the reference corpus:
//
//   - Manifest: provider Name/Guid and Channel are substitutions; EventData
//     is a nested template of named <Data Name=".."> elements (one template
//     per shape of names and types).
//   - Classic (event sources of the old event log API, such as storvsp and
//     VMSMP): <Provider Name="storvsp"/> with Name as its only attribute and
//     Channel are literal text in the template (one template per source,
//     channel and computer, as Windows writes them),
//     <EventID Qualifiers="32768">6</EventID>, and the unnamed insertion
//     strings form one string array (0x81) that renderers expand into one
//     <Data> element per string, empty strings included.
//   - UserData: a literal <UserData> element in the System template holds
//     the nested <EventXML xmlns=..><Name>value</Name>..</EventXML>.
//
// Absent optional values (Qualifiers, provider Guid, UserID, ActivityID,
// empty event data) are NULL values behind optional substitutions.
// Elements carry the dependency identifier 0xffff. Records are padded to a
// multiple of 8 bytes. Template identifiers are the first 4 bytes of a
// GUID derived (FNV-128a) from the template's shape; the template pointer
// table is bucketed by identifier modulo 32 and the string table by name
// hash modulo 64 (h = h*65599 + c over UTF-16 units, as Windows does), each
// chained through the definitions' next-offset fields.
//
// Chunks fill until the next record does not fit (or
// [Options.MaxRecordsPerChunk] is reached); a new chunk starts with empty
// string and template tables. Template trees are built once per writer and
// their bytes once per chunk, and values are encoded without reflection:
// about 2.7 us and 550 bytes per record (200,000 records in about 0.5 s).
// [Writer.SizeOf] and [Writer.Remaining] let a generator place a record so
// that it ends exactly at a chunk's end.
//
// Options make the file dirty (flag 1 with a stale chunk count, last chunk
// number and next record identifier) or full (flag 2), leave the last chunk open (stale data
// CRC), cap records per chunk and append empty preallocated chunk slots.
// Corruption helpers ([CorruptRecordMagic], [CorruptRecordData],
// [CorruptChunkMagic], [CorruptChunkCRC], [CorruptChunkHeaderCRC],
// [CorruptFileHeaderCRC], [Truncate]) damage the produced bytes the way real
// logs are damaged; [Writer.Locations] and [RecordOffset] say where each
// record is, so a test knows what a given damage should cost.
//
// python-evtx 0.6.1 and libevtx 20181227 read the files as written
// (scripts/crosscheck-evtx.sh).
//
// Guarantees and limits: the package is for tests and fixture generators.
// It prints nothing and keeps no package-level mutable state. Add never
// panics (fuzzed with FuzzAdd): a value that cannot be encoded, a value
// over 65535 bytes (the size field of a value descriptor) or a record
// larger than an empty chunk is an error ([ErrValue], [ErrTooLarge]) that
// leaves the writer unchanged. The corruption helpers check every offset
// they read from the bytes and never panic on arbitrary input (FuzzCorrupt).
// Memory is the file being built: one 64 KiB buffer per chunk, plus a copy
// in [Writer.Bytes] ([Writer.WriteTo] streams without the copy).
package evtxwriter
