package evtx

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Coverage is the share of a log that one (computer, channel) pair holds:
// how many of its records were read and the period they span.
type Coverage struct {
	Computer, Channel string
	// First and Last are the oldest and newest record times; zero when no
	// record was read.
	First, Last time.Time
	Records     int
}

// Survey is what File.Survey found: which computers and channels the log
// covers and over which period, its selected IC events and what was lost.
type Survey struct {
	// Coverage holds one entry per (computer, channel), in the order met.
	// A log of one channel and one computer has one entry; when no record
	// decoded, its Channel and Computer are "" (the caller may know the
	// channel from the file's name) and Records counts the record headers
	// seen.
	Coverage []Coverage
	// Events are the IC events of the selection (ScanOptions.Events), in
	// file order.
	Events []ICEvent
	// Records is the number of records read: the sum of Coverage's.
	Records int
	// Problems are everything the reading lost or found suspicious, in
	// file order, each damaged region once (ProblemDamagedRegions counts
	// those in chunks holding no IC event, which are not decoded). At most
	// Options.MaxProblems of the reading's are kept; when some were
	// dropped, the list ends with one ProblemsDropped.
	Problems []Problem
	// ProblemsDropped counts the problems over Options.MaxProblems, not
	// kept.
	ProblemsDropped int
	// Damaged is true when records were lost.
	Damaged bool
	// Mixed is true when the log holds several channels or computers
	// (forwarded events, a renamed host): every record was then decoded.
	Mixed bool
	// Counted is the number of records each ScanOptions.Count key
	// selected, by provider name as recorded (nil when none).
	Counted map[string]int
}

// Survey reads the log once for what a scan needs: coverage per
// (computer, channel), the IC events opts selects and the problems. It
// samples the log with Span; a log of one channel and one computer is read
// with ScanIC (only the chunks that can hold IC events are decoded; the
// others are counted from their record headers); a mixed log is decoded in
// full with ParallelRecords. The error is ctx's only.
func (f *File) Survey(ctx context.Context, opts *ScanOptions) (*Survey, error) {
	sp, err := f.Span(ctx)
	if err != nil {
		return nil, err
	}
	opts, count := withCount(opts)
	if sp.Mixed() {
		s, err := f.surveyMixed(ctx, opts)
		if err == nil {
			s.countOut(opts, count)
		}
		return s, err
	}
	ics, st, err := f.ScanIC(ctx, opts)
	if err != nil {
		return nil, err
	}
	s := &Survey{Events: ics}
	s.countOut(opts, count)
	// ScanIC reports what the full decode reports for the chunks it
	// decodes, and every skipped chunk; damaged bytes between the records
	// of the chunks it does not decode are seen by Span only. Span counts
	// record headers: those that do not decode are known only in the
	// decoded chunks.
	// The counts come from ScanStats, not from its problem list, which
	// MaxProblems may have cut.
	s.Damaged = sp.Damaged > 0 || sp.ChunksSkipped > 0 || st.RecordsFailed > 0 || st.ChunksSkipped > 0 || st.loss.lossy
	records := sp.Records - st.loss.decodeFailed - st.loss.limitLost
	s.Problems, s.ProblemsDropped = st.Problems, st.ProblemsDropped
	if s.ProblemsDropped > 0 {
		s.Problems = s.Problems[:len(s.Problems)-1] // the ProblemsDropped, put back last
	}
	if n := sp.Damaged - st.loss.regions; n > 0 {
		s.Problems = append(s.Problems, f.problem(ProblemDamagedRegions, -1, -1, 0, n, "",
			fmt.Errorf("%w: %d damaged record regions (in chunks holding no IC events)", ErrCorrupt, n)))
	}
	s.Problems = f.withDropped(s.Problems, s.ProblemsDropped)
	s.Records = max(records, 0)
	s.Coverage = []Coverage{{Computer: sp.Computer, First: sp.First, Last: sp.Last, Records: s.Records}}
	if sp.Decoded {
		s.Coverage[0].Channel = sp.Channel
	} else {
		s.Coverage[0].Computer = ""
	}
	return s, nil
}

// surveyMixed decodes every record of a log holding several channels or
// computers: one Coverage entry per pair.
func (f *File) surveyMixed(ctx context.Context, opts *ScanOptions) (*Survey, error) {
	o := opts.withDefaults()
	s := &Survey{Mixed: true}
	index := map[[2]string]int{}
	for rec, err := range f.ParallelRecords(ctx, opts) {
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return nil, cerr
			}
			continue // counted in Stats().Problems
		}
		s.Records++
		k := [2]string{rec.Computer, rec.Channel}
		i, ok := index[k]
		if !ok {
			i = len(s.Coverage)
			index[k] = i
			s.Coverage = append(s.Coverage, Coverage{Computer: rec.Computer, Channel: rec.Channel})
		}
		c := &s.Coverage[i]
		c.Records++
		if c.First.IsZero() || rec.TimeCreated.Before(c.First) {
			c.First = rec.TimeCreated
		}
		if rec.TimeCreated.After(c.Last) {
			c.Last = rec.TimeCreated
		}
		if ic, ok := extractIC(&rec, o.Events); ok {
			s.Events = append(s.Events, ic)
		}
	}
	st := f.Stats()
	s.Damaged = st.RecordsFailed > 0 || st.ChunksSkipped > 0 || st.loss.lossy
	s.Problems, s.ProblemsDropped = st.Problems, st.ProblemsDropped
	return s, nil
}

// withCount returns the options Survey reads with: Events widened by
// Count (when both are set), and the Count keys.
func withCount(opts *ScanOptions) (*ScanOptions, []EventKey) {
	if opts == nil || len(opts.Count) == 0 || opts.Events == nil {
		return opts, nil
	}
	o := *opts
	o.Events = append(slices.Clip(slices.Clone(opts.Events)), opts.Count...)
	o.Count = nil
	return &o, opts.Count
}

// countOut moves the events only a Count key selected out of s.Events
// into s.Counted. opts.Events is the widened selection: its Count keys
// are its last len(count).
func (s *Survey) countOut(opts *ScanOptions, count []EventKey) {
	if len(count) == 0 || opts == nil {
		return
	}
	own := opts.Events[:len(opts.Events)-len(count)]
	kept := s.Events[:0]
	for _, ev := range s.Events {
		if !selected(own, ev.Provider, ev.EventID) && selected(count, ev.Provider, ev.EventID) {
			if s.Counted == nil {
				s.Counted = map[string]int{}
			}
			s.Counted[ev.Provider]++
			continue
		}
		kept = append(kept, ev)
	}
	clear(s.Events[len(kept):])
	s.Events = kept
}
