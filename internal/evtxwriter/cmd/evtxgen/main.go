// Command evtxgen writes EVTX files with the evtxwriter package for the
// cross-check script (scripts/crosscheck-evtx.sh): each file comes with a
// JSON Lines file of what was written, one object per record.
//
//	go run ./internal/evtxwriter/cmd/evtxgen -out DIR
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hvic/hvic/internal/evtxwriter"
)

// expected is one written record as the cross-check compares it.
type expected struct {
	RecordID uint64 `json:"record_id"`
	Provider string `json:"provider"`
	EventID  uint16 `json:"event_id"`
	// Qualifiers is null when the event has none.
	Qualifiers *uint16  `json:"qualifiers"`
	Time       string   `json:"time"`
	Data       []string `json:"data"`
	Names      []string `json:"names"`
	// Types are the value types of Data (ValueType names).
	Types []string `json:"types"`
	// EndsChunk is true when the record ends at the last byte of its chunk.
	EndsChunk bool `json:"ends_chunk"`
}

func main() {
	out := flag.String("out", "", "output directory")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "evtxgen: -out DIR is required")
		os.Exit(2)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "evtxgen:", err)
		os.Exit(2)
	}
	for _, s := range sets() {
		if err := write(*out, s); err != nil {
			fmt.Fprintf(os.Stderr, "evtxgen: %s: %v\n", s.name, err)
			os.Exit(1)
		}
	}
}

type set struct {
	name   string
	opts   evtxwriter.Options
	events []evtxwriter.Event
	// exact, when set, adds events itself (after events) and returns them
	exact func(w *evtxwriter.Writer) ([]evtxwriter.Event, error)
}

func write(dir string, s set) error {
	w := evtxwriter.New(s.opts)
	f, err := os.Create(filepath.Join(dir, s.name+".jsonl"))
	if err != nil {
		return err
	}
	defer f.Close()
	enc := json.NewEncoder(f)
	for _, e := range s.events {
		if err := w.Add(e); err != nil {
			return err
		}
	}
	events := s.events
	if s.exact != nil {
		more, err := s.exact(w)
		if err != nil {
			return err
		}
		events = append(events, more...)
	}
	for i, l := range w.Locations() {
		e := events[i]
		x := expected{RecordID: l.RecordID, Provider: e.Provider, EventID: e.EventID,
			Time:      e.Time.UTC().Format("2006-01-02T15:04:05.0000000Z"),
			EndsChunk: (l.Offset+int64(l.Size)-4096)%65536 == 0}
		if e.HasQualifiers {
			q := e.Qualifiers
			x.Qualifiers = &q
		}
		for _, d := range e.Data {
			x.Data = append(x.Data, d.Value)
			x.Names = append(x.Names, d.Name)
			x.Types = append(x.Types, d.Type.String())
		}
		if err := enc.Encode(x); err != nil {
			return err
		}
	}
	b, err := w.Bytes()
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, s.name+".evtx"), b, 0o644)
}

var t0 = time.Date(2024, 3, 5, 10, 11, 12, 345678900, time.UTC)

func ic(i int, layout evtxwriter.Layout) evtxwriter.Event {
	tm := t0.Add(time.Duration(i) * 1234567 * time.Microsecond)
	vm := fmt.Sprintf("VM-%03d", i)
	id := fmt.Sprintf("{%08X-1234-5678-9ABC-DEF012345678}", i)
	switch i % 4 {
	case 0:
		return evtxwriter.Event{Provider: "storvsp", EventID: 6, HasQualifiers: true, Qualifiers: 32768,
			Level: 3, Keywords: 0x80000000000000, Time: tm, Channel: "System", Computer: "HV-HOST01",
			Layout: evtxwriter.Classic,
			Data:   []evtxwriter.Field{{Value: "\\Device\\Video0"}, {Value: vm}, {Value: id}, {Value: "5.1"}, {Value: "4.2"}}}
	case 1:
		return evtxwriter.Event{Provider: "Microsoft-Windows-Hyper-V-Integration-KvpExchange",
			ProviderGUID: "{8D4A1B6C-1A5C-4B5C-9C0E-6B4F6B2A1E10}", EventID: 4010, Level: 3, Time: tm,
			Channel: "Microsoft-Windows-Hyper-V-Integration-Admin", Computer: "HV-HOST01", UserSID: "S-1-5-18",
			ProcessID: 4242, ThreadID: 77, Layout: layout,
			Data: []evtxwriter.Field{{Name: "VmName", Value: vm}, {Name: "VmId", Value: id},
				{Name: "FrameworkVersion", Value: "Negotiated (3.0) - Expected (3.0)"}, {Name: "MessageVersion", Value: "4.0"}}}
	case 2:
		return evtxwriter.Event{Provider: "Microsoft-Windows-Hyper-V-VmSwitch",
			ProviderGUID: "{67DC0D66-3695-47C0-9642-33F76F7BD7AD}", EventID: 27, Level: 3, Time: tm,
			Channel: "System", Computer: "HV-HOST01", Layout: layout, Keywords: 0x8000000000000000,
			Data: []evtxwriter.Field{{Name: "VMName", Value: vm}, {Name: "ServerVersion", Value: "4.0"},
				{Name: "ClientVersion", Value: "3.2"}, {Name: "VMId", Value: id}, {Name: "Count", Value: fmt.Sprint(i), Type: evtxwriter.UInt32}}}
	}
	return evtxwriter.Event{Provider: "VMSMP", EventID: 26, HasQualifiers: true, Qualifiers: 49152, Level: 2,
		Time: tm, Channel: "System", Computer: "HV-HOST02", Layout: evtxwriter.Classic,
		Data: []evtxwriter.Field{{Value: ""}, {Value: vm}, {Value: ""}, {Value: "x & <y> \"q\" Ünïcödé ☃"}}}
}

