package hvic

import (
	"github.com/hvic/hvic/report/result"
)

// Sentinel errors. Scan's error, and every Problem.Err, wraps one of them.
var (
	// ErrNoInput: the folder or path to scan does not exist or cannot be
	// read at all. The error wrapping it wraps the cause too: a missing
	// path satisfies errors.Is(err, fs.ErrNotExist).
	ErrNoInput error = &sentinel{"no input"}
	// ErrRefused: an archive entry was refused (path escaping the archive,
	// compression bomb, a size, count or nesting limit).
	ErrRefused error = &sentinel{"refused"}
	// ErrUnreadable: a file could not be read or is not what its first bytes
	// announced.
	ErrUnreadable error = &sentinel{"unreadable"}
	// ErrDamaged: a file was read in part; some of it was lost to damage.
	ErrDamaged error = &sentinel{"damaged"}
	// ErrInternal: an internal failure (a recovered panic) lost a file's
	// contribution; the rest of the scan is unaffected.
	ErrInternal error = &sentinel{"internal error"}
	// ErrGuessed: nothing was lost, but the scan filled a gap by a guess (a
	// host or VM told from a file or folder name): the problems whose
	// code's Guess is true.
	ErrGuessed error = &sentinel{"guessed"}
)

// sentinel is one of the errors above: "hvic: what" alone, "what: cause"
// inside another error of the package (see because).
type sentinel struct{ what string }

func (s *sentinel) Error() string { return "hvic: " + s.what }

// because wraps cause with the sentinel that classifies it; its text is
// "what: cause", the package named once, by the outermost error.
func because(kind error, cause error) error { return &kindError{kind: kind, cause: cause} }

type kindError struct{ kind, cause error }

func (e *kindError) Error() string {
	what := e.kind.Error()
	if s, ok := e.kind.(*sentinel); ok {
		what = s.what
	}
	if e.cause == nil {
		return what
	}
	return what + ": " + e.cause.Error()
}

func (e *kindError) Unwrap() []error { return []error{e.kind, e.cause} }

// FileError is the positional error of a scan: what went wrong with which
// file. Err wraps one of the sentinels above and, where there is one, the
// underlying package's error (an *evtx.FormatError, a *hive.FormatError).
type FileError struct {
	File string // display path inside the collection ("a.zip!/host/SOFTWARE")
	Op   string // what was being done ("read", "evaluate"), when the problem's code does not say it
	Err  error
}

// Error implements error: "hvic: FILE: OP: kind: cause", each named once
// (FILE and OP when known).
func (e *FileError) Error() string {
	s := e.detail(true)
	if e.File != "" {
		s = e.File + ": " + s
	}
	return "hvic: " + s
}

// detail is what happened, without the file: "OP: [kind: ]cause". The
// readers' positional errors (*hive.FormatError, *evtx.FormatError) name
// the file and their package when met alone; here the file is this
// error's to name, so their Detail is used.
func (e *FileError) detail(kind bool) string {
	s := causeText(e.Err, kind)
	if e.Op != "" {
		s = e.Op + ": " + s
	}
	return s
}

// detailer is a reader's positional error, which can say what happened
// without its package and file names.
type detailer interface{ Detail() string }

// causeText is err's text for a FileError: a kind's word ("damaged") only
// when kind is true, a positional error by its Detail.
func causeText(err error, kind bool) string {
	switch e := err.(type) {
	case nil:
		return "<nil>"
	case *kindError:
		what := e.kind.Error()
		if s, ok := e.kind.(*sentinel); ok {
			what = s.what
		}
		if e.cause == nil {
			return what
		}
		if !kind {
			return causeText(e.cause, kind)
		}
		return what + ": " + causeText(e.cause, kind)
	case detailer:
		return e.Detail()
	}
	return err.Error()
}

// Unwrap returns the wrapped errors: the sentinel and the cause.
func (e *FileError) Unwrap() error { return e.Err }

// The result types live in package report/result so that renderers need
// no scanner; these aliases keep them reachable as hvic.Result and so on.
type (
	// Status says how complete a Result is (result.Status).
	Status = result.Status
	// Severity of a Problem (result.Severity, which is kb.Severity).
	Severity = result.Severity
	// Problem is one thing that went wrong with one file (result.Problem).
	Problem = result.Problem
	// Role is what a file turned out to be, by content (result.Role).
	Role = result.Role
	// FileInfo is one file the scan read (result.FileInfo).
	FileInfo = result.FileInfo
	// Archive is an archive the scan walked into (result.Archive).
	Archive = result.Archive
	// Skipped is a file that was not analysed (result.Skipped).
	Skipped = result.Skipped
	// Host is one Hyper-V host seen in the collection (result.Host).
	Host = result.Host
	// Guest is one guest registry source (result.Guest).
	Guest = result.Guest
	// VM is one virtual machine as correlated by kb (result.VM).
	VM = result.VM
	// Inventory is what the collection held (result.Inventory).
	Inventory = result.Inventory
	// Result is the outcome of a scan (result.Result).
	Result = result.Result
)

// Statuses, severities and roles (see package result).
const (
	StatusComplete = result.StatusComplete
	StatusPartial  = result.StatusPartial
	StatusFailed   = result.StatusFailed

	SeverityInfo    = result.SeverityInfo
	SeverityWarning = result.SeverityWarning
	SeverityError   = result.SeverityError

	RoleHostRegistry      = result.RoleHostRegistry
	RoleGuestRegistry     = result.RoleGuestRegistry
	RoleHostGuestRegistry = result.RoleHostGuestRegistry
	RoleOtherRegistry     = result.RoleOtherRegistry
	RoleIntegrationLog    = result.RoleIntegrationLog
	RoleSystemLog         = result.RoleSystemLog
	RoleOtherLog          = result.RoleOtherLog
	RoleTransactionLog    = result.RoleTransactionLog
	RoleUnreadable        = result.RoleUnreadable
	RoleHostVMList        = result.RoleHostVMList
)
