// Command evtxdump prints the records of EVTX logs as JSON Lines, or the
// Hyper-V Integration Services evidence in them, or a per-file summary.
//
//	go run ./examples/evtxdump [-ic] [-summary] [-sequential] FILE... [flags]
//
// Default: one object per decoded record; "recovered" marks the records a
// sequential reader would not reach (see evtx.Record.Recovered), "partial"
// those whose end is damaged. -ic: one object per IC event
// (evtx.ExtractICFor with kb's event catalogue; "kind" is the catalogue's
// meaning). -summary: one object per file with the record and chunk
// counts and the problems met. -ic and -summary may be combined.
//
// -ic and -summary take the fast path, as iccheck does: File.ScanIC with
// kb's catalogue as the selection, decoding in parallel only the chunks
// that can hold a selected provider (with -summary, every chunk, so that
// the counts and problems are those of a full decode). -sequential reads
// them with one sequential Records pass instead, the reference the fast
// path is tested against; the output is the same.
//
// Flags may come before, between or after the files; "--" ends them.
// -version prints the version. A file that cannot be opened gets one line
// on stderr naming it; the other files are still processed and the exit
// status is 2.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/hvic/hvic/evtx"
	"github.com/hvic/hvic/examples/internal/cliflag"
	"github.com/hvic/hvic/kb"
)

// table is the rule table whose event catalogue says which records are IC
// evidence (-ic) and what each one means.
var table = kb.Default()

// catalogue is the table's catalogue as the selection evtx reads.
var catalogue = func() []evtx.EventKey {
	keys := []evtx.EventKey{}
	for _, e := range table.EventKeys() {
		if e.EventID <= 0xffff && e.Provider != "" { // as package hvic selects
			keys = append(keys, evtx.EventKey{Provider: e.Provider, Prefix: e.Prefix, ID: uint16(e.EventID)})
		}
	}
	return keys
}()

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

type field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type recordLine struct {
	File         string  `json:"file"`
	Chunk        int     `json:"chunk"`
	Offset       int64   `json:"offset"`
	RecordID     uint64  `json:"record_id"`
	Time         string  `json:"time"`
	Provider     string  `json:"provider"`
	ProviderGUID string  `json:"provider_guid,omitempty"`
	EventID      uint16  `json:"event_id"`
	Qualifiers   *uint16 `json:"qualifiers,omitempty"`
	Level        uint8   `json:"level"`
	Channel      string  `json:"channel"`
	Computer     string  `json:"computer"`
	UserID       string  `json:"user_id,omitempty"`
	Data         []field `json:"data"`
	Binary       string  `json:"binary,omitempty"`
	MayBeShifted bool    `json:"data_may_be_shifted,omitempty"`
	Recovered    bool    `json:"recovered,omitempty"`
	Partial      bool    `json:"partial,omitempty"`
}

type icLine struct {
	File             string       `json:"file"`
	RecordID         uint64       `json:"record_id"`
	Time             string       `json:"time"`
	Kind             kb.EventKind `json:"kind"` // the meaning, from kb's event catalogue
	Shape            evtx.ICShape `json:"shape"`
	Provider         string       `json:"provider"`
	EventID          uint16       `json:"event_id"`
	Component        string       `json:"component"`
	VMName           string       `json:"vm_name"`
	VMID             string       `json:"vm_id"`
	ServerVersion    string       `json:"server_version"`
	ClientVersion    string       `json:"client_version"`
	FrameworkVersion string       `json:"framework_version"`
	MessageVersion   string       `json:"message_version"`
	Computer         string       `json:"computer"`
	Ambiguous        bool         `json:"ambiguous,omitempty"`
	Note             string       `json:"note,omitempty"`
}

type problemLine struct {
	Kind     evtx.ProblemKind `json:"kind"`
	Chunk    int              `json:"chunk"`
	Offset   int64            `json:"offset"`
	RecordID uint64           `json:"record_id,omitempty"`
	Lost     int              `json:"lost"`
	Error    string           `json:"error"`
}

type summaryLine struct {
	File             string        `json:"file"`
	RecordsDecoded   int           `json:"records_decoded"`
	RecordsRecovered int           `json:"records_recovered"`
	RecordsFailed    int           `json:"records_failed"`
	ChunksTotal      int           `json:"chunks_total"`
	ChunksSkipped    int           `json:"chunks_skipped"`
	Dirty            bool          `json:"dirty"`
	Problems         []problemLine `json:"problems"`
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// mode is what to print for each file.
type mode struct {
	records, ic, summary bool
	sequential           bool // -ic and -summary through Records, not ScanIC
}

// run is the whole command; it returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("evtxdump", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var m mode
	fs.BoolVar(&m.ic, "ic", false, "print Hyper-V IC evidence instead of records")
	fs.BoolVar(&m.summary, "summary", false, "print one summary per file instead of records")
	fs.BoolVar(&m.sequential, "sequential", false, "read -ic and -summary with one sequential pass instead of the parallel fast path (same output)")
	showVersion := fs.Bool("version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: evtxdump [-ic] [-summary] [-sequential] FILE... (flags may follow the files; -- ends them)")
		fs.PrintDefaults()
	}
	files, err := cliflag.Parse(fs, args)
	if err != nil {
		return 2
	}
	if *showVersion {
		fmt.Fprintf(stdout, "evtxdump %s\n", cliflag.Version())
		return 0
	}
	if len(files) == 0 {
		fs.Usage()
		return 2
	}
	m.records = !m.ic && !m.summary
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	status := 0
	for _, path := range files {
		if err := dump(ctx, path, enc, m); err != nil {
			fmt.Fprintf(stderr, "evtxdump: %s: %v\n", path, err)
			status = 2
			if errors.Is(err, context.Canceled) {
				return status
			}
		}
	}
	return status
}

