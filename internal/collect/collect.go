package collect

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
)

// Default limits (see Options).
const (
	DefaultMaxFileSize       = 512 << 20
	DefaultMaxArchiveBytes   = 4 << 30
	DefaultMaxArchiveEntries = 100_000
	DefaultMaxRatio          = 200
	DefaultRatioFloor        = 1 << 20
	DefaultMaxDepth          = 4
	DefaultMaxFiles          = 1_000_000
	DefaultMemoryBudget      = 512 << 20
	DefaultMaxOpenFiles      = 64
	DefaultMaxRefusedListed  = 20
)

// Options bounds the walk. The zero value means the defaults above.
type Options struct {
	// MaxFileSize is the largest file (or archive entry) read whole into
	// memory for analysis (hives, their logs, text exports); larger ones
	// are skipped. Event logs are read in place and have no such limit.
	// Default 512 MiB.
	MaxFileSize int64
	// MaxArchiveBytes caps the sum of the declared uncompressed sizes of
	// all archive entries taken, over every archive and nesting level (a
	// nested archive counts through its entries), and separately the
	// temporary copies of compressed nested archives. Default 4 GiB.
	MaxArchiveBytes int64
	// MaxArchiveEntries caps the number of archive entries looked at, over
	// all archives, refused ones included. Default 100,000.
	MaxArchiveEntries int
	// MaxRatio is the largest uncompressed:compressed ratio accepted for an
	// archive entry whose uncompressed size is at least RatioFloor, and
	// for the running total of all entries taken (small entries included)
	// beyond RatioFloor. Default 200 (deflate's own maximum is about 1032).
	MaxRatio int64
	// RatioFloor: entries smaller than this are not ratio-checked one by
	// one (a mostly empty 64 KiB log chunk compresses very well), only in
	// the total. Default 1 MiB.
	RatioFloor int64
	// MaxDepth caps archive nesting (a zip in a zip is depth 2). Default 4.
	MaxDepth int
	// MaxFiles caps the number of folder entries and archive entries walked
	// in total. Default 1,000,000.
	MaxFiles int
	// MemoryBudget is the memory shared by the readers for the files they
	// hold whole (see File.Weight and File.Reserve). Default 512 MiB.
	MemoryBudget int64
	// MaxOpenFiles caps the files and archives held open at once by the
	// walk and the readers together (at least 2). Default 64.
	MaxOpenFiles int
	// MaxRefusedListed caps the refused entries listed one by one per
	// archive; the others are counted in one Skipped entry per reason.
	// Default 20.
	MaxRefusedListed int
	// FollowSymlinks lets the walk follow symbolic links wherever they
	// lead, into linked folders too. By default a link is followed only
	// when WalkPaths finds its target inside the path it was given;
	// Walk, which cannot tell, follows none.
	FollowSymlinks bool
	// TempDir is where nested archives and compressed event logs are
	// spilled (default os.TempDir()). The files are removed by Set.Close.
	TempDir string
}

func (o *Options) withDefaults() Options {
	var r Options
	if o != nil {
		r = *o
	}
	def := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&r.MaxFileSize, DefaultMaxFileSize)
	def(&r.MaxArchiveBytes, DefaultMaxArchiveBytes)
	def(&r.MaxRatio, DefaultMaxRatio)
	def(&r.RatioFloor, DefaultRatioFloor)
	def(&r.MemoryBudget, DefaultMemoryBudget)
	defInt(&r.MaxArchiveEntries, DefaultMaxArchiveEntries)
	defInt(&r.MaxDepth, DefaultMaxDepth)
	defInt(&r.MaxFiles, DefaultMaxFiles)
	defInt(&r.MaxOpenFiles, DefaultMaxOpenFiles)
	defInt(&r.MaxRefusedListed, DefaultMaxRefusedListed)
	r.MaxOpenFiles = max(r.MaxOpenFiles, minOpenFiles)
	return r
}

// Reason says why a file was skipped or refused.
type Reason string

