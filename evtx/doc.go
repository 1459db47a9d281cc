// Package evtx reads Windows XML event logs (.evtx) offline, including the
// dirty and damaged logs copied off live Hyper-V hosts, and extracts the
// Hyper-V Integration Services (IC) evidence from them (ExtractIC).
//
// # Usage
//
// Open a log (Open, NewReader, FromBytes) and ask for what a scan
// needs in one pass:
//
//	f, err := evtx.Open("Microsoft-Windows-Hyper-V-Integration-Admin.evtx", nil)
//	if err != nil { ... }
//	defer f.Close()
//	s, err := f.Survey(ctx, &evtx.ScanOptions{Events: keys}) // keys: kb's event catalogue
//	for _, c := range s.Coverage { ... } // computer, channel, first, last, records
//	for _, ic := range s.Events { ... }  // VM, versions, record
//	for _, p := range s.Problems { ... } // what was lost, and where
//
// Survey samples the log (Span), decodes only the chunks that can hold IC
// events (ScanIC) and decodes a mixed log (several channels or computers)
// in full. For every record, range over f.Records(ctx) (or
// ParallelRecords); ExtractIC and ExtractICFor turn a Record into an
// ICEvent; Sniff tells an event log by its first bytes. Errors wrap the
// sentinels below; Stats and Problem say what a pass lost. The rest of
// this comment is how the package reads, for maintainers.
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
// A record whose header is whole but whose end is damaged (the trailing
// copy of its size is wrong: a copy taken while Windows was writing zeroes
// a run across the end of one record and the start of the next) is decoded
// from what is left and yielded with Record.Partial set and a
// ProblemRecordPartial, when a provider name can still be decoded; else it
// is one failed record. The rest of the damaged run is then walked as
// above.
//
// # Decoded and recovered
//
// A sequential reader (python-evtx, libevtx, the Rust evtx crate) follows
// the record sizes from a chunk's first record to its free-space offset,
// stops at the first bad header and skips chunks cut short by the end of
// the file. The records it reaches are counted in Stats.RecordsDecoded;
// the further records this package finds by resynchronising after damage,
// past a lagging free-space offset or in a truncated chunk are yielded with
// Record.Recovered set and counted in Stats.RecordsRecovered. So
// RecordsDecoded compares with what those tools read, and
// RecordsDecoded + RecordsRecovered is what a consumer of Records gets.
// On the reference corpus (testdata/evtx/README.md) RecordsDecoded is
// within 2 of python-evtx's count on every file but one, where python-evtx
// itself fails (it decodes 8-bit strings as ASCII).
//
// Each record's BinXML is decoded by github.com/0xrawsec/golang-evtx
// v1.2.9 (its exported Parse, with the chunk's template cache) on the
// caller's goroutine inside recover(); none of its goroutine APIs
// (Events, FastEvents, UnorderedEvents, Chunks, Chunk.Events) is used, nor
// its GoEvtxMap: the element tree is converted here, which keeps element
// order, attribute names (the classic <Provider Name="storvsp"/> shape),
// EventID Qualifiers and exact typed values. golang-evtx reads through a
// reader that stops at the record's end and at a per-record budget, and
// each token it peeks is checked first (see Silence below); template
// definitions that refer back to themselves fail the record before
// golang-evtx can recurse without end.
// A template cached while decoding a failed record is dropped so it cannot
// spoil the chunk's later records.
//
// Checksums (file header, chunk header, chunk records) are verified here and
// mismatches reported as warning Problems: the data is still read.
//
// # Silence
//
// The package prints nothing, and it does not touch the process-wide
// standard logger (log.SetOutput belongs to the host program). golang-evtx
// v1.2.9 has two ways to print: golang-utils' level-gated calls (Error,
// Info, the debug ones), silenced once per process with golang-utils' own
// level setter; and checkParsingError (parser.go), which writes "PANIC -"
// and a stack trace through the standard library's log package whenever
// one of its parse errors reaches it, whatever the level. This package
// never hands golang-evtx a record on which that can happen:
//
//   - reads never fail: the reader golang-evtx is given panics instead
//     (past the record's end, before the chunk, past the budget), and the
//     panic fails the record inside recover();
//   - the remaining errors are semantic, and each token golang-evtx peeks
//     is checked before it parses it, by a walk of the BinXML that mirrors
//     golang-evtx's parser (validate.go): value-text types, entity names,
//     and for a template instance its whole definition (token types,
//     element, attribute and substitution layouts, names, nested
//     fragments and templates, with a depth cap, a step cap and a loop
//     check), its value count, each value's type and size, nested BinXML
//     values; a failing last value counts, as in golang-evtx, while an
//     earlier failing value is dropped silently by golang-evtx and so is
//     accepted here too.
//
// A structure golang-evtx would report fails the record with ErrDecode
// ("malformed binary XML"): one bad record costs one record. Tests capture
// the standard logger while reading the corpus, every corruption of the
// test writer at every record, byte damage inside record bodies, template
// definitions and value arrays, and the fuzz seeds, through Records,
// ParallelRecords and ScanIC; FuzzOpen, FuzzRecords and FuzzScanIC fail on
// any output.
//
// # Fast path
//
// File.ParallelRecords is Records decoded by ScanOptions.Workers goroutines
// (default GOMAXPROCS, at most 64): the chunk slots are read in batches of
// ScanOptions.BatchChunks (default 16 slots, 1 MiB, at most 256), each
// worker decodes its batch with its own decoder, and the batches are handed
// to the caller in file order, so it yields the same records and errors in
// the same order as Records and leaves the same Stats. At most
// ScanOptions.InFlight batches (default 2 * Workers) are between reading
// and the caller, which bounds memory whatever the file size. The
// goroutines are internal, recover from any panic (a batch-level problem),
// and are gone when the iterator returns; cancellation is checked before
// each batch and per chunk.
//
// File.ScanIC runs the same batches but reduces each record to its ICEvent
// and, unless ScanOptions.DecodeAll is set, first applies a chunk
// pre-filter: a complete chunk (64 KiB with the "ElfChnk\0" magic) whose
// bytes contain none of "Microsoft-Windows-Hyper-V-", "storvsp" and
// "VMSMP", in UTF-16LE or in 8-bit/UTF-8, at any alignment, in any letter
// case strings.EqualFold accepts (including U+017F for "s"), is not
// decoded; only its checksums are verified. ExtractIC recognises a record
// by its provider name, and golang-evtx takes that name from the chunk
// alone (template definitions and substitution values are chunk-local), so
// a filtered chunk holds no IC evidence: ScanIC returns exactly the
// ICEvents that Records followed by ExtractIC returns, in the same order
// (FuzzScanIC and the equivalence tests check this on the corpus,
// generated logs and arbitrary input). Partial slots and chunks without the
// magic always take the full path. ScanStats counts chunks decoded,
// filtered, empty and skipped, and lists the same problems as the full
// decode for the decoded chunks (record damage inside a filtered chunk is
// not walked, hence not reported). Neither pass may run concurrently with
// another pass on the same File.
//
// Inside a chunk that passes the chunk pre-filter, ScanIC also filters
// record by record when the caller selects events (ScanOptions.Events, as
// the collection scan does with kb's catalogue): a light reader reads only
// each record's template instance (the definition, remembered by offset
// once per chunk so that definitions in skipped records still serve later
// ones; its static provider name or the substitution holding it; the
// EventID substitution) and only the records whose (provider, event ID)
// can be selected reach golang-evtx. It runs only in a plain chunk:
// complete, with a clean run of record headers up to the free-space
// offset, within MaxRecordsPerChunk, every record accepted by the
// validator and readable by the light reader, and MaxChunkWork at or above
// its default; any other chunk is decoded in full, so damage is reported
// as before. Two things differ from the full decode, by design: a skipped
// record that golang-evtx would still have failed (none is known; it passed
// the validator and the light reader) is counted as decoded with no
// problem, since finding it would need the decode the filter avoids, and it
// cannot hide IC evidence because none of its provider names is selected;
// and skipped records spend none of MaxChunkWork. ScanOptions.DecodeAll
// turns both filters off.
//
// File.Span summarises a log for coverage without decoding it: it walks
// the record headers by the same slot, free-space and identifier rules as
// Records (Span.Records + Span.Damaged = Stats.RecordsAttempted), takes the
// first and last written time from the headers' FILETIMEs, and decodes only
// a few records (the first decodable one of the first 8; two in each of
// 16 chunks spread over the file; the newest record's chunk) for
// the channel and computer. Span.Mixed reports a log whose samples name
// several channels or computers (forwarded events, a renamed host), for
// which a caller wanting exact per-computer coverage should decode in full.
// Span leaves Stats unchanged and may run alongside ScanIC.
//
// # Normalisation
//
// Record has EventID and Qualifiers apart, ProviderGUID upper-case with
// braces ("{FC65DDD8-D6EF-4962-83D5-6E5CFE9CE148}"), Keywords as uint64,
// TimeCreated exact to 100 ns in UTC (the FILETIME read without
// golang-evtx's float conversion), event data as an ordered []Field, and
// EventData's <Binary> as upper-case hex in Record.Binary.
// golang-evtx drops empty strings from classic string arrays; the array is
// re-read here from the record's raw value bytes so that empty insertion
// strings keep their place. Only when those bytes cannot be located with
// certainty is golang-evtx's shortened list used and
// Record.DataMayBeShifted set; ExtractIC then recovers IC values by pattern
// (GUID, version) and flags the event Ambiguous; an event taken from a
// Partial record is flagged Ambiguous too. ICEvent.VMID is lower-case
// without braces ("5e0b5b3a-1b2c-4d3e-8f90-abcdef012345"). 8-bit ("ANSI")
// string values are decoded as Windows-1252, libevtx's default code page
// (the log does not record the code page), so every value is valid UTF-8.
//
// # Guarantees and limits
//
// No input makes the package panic, hang or allocate beyond what the input
// holds: every offset and size is checked before use, one 64 KiB chunk is
// in memory at a time, recursion over file-supplied offsets has a depth cap
// and a loop check, and limits come from Options (zero value = defaults):
// MaxFileSize (1 PiB, in effect none), MaxRecordsPerChunk (8192),
// MaxDataFields (1024 per record), MaxDataSize (1 MiB per record),
// MaxChunkWork (2 Mi units per chunk), MaxProblems (1,000 kept per pass,
// the rest counted in one last ProblemsDropped); reaching one is a
// Problem.
// Damage yields partial results plus typed Problems (Stats), each with a
// *FormatError wrapping a sentinel (ErrNotEVTX, ErrCorrupt, ErrTruncated,
// ErrChecksum, ErrTooLarge, ErrDecode). Cancellation is checked once per
// chunk. The package prints nothing (see Silence) and keeps no mutable
// state of its own.
//
// Memory. Open and NewReader read the input in place: nothing grows with
// the file size. Problems (about 1 KiB each) are kept up to MaxProblems
// per pass, and per batch of ParallelRecords and ScanIC; the others are
// only counted (a crafted chunk can report a few thousand). Records
// holds one 64 KiB chunk, its template and validation caches (bounded by
// the chunk) and the record being yielded (MaxDataFields, MaxDataSize);
// ParallelRecords and ScanIC hold at most ScanOptions.InFlight batches of
// BatchChunks chunks (default 2 x GOMAXPROCS MiB) plus one chunk and
// decoder per worker; Span holds one chunk. FromBytes adds nothing to the
// caller's slice. A valid 600 MiB log reads under 20 MiB of peak RSS with
// evtxdump -summary (scripts/hostile-evtx.sh).
//
// CPU. A chunk costs at most Options.MaxChunkWork units of decoding work
// (bytes golang-evtx reads, 16 per seek, 16 per element converted), shared
// by its records, each of which may spend at most 256 Ki units plus 16 per
// byte of the record. golang-evtx parses a template instance nested in a
// definition or a BinXML value without its template cache, so definitions
// whose instances point at further definitions (a fan-out chain) would cost
// fan-out^depth; the validator computes each instance's expansion weight
// from memoised definitions and a record whose template cannot fit in its
// allowance fails at once, charged the whole allowance (the chunk's whole
// budget when the expansion exceeds the record's own budget). A failed
// record costs at least 32 Ki units, so that a chunk of small undecodable
// records yields at most 64 record problems. A chunk whose budget
// is spent reports its remaining records in one ProblemChunkBudget (one per
// run between damaged regions, which are still reported in file order, so
// Span's counts keep matching).
//
// # IC evidence
//
// ExtractIC reads a record with its provider's data layout (ICShape):
// Microsoft-Windows-Hyper-V-Integration-<Component> (VM name, VM ID, two
// versions by position), Microsoft-Windows-Hyper-V-VmSwitch and VMSMP
// (named), classic storvsp (by position), Microsoft-Windows-Hyper-V-Worker
// and -StorageVSP (VM by name or pattern). It keeps no list of which event
// IDs matter: the caller selects the (provider, event ID) pairs that count
// with ExtractICFor and ScanOptions.Events (package hvic passes package
// kb's event catalogue), and judges what each one means.
package evtx
