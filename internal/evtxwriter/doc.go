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
// Two layouts of Windows events are available (see [Layout]): the manifest
// layout (a generic System template, EventData as a nested binary XML value of
// named Data elements) and the classic layout of event sources registered with
// the old event log API (a literal <Provider Name="storvsp"/>, an EventID with
// a Qualifiers attribute, unnamed Data written as one string array
// substitution). A third layout puts the data under UserData.
//
// Chunks fill until the next record does not fit (or
// [Options.MaxRecordsPerChunk] is reached); a new chunk starts with empty
// string and template tables. Template bytes are built once per chunk and
// reused, so large files (hundreds of thousands of records) are cheap.
//
// Corruption helpers ([CorruptRecordMagic], [CorruptRecordData], [CorruptChunkMagic],
// [CorruptChunkCRC], [CorruptChunkHeaderCRC], [CorruptFileHeaderCRC], [Truncate]) damage the produced
// bytes the way real damaged logs are damaged; [Writer.Locations] says where
// each record went so a test knows what a given damage should cost.
//
// The package is for tests and fixture generators only. It is not hardened
// against hostile input because its input is the test's own [Event] values;
// it returns errors for values it cannot encode and never panics on them.
// It prints nothing and keeps no package-level mutable state.
package evtxwriter
