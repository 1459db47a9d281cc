package evtx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	gevtx "github.com/0xrawsec/golang-evtx/evtx"
	glog "github.com/0xrawsec/golang-utils/log"
)

var silenceOnce sync.Once

// silenceLogger raises golang-utils' process-wide log level so that
// golang-evtx's parse errors ("Bad close element token") are not printed.
// Done once per process; the errors are reported as Problems instead.
func silenceLogger() {
	silenceOnce.Do(func() { glog.SetLogLevel(glog.LCritical) })
}

// Decoding budgets. golang-evtx follows chunk-relative offsets without a
// depth limit, so a template definition that points back at itself would
// recurse until the stack overflows (which recover cannot stop), and it
// parses a template instance met inside a definition or a BinXML value
// without its template cache, so definitions whose instances point at
// further definitions (a fan-out chain) cost fan-out^depth. Every read and
// seek it makes goes through budgetReader, and decode charges 16 units per
// element it converts; past the budget it panics inside our recover and the
// record fails. A record may spend recordBudgetBase + 16 units per record
// byte, and no more than what is left of its chunk's Options.MaxChunkWork.
const (
	recordBudgetBase = 256 << 10 // bytes read + 16 per seek, per record, plus 16 per record byte
	maxTreeDepth     = 64        // element nesting kept in a Record
	nodeCost         = 16        // budget units per element or content item converted
	failCost         = 32 << 10  // chunk budget units a failed record costs at least (64 per default chunk)
)

var (
	errBudget    = errors.New("evtx: decode budget exhausted (looping or nested too deep)")
	errShortRead = errors.New("evtx: binary XML runs past the end of the record")
)

// budgetReader is the io.ReadSeeker golang-evtx parses from. It aborts a
// record by panicking (budget spent, read past the record, seek before the
// chunk), never by returning an error: golang-evtx prints every read error
// it sees (see doc.go, Silence). These panics, and the depth cap in
// instance, happen only beneath decoder.parse, whose deferred recover turns
// each into an ErrDecode for that one record; none can leave the package.
type budgetReader struct {
	data    []byte
	pos     int64
	limit   int64 // reads stop here: the end of the record being decoded
	left    int64
	allow   int64 // left at the start of the record
	record  int64 // the record's own budget (allow unless the chunk's budget is lower)
	bomb    bool  // a template's expansion exceeds the record's whole budget
	chunk   int64 // the chunk's MaxChunkWork when it, not the record's budget, set allow; else 0
	v       *validator
	lastOne int64 // position of the last 1-byte read, -1 if the last read was longer
}

func (b *budgetReader) spend(n int64) {
	b.left -= n
	if b.left < 0 {
		panic(fmt.Errorf("%w: %s", errBudget, b.which()))
	}
}

// which names the budget a record ran out of.
func (b *budgetReader) which() string {
	if b.chunk > 0 {
		return fmt.Sprintf("over the %d units left of the chunk's MaxChunkWork (%d)", b.allow, b.chunk)
	}
	return fmt.Sprintf("over the record's budget of %d units", b.allow)
}

// Read panics (caught by decode's recover) instead of returning a short
// read: golang-evtx prints a "PANIC -" line on the standard logger for many
// read errors, and a read past the record's end means the record is damaged.
func (b *budgetReader) Read(p []byte) (int, error) {
	b.spend(int64(len(p)) + 1)
	if b.pos < 0 || b.pos > b.limit || b.limit-b.pos < int64(len(p)) {
		panic(errShortRead)
	}
	b.lastOne = -1
	if len(p) == 1 {
		b.lastOne = b.pos
	}
	n := copy(p, b.data[b.pos:b.limit])
	b.pos += int64(n)
	return n, nil
}

func (b *budgetReader) Seek(off int64, whence int) (int64, error) {
	b.spend(16)
	if whence == io.SeekCurrent && off == -1 && b.lastOne >= 0 && b.lastOne == b.pos-1 && b.v != nil {
		// golang-evtx peeks at a token: check what it would print about,
		// and refuse at once a template whose expansion cannot fit in
		// what is left of the budget (a fan-out chain of definitions).
		w, err := b.v.peek(int(b.lastOne))
		if err != nil {
			panic(err)
		}
		if w > b.left {
			b.left = 0
			b.bomb = w > b.record
			panic(fmt.Errorf("%w: template instance expands to at least %d bytes, %s", errBudget, w, b.which()))
		}
	}
	b.lastOne = -1
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = off
	case io.SeekCurrent:
		abs = b.pos + off
	case io.SeekEnd:
		abs = int64(len(b.data)) + off
	default:
		return 0, errors.New("evtx: bad whence")
	}
	if abs < 0 {
		// golang-evtx ignores the error of most seeks (GoToSeeker) and would
		// read on at the wrong place: fail the record instead.
		panic(fmt.Errorf("%w: seek to offset %d, before the chunk", errMalformed, abs))
	}
	b.pos = abs
	return abs, nil
}

