package evtx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"sync"
)

// ScanOptions tunes the parallel passes ScanIC and ParallelRecords. The zero
// value (or a nil *ScanOptions) means the documented defaults.
type ScanOptions struct {
	// Workers is the number of goroutines that read and decode chunks.
	// Default runtime.GOMAXPROCS(0), at most 64.
	Workers int
	// BatchChunks is the number of consecutive 64 KiB chunk slots a worker
	// reads with one ReadAt. Default 16 (1 MiB), at most 256.
	BatchChunks int
	// InFlight caps the batches handed to workers but not yet handed to
	// the caller, so memory stays bounded whatever the file size: each
	// worker holds one BatchChunks * 64 KiB input buffer (none for
	// FromBytes) and the caller's side at most InFlight batches of results
	// (IC events for ScanIC, records for ParallelRecords). Default
	// 2 * Workers; never below Workers.
	InFlight int
	// DecodeAll turns the pre-filter off: ScanIC decodes every chunk (the
	// reference the filter is tested against).
	DecodeAll bool
	// Events selects the (provider, event ID) pairs ScanIC returns, as
	// ExtractICFor does: the caller's catalogue of what counts (package
	// hvic passes package kb's event table). Nil means every record of a
	// provider whose layout ExtractIC knows (any Hyper-V Integration,
	// VmSwitch, VMSMP, storvsp, Worker or StorageVSP record), whatever its
	// event ID.
	Events []EventKey
	// Count selects records Survey counts per provider (Survey.Counted)
	// instead of returning them as IC events: the caller's hint
	// providers (package hvic passes kb's Hyper-V guest driver providers),
	// usually with AnyID. A record both selects is an IC event. Count is
	// used by Survey only, and only with a non-nil Events.
	Count []EventKey

	// noRecordFilter turns the record-level pre-filter (peek.go) off while
	// keeping the chunk filter (for the tests that compare the two).
	noRecordFilter bool
}

// Defaults and caps of ScanOptions.
const (
	DefaultBatchChunks = 16
	maxScanWorkers     = 64
	maxBatchChunks     = 256
)

func (o *ScanOptions) withDefaults() ScanOptions {
	var v ScanOptions
	if o != nil {
		v = *o
	}
	if v.Workers <= 0 {
		v.Workers = runtime.GOMAXPROCS(0)
	}
	v.Workers = min(v.Workers, maxScanWorkers)
	if v.BatchChunks <= 0 {
		v.BatchChunks = DefaultBatchChunks
	}
	v.BatchChunks = min(v.BatchChunks, maxBatchChunks)
	if v.InFlight <= 0 {
		v.InFlight = 2 * v.Workers
	}
	v.InFlight = max(v.InFlight, v.Workers)
	return v
}

// ScanStats counts what one ScanIC pass read.
type ScanStats struct {
	ChunkSlots     int // 64 KiB slots after the file header (a partial last slot counts)
	ChunksPresent  int // slots that start with the "ElfChnk\0" magic
	ChunksDecoded  int // chunks whose records were decoded (Stats.ChunksParsed of those)
	ChunksFiltered int // complete chunks that hold no relevant provider name: not decoded
	ChunksEmpty    int // all-zero slots
	ChunksSkipped  int // slots neither parsed nor empty (bad magic, truncated, bad header)

	// Record counts cover the decoded chunks only; they mean what the
	// fields of Stats with the same names mean.
	RecordsAttempted int
	RecordsDecoded   int
	RecordsRecovered int
	RecordsFailed    int

	BytesRead int64 // input bytes read (each byte once)

	// ProblemsDropped counts the problems over Options.MaxProblems, not
	// kept; Problems then ends with one ProblemsDropped.
	ProblemsDropped int

	// Problems are the file-header problems, then in file order: every
	// problem the full decode (Records) reports for the decoded and damaged
	// chunks, and the checksum warnings of the filtered ones. Records of a
	// filtered chunk are not walked, so damage to them is not reported:
	// it cannot hide IC evidence, since the chunk holds no relevant
	// provider name. Records the record-level filter skips are undamaged
	// by construction (see peek.go for the one case it cannot rule out).
	// At most Options.MaxProblems are kept, as in Stats.
	Problems []Problem

	loss lossCounts // what the problems lost, kept or not (for Survey)
}

