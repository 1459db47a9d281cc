// Package collect turns whatever a customer sent (a folder, a zip, zips in
// zips) into the list of files hvic can analyse, each classified by its
// content, never by its name:
//
//   - EVTX: the file header signature "ElfFile\0" (libyal, "Windows XML
//     Event Log (EVTX) format", section 2.1);
//   - registry hive: the base block signature "regf" with file type 0; a
//     transaction log is a "regf" base block of file type 1, 2 or 6, or has
//     the dirty vector "DIRT" (old format) or the first log entry "HvLE"
//     (new format) at offset 512 (libyal, "Windows NT Registry File (REGF)
//     format", sections 2 and 6);
//   - regedit export: "Windows Registry Editor Version 5.00" (UTF-16LE with
//     or without BOM, or UTF-8) or "REGEDIT4" (ANSI);
//   - reg query output: a line starting with HKEY_ (optionally after the
//     command line) followed by value lines indented by four spaces;
//   - ZIP (local file header "PK\3\4" or an empty archive's "PK\5\6"): walked
//     into, nested archives too.
//
// Hives are paired with the transaction logs beside them (NAME.LOG,
// NAME.LOG1, NAME.LOG2, any case, same folder or archive folder).
//
// # Guarantees
//
// No panic escapes (Parallel recovers panics on its own goroutines). Every
// file or archive entry that is not taken is listed in Set.Skipped with a
// Reason; the walk goes on. Archive entries are refused, each with its own
// Skipped entry, when their name escapes the archive ("../", "..\", an
// absolute path, a drive letter), when their declared size exceeds
// Options.MaxFileSize or the remaining Options.MaxArchiveBytes budget, when
// their compression ratio exceeds Options.MaxRatio, or when archives nest
// deeper than Options.MaxDepth; archive/zip itself refuses to produce more
// bytes than an entry declared, so a lying header cannot inflate memory.
// Memory: one HeadSize buffer per classified file, nested archives (within
// MaxFileSize each) kept for the walk's lifetime, and ReadAll bounded by
// the caller's limit.
//
// # Limits
//
// Entry names written in Shift-JIS without the UTF-8 flag (Windows
// Explorer on Japanese systems) are decoded; other legacy code pages are
// shown with U+FFFD.
//
// Only ZIP archives are opened (stored and deflated entries; others are
// unreadable). Encrypted entries are unreadable. 7z, rar, cab, tar and
// compressed single files are recognised and skipped as unsupported.
package collect