// decoder decodes the records of one chunk at a time.
type decoder struct {
	f     *File
	chunk int
	off   int64
	data  []byte
	c     gevtx.Chunk
	v     validator
	good  map[int32]bool // template offsets cached by records that decoded
	// current record, for string-array recovery
	recStart, recEnd int
	// limits
	fields, bytes int
	truncated     bool
	// partial: the record being decoded has a damaged tail; the templates
	// it defines are not kept (see decodePartial)
	partial bool
	// chunkLeft is what is left of the chunk's Options.MaxChunkWork; br is
	// the budget of the record being decoded.
	chunkLeft int64
	br        *budgetReader
	// tooDeep: the element tree of the record being converted nests deeper
	// than maxTreeDepth; the conversion stops and parse fails the record.
	tooDeep bool
	// The record-level pre-filter of ScanIC (peek.go): when pick is set,
	// startChunk lists in skipAt the records the light reader shows keys
	// cannot select; decode skips them and sets skipped for the record it
	// returns.
	pick    bool
	keys    []EventKey
	skipAt  map[int]bool
	skipped bool
	pk      peeker // the light reader, its buffers reused from chunk to chunk
}

func newDecoder(f *File) *decoder { return &decoder{f: f} }

func (d *decoder) startChunk(i int, off int64, data []byte) {
	d.chunk, d.off, d.data = i, off, data
	d.c = gevtx.NewChunk()
	d.c.Offset = off
	d.c.Data = data
	d.good = map[int32]bool{}
	d.v = validator{data: data, defs: map[int]defInfo{}, busy: map[int]bool{}}
	d.chunkLeft = d.f.opts.MaxChunkWork
	d.skipAt = nil
	if d.pick {
		d.skipAt = d.plainChunk(data)
	}
}

// charge takes the work of the record just decoded from the chunk's
// budget. A record stopped by its budget is charged its whole allowance, so
// that refusing a fan-out template early does not make it cheaper to
// repeat; a record that fails is charged at least failCost, so that a chunk
// of small undecodable records yields a bounded number of problems; and a
// template whose expansion exceeds the record's whole budget (a fan-out
// chain, never seen in a real log) spends the chunk's budget: the chunk's
// other records are counted, not decoded, in one problem.
func (d *decoder) charge(failed bool) {
	br := d.br
	if br == nil {
		return
	}
	d.br = nil
	spent := br.allow - max(br.left, 0)
	if failed {
		spent = max(spent, failCost)
	}
	if br.bomb {
		spent = max(d.chunkLeft, 0)
	}
	d.chunkLeft -= spent
	d.f.maxChunkWork = max(d.f.maxChunkWork, min(d.f.opts.MaxChunkWork-d.chunkLeft, d.f.opts.MaxChunkWork))
}

// chunkSpent reports whether the chunk's decoding work budget is used up.
func (d *decoder) chunkSpent() bool { return d.chunkLeft <= 0 }

// decode turns the record at pos (size bytes, header already checked) into a
// Record. Any panic in golang-evtx becomes an ErrDecode error.
func (d *decoder) decode(pos, size int) (rec Record, err error) {
	d.skipped = false
	if d.skipAt[pos] && !d.partial {
		d.skipped = true
		return Record{}, nil
	}
	defer func() { d.charge(err != nil) }()
	le := binary.LittleEndian
	rec.File = d.f.opts.Name
	rec.Chunk = d.chunk
	rec.Offset = d.off + int64(pos)
	rec.RecordID = le.Uint64(d.data[pos+8:])
	written := le.Uint64(d.data[pos+16:])
	d.recStart, d.recEnd = pos, pos+size
	d.fields, d.bytes, d.truncated = 0, 0, false

	root, err := d.parse(pos)
	if err != nil {
		d.dropNewTemplates()
		return Record{}, err
	}
	if d.partial {
		d.dropNewTemplates()
	} else {
		d.keepTemplates()
	}
	if root == nil {
		return Record{}, fmt.Errorf("%w: no event element", ErrDecode)
	}
	var ev *xnode
	for _, c := range root.children {
		if c.name == "Event" {
			ev = c
			break
		}
	}
	if ev == nil {
		return Record{}, fmt.Errorf("%w: no Event element", ErrDecode)
	}
	d.fill(&rec, ev)
	if rec.TimeCreated.IsZero() {
		rec.TimeCreated = filetime(int64(written))
	}
	if d.truncated {
		d.f.addProblem(d.f.problem(ProblemDataLimit, d.chunk, rec.Offset, rec.RecordID, 0, "event data",
			fmt.Errorf("%w: event data cut at %d fields / %d bytes", ErrTooLarge, d.f.opts.MaxDataFields, d.f.opts.MaxDataSize)))
	}
	return rec, nil
}

