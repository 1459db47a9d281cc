// Package collect turns whatever a customer sent (a folder, a zip, a 7z, a
// tar.gz, archives in archives) into the list of files hvic can analyse, each classified by its
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
//   - ZIP (local file header "PK\3\4" or an empty archive's "PK\5\6"), 7z
//     (signature "7z\xBC\xAF\x27\x1C"), tar ("ustar" at offset 257), gzip
//     ("\x1F\x8B") and xz ("\xFD7zXZ\0"): walked into, nested archives
//     too. A gzip or xz stream is decompressed to a temporary file; a tar
//     inside is the same archive level (a .tar.gz is one archive), any
//     other content is the stream's one entry, named after the stream
//     without its suffix.
//
// Hives are paired with the transaction logs beside them (NAME.LOG,
// NAME.LOG1, NAME.LOG2, any case, same folder or archive folder).
//
// # Guarantees
//
// No panic escapes (Parallel recovers panics on its own goroutines). Every
// file or archive entry that is not taken is listed in Set.Skipped with a
// Reason; the walk goes on. Archive entries are refused when their name
// escapes the archive ("../", "..\", an absolute path, a drive letter),
// when their data overlap another entry's (several central directory
// entries sharing one local header: a zip bomb's construction), when their
// declared size exceeds Options.MaxFileSize (event logs excepted) or the
// remaining Options.MaxArchiveBytes, when their compression ratio, or the
// ratio of all entries taken so far, exceeds Options.MaxRatio, or when
// archives nest deeper than Options.MaxDepth. Refused entries count
// against MaxArchiveEntries and Set.Refused; the first MaxRefusedListed of
// each archive are listed one by one, the rest in one Skipped entry per
// reason. archive/zip refuses to produce more bytes than an entry
// declared, so a lying header cannot inflate memory. An archive whose end
// record or central directory is cut or damaged is read from its local
// headers as far as they are intact, with a ReasonDamaged entry.
//
// The same rules hold for every archive format. Where an entry has no
// compressed size of its own (7z compresses entries together), its share
// of the archive's size stands for it, so the ratio checks see the
// archive's overall ratio. A gzip or xz stream stops decompressing at
// MaxRatio times its size (plus RatioFloor): beyond that it is refused as
// a bomb. The LZMA and LZMA2 decoders allocate the dictionary a stream
// declares: dictionaries over 64 MiB (what xz -9 and 7-Zip -mx9 use) are
// refused before any allocation, from the xz block headers and the 7z
// coder properties (collect registers its own LZMA and LZMA2 decoders
// with github.com/bodgit/sevenzip, process-wide, to do so; 7z entries
// compressed with zstd, brotli or lz4, whose decoders size their window
// from the stream, are unreadable). Tar links,
// devices and sparse entries are skipped as unsupported.
//
// Memory: one HeadSize buffer for the walk, the central directories of the
// archives (at most MaxArchiveEntries entries taken), and what the readers
// hold whole, charged first to the shared Budget (File.Reserve). Nested
// archives and compressed event logs are copied to temporary files (at
// most MaxArchiveBytes in total), never held in memory; stored ones are
// read in place.
//
// Files: at most Options.MaxOpenFiles are open at once, whatever the
// collection: archives are opened for each read and the idle ones closed,
// least recently used first, when a slot is needed.
//
// Input boundary: symbolic links are followed only inside the path given
// to WalkPaths (Options.FollowSymlinks lifts this); devices, named pipes
// and sockets are skipped without being opened. The walk checks its
// context between files and archive entries and every MiB copied.
//
// # Limits
//
// Entry names written in Shift-JIS without the UTF-8 flag (Windows
// Explorer on Japanese systems) are decoded; other legacy code pages are
// shown with U+FFFD.
//
// ZIP entries are stored or deflated (others are unreadable). Encrypted
// zip entries and encrypted 7z archives are unreadable. A 7z archive's
// header is parsed by github.com/bodgit/sevenzip inside recover(), after
// collect has walked it itself: that library sizes its tables from the
// counts the header declares, so a header over 16 MiB, or declaring more
// files, folders or streams than MaxArchiveEntries, is refused first (an
// encoded header is decoded for that check only when it is one LZMA,
// LZMA2 or stored stream: an encrypted header is refused). Rar, cab, bzip2 and zstd
// are recognised and skipped as unsupported.
package collect
