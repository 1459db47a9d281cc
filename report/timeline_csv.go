package report

import (
	"encoding/csv"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

// timelineHeader is the layout of the event timeline CSV, in English and
// Japanese. The kind column holds the stable kind code (kb.EventKind's
// text) in either language, so that a filter on it works on both.
var timelineHeader = [2][]string{
	{"time_utc", "host", "vm_name", "vm_id", "component", "kind", "event_id", "provider", "channel",
		"server_version", "client_version", "framework_version", "message_version",
		"file", "record_id", "ambiguous", "note"},
	{"時刻 (UTC)", "ホスト", "VM 名", "VM ID", "コンポーネント", "種類", "イベント ID", "プロバイダー", "チャネル",
		"サーバー バージョン", "クライアント バージョン", "フレームワーク バージョン", "メッセージ バージョン",
		"ファイル", "レコード ID", "曖昧", "注記"},
}

// TimelineCSV writes the IC events behind the verdicts as a timeline, one
// row per event, for a spreadsheet or a timeline viewer: time (UTC, ISO
// 8601), host, VM, component, kind, event ID, provider, channel, the four
// versions the event carries, the file and record ID it was read from,
// and whether a field was read ambiguously (with the note saying which).
// Rows are in time order (ties keep the scan's order). The CSV is RFC 4180
// with CRLF line ends, UTF-8, and a byte-order mark with Options.BOM;
// control characters from the input are written visibly and a cell that a
// spreadsheet would evaluate as a formula starts with an apostrophe.
func TimelineCSV(w io.Writer, res *result.Result, opts *Options) error {
	v, err := newView(res, opts, true)
	if err != nil {
		return err
	}
	if v.bom {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return err
		}
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	header := timelineHeader[0]
	if v.lang == "ja" {
		header = timelineHeader[1]
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	events := append([]kb.Event(nil), v.res.Events...)
	sort.SliceStable(events, func(i, j int) bool { return events[i].Time.Before(events[j].Time) })
	for _, e := range events {
		if err := cw.Write(v.timelineRow(e)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// timelineRow is one event's row: the VM as kb attributed it (else as the
// event names it), the host as the record names it (else the VM's).
func (v *view) timelineRow(e kb.Event) []string {
	vmName, vmID, host := e.VMName, e.VMID, e.Host
	if e.VM > 0 && e.VM <= len(v.res.VMs) {
		a := &v.res.VMs[e.VM-1]
		if a.VMName != "" {
			vmName = a.VMName
		}
		if a.VMID != "" {
			vmID = a.VMID
		}
		if host == "" {
			host = a.Host
		}
	}
	var at, record, ambiguous string
	if !e.Time.IsZero() {
		at = e.Time.UTC().Format(time.RFC3339Nano)
	}
	if e.Ref.RecordID != 0 {
		record = strconv.FormatUint(e.Ref.RecordID, 10)
	}
	ambiguous = strconv.FormatBool(e.Ambiguous)
	kind := e.Kind
	if kind == kb.EventUnknown { // Result.Events keep the kind the reader gave
		kind = v.t.Classify(e.Provider, e.EventID)
	}
	row := []string{at, host, vmName, vmID, e.Component, enumText(kind), strconv.FormatUint(uint64(e.EventID), 10),
		e.Provider, e.Channel, e.ServerVersion, e.ClientVersion, e.FrameworkVersion, e.MessageVersion,
		e.Ref.File, record, ambiguous, e.Note}
	for i := range row {
		row[i] = csvSafe(row[i])
	}
	return row
}