// Reasons for skipping a file.
const (
	ReasonUnrecognised = Reason("unrecognised")      // content is none of the known kinds
	ReasonEmpty        = Reason("empty")             // zero bytes
	ReasonTooLarge     = Reason("too-large")         // over MaxFileSize
	ReasonUnsafePath   = Reason("unsafe-path")       // archive entry escapes the archive
	ReasonBomb         = Reason("compression-bomb")  // ratio over MaxRatio
	ReasonOverlap      = Reason("overlapping-entry") // archive entry sharing its data with another
	ReasonLimit        = Reason("limit")             // an archive or walk limit was reached
	ReasonDepth        = Reason("nesting-depth")     // archive nested deeper than MaxDepth
	ReasonUnreadable   = Reason("unreadable")        // I/O or format error
	ReasonDamaged      = Reason("damaged-archive")   // archive read from its local headers only
	ReasonOutside      = Reason("outside-input")     // symbolic link not followed (see FollowSymlinks)
	ReasonOrphanLog    = Reason("orphan-log")        // transaction log with no hive beside it
	ReasonUnsupported  = Reason("unsupported")       // archive format not supported, or not a regular file
)

// Skipped is a file (or archive entry) that is not analysed, and why.
// Refused is true for the reasons that point at hostile or damaged input
// (unsafe path, bomb, overlap, limit, depth, unreadable, damaged archive,
// link leading out of the input): callers report those as problems, the
// others as a plain list.
type Skipped struct {
	Path    string
	Size    int64
	Reason  Reason
	Detail  string
	Refused bool
}

// Sentinel errors.
var (
	// ErrTooLarge: a file exceeds a limit in Options.
	ErrTooLarge = errors.New("exceeds limit")
	// ErrNoInput: the walk root does not exist or is not readable.
	ErrNoInput = errors.New("no input")
)

// Archive is an archive the walk descended into: its path (as Files name
// it, "a.zip!/b.zip" for one inside another) and its size in bytes (for
// an archive inside another, the entry's uncompressed size).
type Archive struct {
	Path string
	Size int64
}

// Set is the result of a walk: the files to analyse and the ones skipped.
// Close releases the archives and temporary files the walk keeps.
type Set struct {
	Files   []*File   // EVTX, hives (with their logs), .reg exports, reg query text; by path
	Skipped []Skipped // by path
	// Archives lists the archives descended into, in walk order.
	Archives []Archive
	// Bytes is the total size of Files (logs included).
	Bytes int64
	// Refused counts the archive entries refused (unsafe name, bomb,
	// overlap, limit, depth), listed in Skipped or not.
	Refused int

	opts    Options
	budget  *Budget
	pool    *filePool
	mu      sync.Mutex
	closers []io.Closer
	temps   []string
}

// Close closes the archives opened by the walk and removes its temporary
// files.
func (s *Set) Close() error {
	s.mu.Lock()
	closers, temps := s.closers, s.temps
	s.closers, s.temps = nil, nil
	s.mu.Unlock()
	var first error
	for _, c := range closers {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	for _, t := range temps {
		if err := os.Remove(t); err != nil && !errors.Is(err, fs.ErrNotExist) && first == nil {
			first = err
		}
	}
	return first
}

// MemoryHighWater returns the most bytes held at once through Reserve.
func (s *Set) MemoryHighWater() int64 { return s.budget.HighWater() }

// OpenHighWater returns the most files held open at once by the walk and
// the readers.
func (s *Set) OpenHighWater() int { return s.pool.highWater() }

// noInputError is the error of a walk that found nothing to read: it is
// ErrNoInput (errors.Is) and wraps each path's cause (a *fs.PathError, so
// that a missing path satisfies errors.Is(err, fs.ErrNotExist)). Its text
// is the causes', each naming its path once.
type noInputError struct{ causes []error }

func (e *noInputError) Error() string {
	parts := make([]string, len(e.causes))
	for i, c := range e.causes {
		parts[i] = c.Error()
	}
	return strings.Join(parts, "; ")
}

func (e *noInputError) Is(target error) bool { return target == ErrNoInput }

func (e *noInputError) Unwrap() []error { return e.causes }

// noInput is the walk root's failure: err's cause, at the display path p.
func noInput(p string, err error) error {
	if ni := (*noInputError)(nil); errors.As(err, &ni) {
		return err
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &noInputError{causes: []error{&fs.PathError{Op: "open", Path: p, Err: err}}}
}