func sets() []set {
	var out []set
	for _, l := range []evtxwriter.Layout{evtxwriter.Manifest, evtxwriter.UserData} {
		var small, many []evtxwriter.Event
		for i := 0; i < 12; i++ {
			small = append(small, ic(i, l))
		}
		for i := 0; i < 3000; i++ {
			many = append(many, ic(i, l))
		}
		out = append(out,
			set{name: "small-classic+" + l.String(), events: small},
			set{name: "many-classic+" + l.String(), events: many},
		)
	}
	var capped []evtxwriter.Event
	for i := 0; i < 50; i++ {
		capped = append(capped, ic(i, evtxwriter.Manifest))
	}
	out = append(out,
		set{name: "capped-classic+manifest", opts: evtxwriter.Options{MaxRecordsPerChunk: 7}, events: capped},
		// dirty and stale: the header claims 1 chunk of the 8 (both tools
		// still read all 8, like the evtx package)
		set{name: "dirty-classic+manifest", opts: evtxwriter.Options{Dirty: true, HeaderChunks: 1, MaxRecordsPerChunk: 7, TrailingEmptyChunks: 2}, events: capped},
		set{name: "typed-manifest", events: typed()},
		// records that end exactly at the end of chunks 0 and 1
		set{name: "exact-fill", exact: exactFill},
	)
	return out
}

// exactFill fills two chunks so that each one's last record ends at its
// last byte (libevtx 20181227 drops such a record), then adds one more.
func exactFill(w *evtxwriter.Writer) ([]evtxwriter.Event, error) {
	var out []evtxwriter.Event
	i := 0
	for chunk := 0; chunk < 2; chunk++ {
		for {
			e := ic(i, evtxwriter.Manifest)
			size, err := w.SizeOf(e)
			if err != nil {
				return nil, err
			}
			if w.Remaining() > 0 && size+600 >= w.Remaining() {
				break
			}
			if err := w.Add(e); err != nil {
				return nil, err
			}
			out = append(out, e)
			i++
		}
		rem, done := w.Remaining(), false
		for n := 0; n < 600 && !done; n++ {
			e := ic(i, evtxwriter.Manifest)
			e.Data[0].Value = strings.Repeat("p", n) + e.Data[0].Value
			size, err := w.SizeOf(e)
			if err != nil {
				return nil, err
			}
			if size == rem {
				if err := w.Add(e); err != nil {
					return nil, err
				}
				out = append(out, e)
				i++
				done = true
			}
		}
		if !done {
			return nil, fmt.Errorf("no padding fills the %d bytes left in chunk %d", rem, chunk)
		}
	}
	e := ic(i, evtxwriter.Manifest)
	if err := w.Add(e); err != nil {
		return nil, err
	}
	return append(out, e), nil
}

// typed returns manifest events with one value of every type.
func typed() []evtxwriter.Event {
	var out []evtxwriter.Event
	for i := 0; i < 6; i++ {
		neg := "-5"
		if i%2 == 1 {
			neg = "12345"
		}
		out = append(out, evtxwriter.Event{Provider: "Hvic-Typed", ProviderGUID: "{0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9}",
			EventID: uint16(100 + i), Level: 4, Time: t0.Add(time.Duration(i) * time.Hour), Channel: "Application", Computer: "HV-HOST01",
			Data: []evtxwriter.Field{
				{Name: "U8", Value: fmt.Sprint(200 + i), Type: evtxwriter.UInt8},
				{Name: "U16", Value: "65535", Type: evtxwriter.UInt16},
				{Name: "U32", Value: "4000000000", Type: evtxwriter.UInt32},
				{Name: "U64", Value: "18446744073709551615", Type: evtxwriter.UInt64},
				{Name: "I32", Value: neg, Type: evtxwriter.Int32},
				{Name: "H32", Value: "0xdeadbeef", Type: evtxwriter.Hex32},
				{Name: "H64", Value: "0x0123456789abcdef", Type: evtxwriter.Hex64},
				{Name: "Guid", Value: "{00112233-4455-6677-8899-AABBCCDDEEFF}", Type: evtxwriter.GUID},
				{Name: "Sid", Value: "S-1-5-21-3623811015-3361044348-30300820-1013", Type: evtxwriter.SID},
				{Name: "FileTime", Value: fmt.Sprintf("2019-0%d-05T06:07:08.123456%dZ", i+1, i), Type: evtxwriter.FileTime},
				{Name: "SysTime", Value: fmt.Sprintf("2019-04-05T06:07:0%d.%03dZ", i, 100*i+7), Type: evtxwriter.SystemTime},
				{Name: "Bool", Value: []string{"true", "false"}[i%2], Type: evtxwriter.Bool},
				{Name: "Bin", Value: "deadbeef00", Type: evtxwriter.Binary},
				{Name: "Str", Value: "plain"},
			}})
	}
	return out
}