// ScanIC returns the IC evidence of the log, exactly as Records followed by
// ExtractIC on each record would, in file order, reading the file once.
//
// With opts.Events set, the events are those ExtractICFor returns for that
// selection.
//
// A chunk is decoded only when its bytes contain a provider name that can
// be selected (without opts.Events: the "Microsoft-Windows-Hyper-V-"
// prefix, "storvsp" or "VMSMP"; with it: each selected provider name), in
// UTF-16LE or 8-bit, in any letter case strings.EqualFold accepts; when a
// selected name has no letter "v" the pre-filter is off. Provider names,
// like template definitions, are chunk-local, so the other chunks hold no
// selected record. Inside a decoded chunk that is plain (complete,
// undamaged, every record of a layout the light reader of peek.go reads,
// Options.MaxChunkWork at least its default), only the records whose
// provider name and event ID can be selected are handed to golang-evtx;
// the others are counted in RecordsDecoded. DecodeAll turns both filters
// off. The chunks are read in batches and decoded by opts.Workers
// goroutines with a bounded number of batches in flight; the order of the
// results is restored. Damage is reported in ScanStats.Problems
// (see there); the error is non-nil only when ctx is cancelled (checked
// before each batch), and then the events found so far are returned.
//
// ScanIC uses the File like a Records pass: do not run it concurrently with
// another pass on the same File. It does not change Stats().
func (f *File) ScanIC(ctx context.Context, opts *ScanOptions) ([]ICEvent, ScanStats, error) {
	o := opts.withDefaults()
	st := ScanStats{ChunkSlots: f.slots(), Problems: append([]Problem(nil), f.headerP...)}
	var events []ICEvent
	nf := filterFor(o.Events)
	if o.DecodeAll {
		nf = nil
	}
	err := f.runBatches(ctx, o, nf, true, func(b *batch) bool {
		st.add(b, f.opts.MaxProblems)
		for _, it := range b.items {
			if it.err == nil {
				events = append(events, it.ev)
			}
		}
		return true
	})
	st.Problems = f.withDropped(st.Problems, st.ProblemsDropped)
	return events, st, err
}

// ParallelRecords is Records decoded by opts.Workers goroutines: the same
// records and errors in the same order, and the same Stats at the end of the
// pass (Stats is updated as batches are handed over). Memory stays bounded
// by ScanOptions.InFlight batches. When ctx is cancelled (checked before each
// batch) the iterator yields ctx.Err() once and stops.
func (f *File) ParallelRecords(ctx context.Context, opts *ScanOptions) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		o := opts.withDefaults()
		f.stats = Stats{ChunkSlots: f.slots(), Problems: append([]Problem(nil), f.headerP...)}
		stopped := false
		err := f.runBatches(ctx, o, nil, false, func(b *batch) bool {
			f.mergeStats(&b.stats)
			for _, it := range b.items {
				if !yield(it.rec, it.err) {
					stopped = true
					return false
				}
			}
			return true
		})
		if err != nil && !stopped {
			yield(Record{}, err)
		}
	}
}

// mergeStats adds the counts and problems of a batch to the pass's.
func (f *File) mergeStats(src *Stats) {
	dst := &f.stats
	dst.ChunksPresent += src.ChunksPresent
	dst.ChunksParsed += src.ChunksParsed
	dst.ChunksEmpty += src.ChunksEmpty
	dst.ChunksSkipped += src.ChunksSkipped
	dst.RecordsAttempted += src.RecordsAttempted
	dst.RecordsDecoded += src.RecordsDecoded
	dst.RecordsRecovered += src.RecordsRecovered
	dst.RecordsFailed += src.RecordsFailed
	var d int
	dst.Problems, d = keepAll(dst.Problems, src.Problems, f.opts.MaxProblems)
	dst.ProblemsDropped += d + src.ProblemsDropped
	dst.loss.add(src.loss)
}

// add adds the counts and problems of a batch to the pass's, keeping at
// most limit problems.
func (s *ScanStats) add(b *batch, limit int) {
	s.ChunksPresent += b.stats.ChunksPresent
	s.ChunksDecoded += b.stats.ChunksParsed
	s.ChunksFiltered += b.filtered
	s.ChunksEmpty += b.stats.ChunksEmpty
	s.ChunksSkipped += b.stats.ChunksSkipped
	s.RecordsAttempted += b.stats.RecordsAttempted
	s.RecordsDecoded += b.stats.RecordsDecoded
	s.RecordsRecovered += b.stats.RecordsRecovered
	s.RecordsFailed += b.stats.RecordsFailed
	s.BytesRead += b.bytes
	var d int
	s.Problems, d = keepAll(s.Problems, b.stats.Problems, limit)
	s.ProblemsDropped += d + b.stats.ProblemsDropped
	s.loss.add(b.stats.loss)
}

