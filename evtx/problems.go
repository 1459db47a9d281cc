package evtx

import (
	"errors"
	"fmt"
)

// lossCounts counts what the problems of a pass lost, whether or not the
// problem was kept under Options.MaxProblems, so that Survey's record count
// and damage flag do not depend on the kept list.
type lossCounts struct {
	decodeFailed int  // ProblemRecordFailed from the decoder (ErrDecode): one record header each
	regions      int  // ProblemRecordFailed for a damaged region between records
	limitLost    int  // records of ProblemRecordLimit and ProblemChunkBudget
	lossy        bool // a problem that is not a warning was met
}

func (c *lossCounts) count(p Problem) {
	if !p.Kind.Warning() {
		c.lossy = true
	}
	switch {
	case p.Kind == ProblemRecordFailed && errors.Is(p.Err, ErrDecode):
		c.decodeFailed++
	case p.Kind == ProblemRecordFailed:
		c.regions++
	case p.Kind == ProblemRecordLimit || p.Kind == ProblemChunkBudget:
		c.limitLost += p.Lost
	}
}

func (c *lossCounts) add(o lossCounts) {
	c.decodeFailed += o.decodeFailed
	c.regions += o.regions
	c.limitLost += o.limitLost
	c.lossy = c.lossy || o.lossy
}

// keep appends p to list unless it already holds limit problems; it
// returns the list and how many were dropped (0 or 1).
func keep(list []Problem, p Problem, limit int) ([]Problem, int) {
	if len(list) >= limit {
		return list, 1
	}
	return append(list, p), 0
}

// keepAll appends the first problems of src that fit under limit; it
// returns the list and how many of src were dropped.
func keepAll(list, src []Problem, limit int) ([]Problem, int) {
	n := min(max(limit-len(list), 0), len(src))
	return append(list, src[:n]...), len(src) - n
}

// addProblem counts p and keeps it in the pass's list, up to
// Options.MaxProblems.
func (f *File) addProblem(p Problem) {
	f.stats.loss.count(p)
	var d int
	f.stats.Problems, d = keep(f.stats.Problems, p, f.opts.MaxProblems)
	f.stats.ProblemsDropped += d
}

// withDropped returns problems followed, when dropped is not zero, by the
// ProblemsDropped that says how many were not kept.
func (f *File) withDropped(problems []Problem, dropped int) []Problem {
	if dropped == 0 {
		return problems
	}
	return append(problems, f.problem(ProblemsDropped, -1, -1, 0, dropped, "problems",
		fmt.Errorf("%w: %d more problems not kept (Options.MaxProblems = %d)", ErrTooLarge, dropped, f.opts.MaxProblems)))
}

// headersLost says how many record headers a skipped chunk held, for its
// problem's text: nothing when it held none (nothing known was lost).
func headersLost(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d record headers inside lost)", n)
}
