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

// Error returns "hive: FILE: offset 0x.. WHAT: cause", the package and
// the file named once (the file when known).
func (e *FormatError) Error() string {
	if e.File != "" {
		return "hive: " + e.File + ": " + e.Detail()
	}
	return "hive: " + e.Detail()
}

// Detail is Error without the package and file names: where ("line 3",
// "offset 0x2000"), what was being read and the cause ("offset 0x2000 hive
// bin: corrupt: no hbin signature"), for a caller that names the file
// itself.
func (e *FormatError) Detail() string {
	var parts []string
	switch {
	case e.Line > 0:
		parts = append(parts, fmt.Sprintf("line %d", e.Line))
	case e.Offset >= 0:
		parts = append(parts, fmt.Sprintf("offset 0x%x", e.Offset))
	}
	if e.What != "" {
		parts = append(parts, e.What)
	}
	cause := detailOf(e.Err)
	if len(parts) == 0 {
		return cause
	}
	return strings.Join(parts, " ") + ": " + cause
}

// Unwrap returns the sentinel (or cause) the error wraps.
func (e *FormatError) Unwrap() error { return e.Err }

// detailOf is err's text inside another error of the package: a
// FormatError by its Detail (its file and the package are named by the
// outer error), another without the "hive: " its sentinels start with.
func detailOf(err error) string {
	switch e := err.(type) {
	case nil:
		return "<nil>"
	case interface{ Detail() string }:
		return e.Detail()
	}
	return strings.TrimPrefix(err.Error(), "hive: ")
}

// nestedError is damage that explains damage met below it ("unreadable:
// damaged subkey list in its parent" over the bad nk cell): its text
// gives the inner error by its detail, so that the package, the file and
// the sentinel are named once, and it unwraps to both.
type nestedError struct {
	kind  error  // the sentinel, nil when inner's says it all
	what  string // what the outer layer was doing or found
	inner error
}

func (e *nestedError) Error() string { return "hive: " + e.Detail() }

// Detail is Error without the package, as FormatError's.
func (e *nestedError) Detail() string {
	s := e.what + ": " + detailOf(e.inner)
	if e.kind == nil || errors.Is(e.inner, e.kind) {
		return s
	}
	return detailOf(e.kind) + ": " + s
}

func (e *nestedError) Unwrap() []error {
	if e.kind == nil {
		return []error{e.inner}
	}
	return []error{e.kind, e.inner}
}

// reasonError is a case of a sentinel whose text is the reason alone, for
// an error whose place already says its kind (a log's Err in
// Recovery.Refused says why it was refused): it unwraps to the sentinel,
// so errors.Is still finds it.
type reasonError struct {
	kind error
	text string
}

func (e *reasonError) Error() string { return e.text }

func (e *reasonError) Unwrap() error { return e.kind }

// withName prefixes a file name to err, when there is one.
func withName(name string, err error) error {
	if name == "" {
		return fmt.Errorf("hive: %w", err)
	}
	return fmt.Errorf("hive: %s: %w", name, err)
}