// item is one result of a batch: a record (ParallelRecords), an IC event
// (ScanIC), or a data-losing error.
type item struct {
	rec Record
	ev  ICEvent
	err error
}

// batch is the work and result of consecutive chunk slots.
type batch struct {
	idx      int
	first, n int // chunk slots [first, first+n)
	items    []item
	stats    Stats // counts and problems of these slots, as a Records pass finds them
	filtered int
	bytes    int64
}

// runBatches reads the chunk slots in batches on o.Workers goroutines and
// calls emit with each batch in file order, on the caller's goroutine. When
// filter is set, complete chunks that hold none of its names are not
// decoded; when ic is set, decoded records are reduced to their IC events
// (those o.Events selects).
// emit returning false stops the pass. The goroutines are always gone when
// runBatches returns.
func (f *File) runBatches(ctx context.Context, o ScanOptions, filter *nameFilter, ic bool, emit func(*batch) bool) error {
	slots := f.slots()
	nb := (slots + o.BatchChunks - 1) / o.BatchChunks
	if nb == 0 {
		return ctx.Err()
	}
	workers := min(o.Workers, nb)
	// The workers copy this snapshot, never f itself: emit may update
	// f.stats on this goroutine while they run.
	snap := *f
	stop := make(chan struct{})
	jobs := make(chan int)
	out := make(chan *batchResult, o.InFlight)
	sem := make(chan struct{}, o.InFlight)
	var wg sync.WaitGroup
	defer func() {
		close(stop)
		wg.Wait()
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		dispatch(nb, sem, jobs, stop)
	}()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk := newWorker(&snap, o, filter, ic)
			for b := range jobs {
				res := wk.run(ctx, b, min(o.BatchChunks, slots-b*o.BatchChunks), b*o.BatchChunks)
				select {
				case out <- res:
				case <-stop:
					return
				}
			}
		}()
	}
	return emitInOrder(ctx, nb, out, sem, emit)
}

// dispatch sends the batch indexes 0..nb-1 to jobs, at most InFlight
// (sem's capacity) batches between read and emit, until stop is closed;
// it closes jobs.
func dispatch(nb int, sem chan<- struct{}, jobs chan<- int, stop <-chan struct{}) {
	defer close(jobs)
	for b := 0; b < nb; b++ {
		select {
		case sem <- struct{}{}:
		case <-stop:
			return
		}
		select {
		case jobs <- b:
		case <-stop:
			return
		}
	}
}

// emitInOrder receives the nb batch results from out in any order and
// emits them in batch order, freeing a sem slot for each. It stops at
// the first cancelled batch (its error), when emit returns false (nil),
// or when ctx is done (its error).
func emitInOrder(ctx context.Context, nb int, out <-chan *batchResult, sem <-chan struct{}, emit func(*batch) bool) error {
	pending := make(map[int]*batchResult, cap(sem))
	for next := 0; next < nb; {
		if err := ctx.Err(); err != nil {
			return err
		}
		var res *batchResult
		select {
		case res = <-out:
		case <-ctx.Done():
			return ctx.Err()
		}
		pending[res.idx] = res
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-sem
			if r.ctxErr != nil {
				return r.ctxErr
			}
			if !emit(&r.batch) {
				return nil
			}
		}
	}
	return nil
}

// worker reads and decodes batches. Each worker has its own File copy (its
// own Stats and reader) and decode buffers.
type worker struct {
	f       File // copy of the caller's File; r replaced per batch
	buf     []byte
	chunk   []byte
	dec     *decoder
	filter  *nameFilter // nil: decode every chunk
	ic      bool
	events  []EventKey // the selection of ScanOptions.Events
	orig    readerAt
	inMem   []byte // the whole input when it is held in memory
	batchAt batchReader
}

// batchResult carries a batch or the cancellation that prevented it.
type batchResult struct {
	batch
	ctxErr error
}

