package evtx

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	gevtx "github.com/0xrawsec/golang-evtx/evtx"
	glog "github.com/0xrawsec/golang-utils/log"
	"golang.org/x/text/encoding/charmap"
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
		d.f.stats.Problems = append(d.f.stats.Problems, d.f.problem(ProblemDataLimit, d.chunk, rec.Offset, rec.RecordID, 0, "event data",
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
				err = fmt.Errorf("%w: %w", ErrDecode, e)
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
	d.instance(root, ti, 0)
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

// xnode is an element of the decoded event, in document order.
type xnode struct {
	name     string
	attrs    []Field
	text     strings.Builder
	children []*xnode
	array    []string // content was a string array substitution
	shifted  bool     // array may have lost empty strings
}

func (n *xnode) attr(name string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name == name {
			return a.Value, true
		}
	}
	return "", false
}

func (n *xnode) child(name string) *xnode {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// instance appends the elements of a template instance under parent.
func (d *decoder) instance(parent *xnode, ti *gevtx.TemplateInstance, depth int) {
	if depth > maxTreeDepth {
		panic(fmt.Errorf("%w: elements nested deeper than %d", ErrTooLarge, maxTreeDepth))
	}
	// Root rebuilds the element tree of the definition: charge it.
	d.br.spend(nodeCost * int64(len(ti.Definition.Data.Elements)+1))
	r := ti.Root()
	d.node(parent, ti, &r, depth)
}

// node converts golang-evtx Node n (whose start element has already been
// turned into parent) by appending its content and children to parent.
func (d *decoder) node(parent *xnode, ti *gevtx.TemplateInstance, n *gevtx.Node, depth int) {
	if depth > maxTreeDepth {
		panic(fmt.Errorf("%w: elements nested deeper than %d", ErrTooLarge, maxTreeDepth))
	}
	for _, e := range n.Element {
		d.br.spend(nodeCost)
		d.content(parent, ti, e, depth)
	}
	for _, c := range n.Child {
		if c == nil || c.Start == nil {
			continue
		}
		d.br.spend(nodeCost)
		x := &xnode{name: c.Start.Name.String()}
		for _, a := range c.Start.AttributeList.Attributes {
			if v, ok := d.attrValue(ti, a.AttributeData); ok {
				x.attrs = append(x.attrs, Field{Name: a.Name.String(), Value: v})
			}
		}
		d.node(x, ti, c, depth+1)
		parent.children = append(parent.children, x)
	}
}

func (d *decoder) substitution(ti *gevtx.TemplateInstance, id int16) (gevtx.Element, int, bool) {
	i := int(id)
	if i < 0 || i >= len(ti.Data.Values) {
		return nil, 0, false
	}
	return ti.Data.Values[i], i, true
}

// content adds one content item (text, substitution, nested fragment).
func (d *decoder) content(x *xnode, ti *gevtx.TemplateInstance, e gevtx.Element, depth int) {
	switch v := e.(type) {
	case *gevtx.ValueText:
		s := v.String()
		d.br.spend(int64(len(s)))
		x.text.WriteString(s)
	case *gevtx.NormalSubstitution:
		if val, i, ok := d.substitution(ti, v.SubID); ok {
			d.value(x, ti, i, val, depth)
		}
	case *gevtx.OptionalSubstitution:
		if val, i, ok := d.substitution(ti, v.SubID); ok {
			d.value(x, ti, i, val, depth)
		}
	case *gevtx.CharEntityRef:
		x.text.WriteRune(rune(uint16(v.Value)))
	case *gevtx.BinXMLEntityReference:
		x.text.WriteString(v.String())
	case *gevtx.Fragment:
		if t, ok := v.BinXMLElement.(*gevtx.TemplateInstance); ok && t != nil {
			d.instance(x, t, depth+1)
		}
	case *gevtx.TemplateInstance:
		d.instance(x, v, depth+1)
	}
}

// value adds substitution value i of ti to x.
func (d *decoder) value(x *xnode, ti *gevtx.TemplateInstance, i int, e gevtx.Element, depth int) {
	switch v := e.(type) {
	case *gevtx.Fragment:
		if t, ok := v.BinXMLElement.(*gevtx.TemplateInstance); ok && t != nil {
			d.instance(x, t, depth+1)
		}
	case *gevtx.TemplateInstance:
		d.instance(x, v, depth+1)
	case *gevtx.ValueStringTable:
		x.array, x.shifted = d.stringArray(ti, i, v)
	default:
		if s, ok := valueString(e); ok {
			d.br.spend(int64(len(s)))
			x.text.WriteString(s)
		}
	}
}

func (d *decoder) attrValue(ti *gevtx.TemplateInstance, e gevtx.Element) (string, bool) {
	switch v := e.(type) {
	case *gevtx.ValueText:
		return v.String(), true
	case *gevtx.NormalSubstitution:
		if val, _, ok := d.substitution(ti, v.SubID); ok {
			return valueString(val)
		}
	case *gevtx.OptionalSubstitution:
		if val, _, ok := d.substitution(ti, v.SubID); ok {
			return valueString(val)
		}
	case *gevtx.CharEntityRef:
		return string(rune(uint16(v.Value))), true
	case *gevtx.BinXMLEntityReference:
		return v.String(), true
	}
	return "", false
}

// valueString renders a typed substitution value; false for NULL values
// (an optional substitution that is absent).
func valueString(e gevtx.Element) (string, bool) {
	switch v := e.(type) {
	case nil:
		return "", false
	case *gevtx.ValueNull:
		return "", false
	case *gevtx.ValueString:
		return v.String(), true
	case *gevtx.AnsiString:
		b, _ := v.Value().([]byte)
		return strings.TrimRight(ansiString(b), "\x00"), true
	case *gevtx.ValueGUID:
		return "{" + v.String() + "}", true
	case *gevtx.ValueFileTime:
		if ft, ok := rawFiletime(v); ok {
			return filetime(ft).Format(time.RFC3339Nano), true
		}
		return "", true
	case *gevtx.ValueSysTime:
		st, _ := v.Value().(gevtx.SysTime)
		return fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", st.Year, st.Month, st.DayOfMonth,
			st.Hours, st.Minutes, st.Seconds, st.Milliseconds), true
	case *gevtx.ValueHexInt32:
		// Never call Value() on the hex types: it recurses forever in v1.2.9.
		return v.String(), true
	case *gevtx.ValueHexInt64:
		return v.String(), true
	case *gevtx.ValueBinary:
		b, _ := v.Value().([]byte)
		return strings.ToUpper(hex.EncodeToString(b)), true
	case *gevtx.ValueStringTable:
		ss, _ := v.Value().([]gevtx.UTF16String)
		out := make([]string, 0, len(ss))
		for _, s := range ss {
			out = append(out, s.ToString())
		}
		return strings.Join(out, ", "), true
	case *gevtx.UnkVal:
		return "", true
	case gevtx.Value:
		return v.String(), true
	}
	return "", false
}

// ansiString decodes an 8-bit ("ANSI") string value. The code page is not
// recorded in the log; Windows-1252 is assumed, as libevtx does by default,
// so that bytes above 0x7F (the DNS names of python-evtx's
// dns_log_malformed.evtx, which python-evtx cannot decode as ASCII) give
// valid UTF-8, e.g. 0xA6 -> "¦". The five bytes Windows-1252 leaves
// undefined map to the C1 controls of the same value, as Windows' own
// table does, so no byte is lost.
func ansiString(b []byte) string {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/2)
	for _, c := range b {
		r := charmap.Windows1252.DecodeByte(c)
		if r == utf8.RuneError {
			r = rune(c)
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// rawFiletime reads the unexported FILETIME of a ValueFileTime (golang-evtx
// converts it through float64 and loses precision).
func rawFiletime(v *gevtx.ValueFileTime) (int64, bool) {
	rv := reflect.ValueOf(v).Elem()
	if rv.NumField() < 1 {
		return 0, false
	}
	f := rv.Field(0)
	if f.Kind() == reflect.Struct && f.NumField() >= 1 {
		f = f.Field(0)
	}
	switch f.Kind() {
	case reflect.Int64, reflect.Int32:
		return f.Int(), true
	case reflect.Uint64, reflect.Uint32:
		return int64(f.Uint()), true
	}
	return 0, false
}

// filetime converts a FILETIME (100 ns ticks since 1601-01-01 UTC) exactly.
func filetime(ft int64) time.Time {
	const epochDiff = 11644473600 // seconds from 1601 to 1970
	if ft <= 0 {
		return time.Time{}
	}
	sec := ft/10_000_000 - epochDiff
	nsec := (ft % 10_000_000) * 100
	return time.Unix(sec, nsec).UTC()
}

// stringArray returns the strings of substitution i (a string array),
// re-read from the raw bytes so that empty strings keep their place. When
// the raw bytes cannot be located with certainty it returns golang-evtx's
// list (empty strings dropped) and shifted = true.
func (d *decoder) stringArray(ti *gevtx.TemplateInstance, i int, v *gevtx.ValueStringTable) ([]string, bool) {
	ss, _ := v.Value().([]gevtx.UTF16String)
	lossy := make([]string, 0, len(ss))
	for _, s := range ss {
		lossy = append(lossy, s.ToString())
	}
	raw, ok := d.rawValue(ti, i)
	if !ok {
		return lossy, true
	}
	exact := splitUTF16Strings(raw)
	// Sanity: the non-empty strings must be golang-evtx's list.
	k := 0
	for _, s := range exact {
		if s == "" {
			continue
		}
		if k >= len(lossy) || lossy[k] != s {
			return lossy, true
		}
		k++
	}
	if k != len(lossy) {
		return lossy, true
	}
	return exact, false
}

// rawValue locates the bytes of substitution value i of ti inside the
// current record: it searches the record for the instance's value count and
// descriptor array and requires exactly one match.
func (d *decoder) rawValue(ti *gevtx.TemplateInstance, i int) ([]byte, bool) {
	descs := ti.Data.ValDescs
	if i < 0 || i >= len(descs) || len(descs) > chunkSize/4 {
		return nil, false
	}
	pat := make([]byte, 4+4*len(descs))
	binary.LittleEndian.PutUint32(pat, uint32(len(descs)))
	for j, vd := range descs {
		binary.LittleEndian.PutUint16(pat[4+4*j:], vd.Size)
		pat[4+4*j+2] = byte(vd.ValType)
		pat[4+4*j+3] = byte(vd.Unknown)
	}
	if d.recStart < 0 || d.recEnd > len(d.data) || d.recStart >= d.recEnd {
		return nil, false
	}
	rec := d.data[d.recStart:d.recEnd]
	at := indexUnique(rec, pat)
	if at < 0 {
		return nil, false
	}
	start := int64(at) + int64(len(pat))
	for j := 0; j < i; j++ {
		start += int64(descs[j].Size)
	}
	end := start + int64(descs[i].Size)
	if end > int64(len(rec)) {
		return nil, false
	}
	return rec[start:end], true
}

func indexUnique(b, pat []byte) int {
	at := -1
	for pos := 0; pos <= len(b)-len(pat); {
		j := indexFrom(b, pat, pos)
		if j < 0 {
			break
		}
		if at >= 0 {
			return -1
		}
		at = j
		pos = j + 1
	}
	return at
}

func indexFrom(b, pat []byte, pos int) int {
	j := bytes.Index(b[pos:], pat)
	if j < 0 {
		return -1
	}
	return pos + j
}

// splitUTF16Strings splits a REG_MULTI_SZ-like array of NUL-terminated
// UTF-16LE strings, keeping empty strings.
func splitUTF16Strings(b []byte) []string {
	u := make([]uint16, 0, len(b)/2)
	for k := 0; k+1 < len(b); k += 2 {
		u = append(u, binary.LittleEndian.Uint16(b[k:]))
	}
	var out []string
	startAt := 0
	for k, c := range u {
		if c == 0 {
			out = append(out, string(utf16.Decode(u[startAt:k])))
			startAt = k + 1
		}
	}
	if startAt < len(u) {
		out = append(out, string(utf16.Decode(u[startAt:])))
	}
	return out
}

// fill sets the typed System fields and the event data of rec from the
// Event element.
func (d *decoder) fill(rec *Record, ev *xnode) {
	if sys := ev.child("System"); sys != nil {
		for _, c := range sys.children {
			text := strings.TrimSpace(c.text.String())
			switch c.name {
			case "Provider":
				rec.Provider, _ = c.attr("Name")
				if g, ok := c.attr("Guid"); ok {
					rec.ProviderGUID = normGUIDBraced(g)
				}
				rec.EventSourceName, _ = c.attr("EventSourceName")
			case "EventID":
				rec.EventID = uint16(parseUint(text, 16))
				if q, ok := c.attr("Qualifiers"); ok {
					rec.Qualifiers = uint16(parseUint(q, 16))
					rec.HasQualifiers = true
				}
			case "Version":
				rec.Version = uint8(parseUint(text, 8))
			case "Level":
				rec.Level = uint8(parseUint(text, 8))
			case "Task":
				rec.Task = uint16(parseUint(text, 16))
			case "Opcode":
				rec.Opcode = uint8(parseUint(text, 8))
			case "Keywords":
				rec.Keywords = parseUint(text, 64)
			case "TimeCreated":
				if s, ok := c.attr("SystemTime"); ok {
					if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
						rec.TimeCreated = t.UTC()
					}
				}
			case "Channel":
				rec.Channel = text
			case "Computer":
				rec.Computer = text
			case "Security":
				rec.UserID, _ = c.attr("UserID")
			case "Execution":
				if s, ok := c.attr("ProcessID"); ok {
					rec.ProcessID = uint32(parseUint(s, 32))
				}
				if s, ok := c.attr("ThreadID"); ok {
					rec.ThreadID = uint32(parseUint(s, 32))
				}
			}
		}
	}
	if ed := ev.child("EventData"); ed != nil {
		for _, c := range ed.children {
			if c.name == "Binary" {
				d.binary(rec, strings.TrimSpace(c.text.String()))
				continue
			}
			if c.name != "Data" {
				continue
			}
			name, _ := c.attr("Name")
			if c.array != nil {
				if name == "" {
					if c.shifted {
						rec.DataMayBeShifted = true
					}
					for _, s := range c.array {
						d.add(rec, "", s)
					}
					continue
				}
				d.add(rec, name, strings.Join(c.array, ", "))
				continue
			}
			d.add(rec, name, c.text.String())
		}
	}
	if ud := ev.child("UserData"); ud != nil {
		d.leaves(rec, ud, 0)
	}
}

// leaves adds the leaf elements under x (UserData) as named fields.
func (d *decoder) leaves(rec *Record, x *xnode, depth int) {
	if depth > maxTreeDepth {
		return
	}
	for _, c := range x.children {
		if len(c.children) == 0 {
			if c.array != nil {
				for _, s := range c.array {
					d.add(rec, c.name, s)
				}
				continue
			}
			d.add(rec, c.name, c.text.String())
			continue
		}
		d.leaves(rec, c, depth+1)
	}
}

// add appends a field; once a limit is hit the rest of the record's data is
// dropped (not just the oversized field), so positions stay meaningful.
// binary keeps the hex text of EventData's <Binary> element, within the
// record's MaxDataSize budget; beyond it the text is cut (at a whole byte)
// and reported like dropped fields.
func (d *decoder) binary(rec *Record, hexText string) {
	left := d.f.opts.MaxDataSize - d.bytes
	if left < len(hexText) {
		hexText = hexText[:max(left, 0)&^1]
		d.truncated = true
	}
	d.bytes += len(hexText)
	rec.Binary = hexText
}

func (d *decoder) add(rec *Record, name, value string) {
	if d.truncated || d.fields >= d.f.opts.MaxDataFields || d.bytes+len(name)+len(value) > d.f.opts.MaxDataSize {
		d.truncated = true
		return
	}
	d.fields++
	d.bytes += len(name) + len(value)
	rec.Data = append(rec.Data, Field{Name: name, Value: value})
}

func parseUint(s string, bits int) uint64 {
	s = strings.TrimSpace(s)
	base := 10
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s, base = s[2:], 16
	}
	v, err := strconv.ParseUint(s, base, bits)
	if err != nil {
		return 0
	}
	return v
}

// normGUIDBraced returns "{XXXXXXXX-...}" upper-case, or s unchanged when it
// is not a GUID.
func normGUIDBraced(s string) string {
	g, ok := parseGUID(s)
	if !ok {
		return s
	}
	return "{" + strings.ToUpper(g) + "}"
}

// parseGUID accepts a GUID with or without braces and returns it lower-case
// without braces.
func parseGUID(s string) (string, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "{")
	s = strings.TrimSuffix(s, "}")
	if len(s) != 36 {
		return "", false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return "", false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return "", false
			}
		}
	}
	return strings.ToLower(s), true
}
