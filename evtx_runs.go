package hvic

import (
	"errors"
	"fmt"

	"github.com/hvic/hvic/evtx"
)

// chunkRun is one chunk-level problem of an event log repeated over
// consecutive chunks ("bad chunk signature" in chunks 9 to 16): the first
// chunk's error in full, then the chunks that follow, so that one damaged
// stretch reads as one problem.
type chunkRun struct {
	first evtx.Problem
	last  int     // the last chunk of the run
	lost  int     // Lost of the chunks after the first
	errs  []error // every chunk's error, the first first
}

// Error returns the first chunk's error and the chunks that follow.
func (r *chunkRun) Error() string { return r.first.Err.Error() + r.tail() }

// Detail is Error without the package and file names.
func (r *chunkRun) Detail() string { return causeText(r.first.Err, false) + r.tail() }

func (r *chunkRun) tail() string {
	s := fmt.Sprintf("; chunks %d-%d too", r.first.Chunk+1, r.last)
	if r.last == r.first.Chunk+1 {
		s = fmt.Sprintf("; chunk %d too", r.last)
	}
	switch {
	case r.lost == 1:
		s += " (1 more record header lost)"
	case r.lost > 1:
		s += fmt.Sprintf(" (%d more record headers lost)", r.lost)
	}
	return s
}

// Unwrap returns every chunk's error, the first first: errors.As finds
// the first chunk's *evtx.FormatError.
func (r *chunkRun) Unwrap() []error { return r.errs }

// chunkClass is what makes two chunk problems the same: the kind, what was
// read and the sentinel; "" for problems never merged (not of one chunk,
// or of a kind that says something of one record).
func chunkClass(p evtx.Problem) string {
	switch p.Kind {
	case evtx.ProblemChunkSkipped, evtx.ProblemChunkHeaderCRC, evtx.ProblemChunkDataCRC:
	default:
		return ""
	}
	var fe *evtx.FormatError
	if p.Chunk < 0 || !errors.As(p.Err, &fe) {
		return ""
	}
	for _, s := range []error{evtx.ErrCorrupt, evtx.ErrTruncated, evtx.ErrChecksum, evtx.ErrTooLarge} {
		if errors.Is(p.Err, s) {
			return fmt.Sprintf("%d\x00%s\x00%s", p.Kind, fe.What, s)
		}
	}
	return ""
}

// chunkRuns merges, in an event log's problems (in file order), the
// chunk problems of one class on consecutive chunks into one chunkRun,
// in the place of its first; the others come back as they were, with the
// problems of a run of one chunk. Each result is a Problem whose Err is
// the run when there is one.
func chunkRuns(problems []evtx.Problem) []evtx.Problem {
	out := make([]evtx.Problem, 0, len(problems))
	open := map[string]int{} // class -> index in out of its latest run
	runs := map[int]*chunkRun{}
	for _, p := range problems {
		class := chunkClass(p)
		if i, ok := open[class]; ok && class != "" {
			if r := runs[i]; r.last == p.Chunk-1 {
				r.last, r.lost = p.Chunk, r.lost+p.Lost
				r.errs = append(r.errs, p.Err)
				out[i].Lost += p.Lost
				continue
			}
		}
		if class != "" {
			open[class] = len(out)
			runs[len(out)] = &chunkRun{first: p, last: p.Chunk, errs: []error{p.Err}}
		}
		out = append(out, p)
	}
	for i, r := range runs {
		if r.last > r.first.Chunk {
			out[i].Err = r
		}
	}
	return out
}