func newWorker(f *File, o ScanOptions, filter *nameFilter, ic bool) *worker {
	w := &worker{f: *f, filter: filter, ic: ic, events: o.Events, orig: f.r}
	w.f.headerP = nil
	w.dec = newDecoder(&w.f)
	w.dec.pick = ic && !o.DecodeAll && !o.noRecordFilter
	w.dec.keys = o.Events
	w.chunk = make([]byte, chunkSize)
	if b, ok := f.r.(bytesReaderAt); ok {
		w.inMem = b
	} else {
		w.buf = make([]byte, int64(o.BatchChunks)*chunkSize)
	}
	return w
}

// run reads n slots starting at slot first and processes them. It never
// panics: a panic (a bug) becomes a problem for the batch.
func (w *worker) run(ctx context.Context, idx, n, first int) (res *batchResult) {
	res = &batchResult{batch: batch{idx: idx, first: first, n: n}}
	if err := ctx.Err(); err != nil {
		res.ctxErr = err
		return res
	}
	defer func() {
		if p := recover(); p != nil {
			off := int64(fileHeaderBlock) + int64(first)*chunkSize
			pr := w.f.problem(ProblemChunkSkipped, first, off, 0, 0, "chunk batch",
				fmt.Errorf("%w: internal error: %v", ErrCorrupt, p))
			res.stats.loss.count(pr)
			var d int
			res.stats.Problems, d = keep(res.stats.Problems, pr, w.f.opts.MaxProblems)
			res.stats.ProblemsDropped += d
			res.items = append(res.items, item{err: pr.Err})
		}
	}()
	w.process(ctx, &res.batch)
	if err := ctx.Err(); err != nil {
		res.ctxErr = err // the batch may be incomplete: never emit it
	}
	return res
}

func (w *worker) process(ctx context.Context, b *batch) {
	f := &w.f
	start := int64(fileHeaderBlock) + int64(b.first)*chunkSize
	want := min(int64(b.n)*chunkSize, f.size-start)
	var data []byte
	var readErr error
	if w.inMem != nil {
		data = w.inMem[start : start+want]
	} else {
		got, err := w.orig.ReadAt(w.buf[:want], start)
		data = w.buf[:max(min(int64(got), want), 0)]
		if int64(len(data)) == want {
			err = nil // a complete read, even with io.EOF
		}
		// A short read is reported by the per-chunk path, slot by slot.
		readErr = err
	}
	b.bytes = int64(len(data))
	w.batchAt = batchReader{base: start, data: data, err: readErr}
	f.r = &w.batchAt
	f.stats = Stats{}
	yield := func(r Record, err error) bool {
		if err != nil {
			b.items = append(b.items, item{err: err})
			return true
		}
		if w.dec.skipped {
			return true // a record the light reader skipped (peek.go)
		}
		if w.ic {
			if ev, ok := extractIC(&r, w.events); ok {
				b.items = append(b.items, item{ev: ev})
			}
			return true
		}
		b.items = append(b.items, item{rec: r})
		return true
	}
	for k := 0; k < b.n && ctx.Err() == nil; k++ {
		i := b.first + k
		lo := int64(k) * chunkSize
		if w.filter != nil && int64(len(data))-lo >= chunkSize {
			c := data[lo : lo+chunkSize]
			if bytes.Equal(c[:8], chunkMagic) && !w.filter.mayHold(c) {
				f.stats.ChunksPresent++
				f.checkChunkCRCs(i, start+lo, c, parseChunkHeader(c))
				b.filtered++
				continue
			}
		}
		f.chunk(i, w.chunk, w.dec, yield)
	}
	b.stats = f.stats
	f.stats = Stats{}
}

// batchReader serves ReadAt from one batch's bytes, at file offsets.
type batchReader struct {
	base int64
	data []byte
	err  error // the error of the short read that filled data, if any
}

var errOutsideBatch = errors.New("evtx: read outside the batch")

func (r *batchReader) fail() error {
	if r.err != nil {
		return r.err
	}
	return errOutsideBatch
}

func (r *batchReader) ReadAt(p []byte, off int64) (int, error) {
	if off < r.base {
		return 0, errOutsideBatch
	}
	rel := off - r.base
	if rel >= int64(len(r.data)) {
		return 0, r.fail()
	}
	n := copy(p, r.data[rel:])
	if n < len(p) {
		return n, r.fail()
	}
	return n, nil
}