// decodePartial decodes a record whose tail is damaged (its trailing size
// copy is wrong) from what its header declares. The templates it defines are
// forgotten afterwards, decoded or not: a half-overwritten definition must not
// be used for the chunk's later records. A record that gives no provider
// name is refused: its System part is gone (a zeroed body decodes to an
// empty event).
func (d *decoder) decodePartial(pos, size int) (Record, error) {
	d.partial = true
	rec, err := d.decode(pos, size)
	d.partial = false
	if err != nil {
		return Record{}, err
	}
	if rec.Provider == "" {
		return Record{}, fmt.Errorf("%w: no provider name decoded from what is left of the record", ErrDecode)
	}
	return rec, nil
}

// parse runs golang-evtx on the record's BinXML inside recover and converts
// the element tree it returns.
func (d *decoder) parse(pos int) (root *xnode, err error) {
	defer func() {
		if p := recover(); p != nil {
			root = nil
			if e, ok := p.(error); ok && (errors.Is(e, errBudget) || errors.Is(e, errShortRead) || errors.Is(e, errMalformed) || errors.Is(e, ErrTooLarge)) {
				err = &decodeError{cause: e}
				return
			}
			err = fmt.Errorf("%w: golang-evtx panicked: %v", ErrDecode, p)
		}
	}()
	d.v.limit, d.v.steps = d.recEnd, 0
	allow := recordBudgetBase + 16*int64(d.recEnd-d.recStart)
	var byChunk int64
	if d.chunkLeft < allow {
		allow, byChunk = max(d.chunkLeft, 0), d.f.opts.MaxChunkWork
	}
	br := &budgetReader{data: d.data, pos: int64(pos + recordHeader), limit: int64(d.recEnd), left: allow, allow: allow,
		record: recordBudgetBase + 16*int64(d.recEnd-d.recStart), chunk: byChunk, v: &d.v, lastOne: -1}
	if d.f.opts.unchecked {
		br.v = nil
	}
	d.br = br
	elt, perr := gevtx.Parse(br, &d.c, false)
	frag, ok := elt.(*gevtx.Fragment)
	if !ok || frag == nil {
		if perr == nil {
			perr = fmt.Errorf("not a BinXML fragment (%T)", elt)
		}
		return nil, fmt.Errorf("%w: %w", ErrDecode, perr)
	}
	if perr != nil && !errors.Is(perr, io.EOF) {
		return nil, fmt.Errorf("%w: %w", ErrDecode, perr)
	}
	ti, ok := frag.BinXMLElement.(*gevtx.TemplateInstance)
	if !ok || ti == nil {
		return nil, fmt.Errorf("%w: fragment holds %T, not a template instance", ErrDecode, frag.BinXMLElement)
	}
	root = &xnode{}
	d.tooDeep = false
	d.instance(root, ti, 0)
	if d.tooDeep {
		d.tooDeep = false
		return nil, &decodeError{cause: fmt.Errorf("%w: elements nested deeper than %d", ErrTooLarge, maxTreeDepth)}
	}
	return root, nil
}

func (d *decoder) keepTemplates() {
	if len(d.c.TemplateTable) == len(d.good) {
		return
	}
	for k := range d.c.TemplateTable {
		d.good[k] = true
	}
}

// dropNewTemplates forgets templates cached while decoding a failed record,
// so a half-parsed template does not poison the chunk's later records.
func (d *decoder) dropNewTemplates() {
	for k := range d.c.TemplateTable {
		if !d.good[k] {
			delete(d.c.TemplateTable, k)
		}
	}
}
