package hive

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Every error the package returns wraps one of these, so a
// caller branches with errors.Is.
var (
	// ErrNotHive: the data does not start with a regf base block, nor is it a
	// .reg export or reg query text.
	ErrNotHive = errors.New("hive: not a registry hive")
	// ErrTruncated: the file is shorter than its base block or a cell says.
	ErrTruncated = errors.New("hive: truncated")
	// ErrBadBaseBlock: the base block fails its checksum or holds impossible
	// values (and no log could restore it).
	ErrBadBaseBlock = errors.New("hive: bad base block")
	// ErrCorrupt: a cell, list or record is damaged.
	ErrCorrupt = errors.New("hive: corrupt")
	// ErrKeyNotFound: the key path does not exist in this source.
	ErrKeyNotFound = errors.New("hive: key not found")
	// ErrValueNotFound: the key exists but has no value of that name.
	ErrValueNotFound = errors.New("hive: value not found")
	// ErrTooLarge: an input or structure exceeds a limit in Options.
	ErrTooLarge = errors.New("hive: exceeds limit")
	// ErrBadLog: a transaction log was refused (bad header, hash, sequence).
	ErrBadLog = errors.New("hive: bad transaction log")
	// ErrSyntax: a .reg export or reg query text cannot be parsed.
	ErrSyntax = errors.New("hive: syntax error")
	// ErrStale: the hive is dirty and no transaction log could be applied
	// (none given, all refused, or replay turned off): what is read may
	// miss the newest changes.
	ErrStale = errors.New("hive: dirty hive read without its transaction logs")
)

// FormatError reports damage at a position: an offset in a hive or log file
// (Offset >= 0), or a line in a text export (Line > 0). Err is one of the
// sentinels above, possibly wrapping the underlying cause.
type FormatError struct {
	File   string // file name, when known
	Offset int64  // byte offset in the file, -1 when not applicable
	Line   int    // 1-based line number in a text export, 0 when not applicable
	What   string // what was being read ("nk cell", "lh list", "HvLE entry 3")
	Err    error
}

func (e *FormatError) Error() string {
	where := ""
	switch {
	case e.Line > 0:
		where = fmt.Sprintf(" line %d", e.Line)
	case e.Offset >= 0:
		where = fmt.Sprintf(" offset 0x%x", e.Offset)
	}
	file := ""
	if e.File != "" {
		file = e.File + ":"
	} else {
		where = strings.TrimPrefix(where, " ")
	}
	what := ""
	if e.What != "" {
		what = " " + e.What
	}
	return fmt.Sprintf("hive: %s%s%s: %v", file, where, what, e.Err)
}

func (e *FormatError) Unwrap() error { return e.Err }