func dump(ctx context.Context, path string, enc *json.Encoder, m mode) error {
	f, err := evtx.Open(path, nil)
	if err != nil {
		return err
	}
	defer f.Close()
	if !m.records && !m.sequential {
		return dumpFast(ctx, path, f, enc, m)
	}
	for rec, err := range f.Records(ctx) {
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return err
			}
			continue // damage: listed in the summary
		}
		switch {
		case m.records:
			if err := enc.Encode(newRecordLine(path, &rec)); err != nil {
				return err
			}
		case m.ic:
			ev, ok := evtx.ExtractICFor(rec, catalogue)
			if !ok {
				continue
			}
			if err := enc.Encode(newICLine(path, &ev)); err != nil {
				return err
			}
		}
	}
	if m.summary {
		s := f.Stats()
		return enc.Encode(newSummaryLine(path, f, s.RecordsDecoded, s.RecordsRecovered, s.RecordsFailed, s.ChunkSlots, s.ChunksSkipped, s.Problems))
	}
	return nil
}

// dumpFast prints -ic and -summary through File.ScanIC, as package hvic
// reads a log: the chunks that hold no provider of the catalogue are not
// decoded, unless -summary needs every record counted.
func dumpFast(ctx context.Context, path string, f *evtx.File, enc *json.Encoder, m mode) error {
	evs, st, err := f.ScanIC(ctx, &evtx.ScanOptions{Events: catalogue, DecodeAll: m.summary})
	if err != nil {
		return err
	}
	if m.ic {
		for i := range evs {
			if err := enc.Encode(newICLine(path, &evs[i])); err != nil {
				return err
			}
		}
	}
	if m.summary {
		return enc.Encode(newSummaryLine(path, f, st.RecordsDecoded, st.RecordsRecovered, st.RecordsFailed, st.ChunkSlots, st.ChunksSkipped, st.Problems))
	}
	return nil
}

func newRecordLine(path string, rec *evtx.Record) recordLine {
	l := recordLine{
		File: path, Chunk: rec.Chunk, Offset: rec.Offset, RecordID: rec.RecordID,
		Time: stamp(rec.TimeCreated), Provider: rec.Provider, ProviderGUID: rec.ProviderGUID,
		EventID: rec.EventID, Level: rec.Level, Channel: rec.Channel, Computer: rec.Computer,
		UserID: rec.UserID, Data: make([]field, 0, len(rec.Data)), MayBeShifted: rec.DataMayBeShifted,
		Recovered: rec.Recovered, Partial: rec.Partial, Binary: rec.Binary,
	}
	if rec.HasQualifiers {
		q := rec.Qualifiers
		l.Qualifiers = &q
	}
	for _, d := range rec.Data {
		l.Data = append(l.Data, field(d))
	}
	return l
}

func newICLine(path string, ev *evtx.ICEvent) icLine {
	return icLine{
		File: path, RecordID: ev.RecordID, Time: stamp(ev.Time), Kind: table.Classify(ev.Provider, uint32(ev.EventID)),
		Shape: ev.Shape, Provider: ev.Provider, EventID: ev.EventID, Component: ev.Component, VMName: ev.VMName, VMID: ev.VMID,
		ServerVersion: ev.ServerVersion, ClientVersion: ev.ClientVersion,
		FrameworkVersion: ev.FrameworkVersion.Raw, MessageVersion: ev.MessageVersion.Raw,
		Computer: ev.Computer, Ambiguous: ev.Ambiguous, Note: ev.Note,
	}
}

func newSummaryLine(path string, f *evtx.File, decoded, recovered, failed, slots, skipped int, problems []evtx.Problem) summaryLine {
	l := summaryLine{
		File: path, RecordsDecoded: decoded, RecordsRecovered: recovered, RecordsFailed: failed,
		ChunksTotal: slots, ChunksSkipped: skipped, Dirty: f.Header().Dirty(),
		Problems: make([]problemLine, 0, len(problems)),
	}
	for _, p := range problems {
		l.Problems = append(l.Problems, problemLine{Kind: p.Kind, Chunk: p.Chunk, Offset: p.Offset,
			RecordID: p.RecordID, Lost: p.Lost, Error: p.Err.Error()})
	}
	return l
}
