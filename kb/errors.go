package kb

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error the package returns wraps one of these.
var (
	// ErrVersion: a string is not a Windows version of 2 to 4 numeric parts.
	ErrVersion = errors.New("kb: not a version")
	// ErrSyntax: a rule table is not valid JSON of the expected shape, or an
	// enum name is unknown.
	ErrSyntax = errors.New("kb: syntax error")
	// ErrInvalid: a rule table parses but breaks a rule of consistency
	// (duplicate ID, dangling reference, missing language, bad version).
	ErrInvalid = errors.New("kb: invalid table")
	// ErrTooLarge: a rule table exceeds MaxTableSize.
	ErrTooLarge = errors.New("kb: table too large")
)

// TableError reports a problem at a position in a rule table: a byte
// offset (for syntax errors, -1 when unknown) and the path of the element
// ("rules[3].id", "events[KB2894285-EV-4000]").
type TableError struct {
	Offset int64
	Path   string
	Err    error
}

// Error implements error: "kb: table PATH (offset N): cause".
func (e *TableError) Error() string {
	where := ""
	if e.Path != "" {
		where = " " + e.Path
	}
	if e.Offset >= 0 {
		where += fmt.Sprintf(" (offset %d)", e.Offset)
	}
	return fmt.Sprintf("kb: table%s: %v", where, e.Err)
}

// Unwrap returns the cause, which wraps one of the sentinels.
func (e *TableError) Unwrap() error { return e.Err }
