package collect

import (
	"bytes"

	"github.com/hvic/hvic/evtx"
	"github.com/hvic/hvic/evtx/export"
	"github.com/hvic/hvic/hive"
	"github.com/hvic/hvic/internal/psvm"
)

// Kind is what a file holds, decided from its first bytes, never from its
// name.
type Kind uint8

// File kinds.
const (
	KindOther       Kind = iota // not recognised
	KindEVTX                    // Windows event log: "ElfFile\0" file header
	KindHive                    // registry hive primary file: "regf" base block, file type 0
	KindHiveLog                 // hive transaction log: regf base block of type 1, 2 or 6, or a DIRT/HvLE page
	KindRegExport               // regedit export: "Windows Registry Editor Version 5.00" or "REGEDIT4"
	KindRegQuery                // text output of reg query
	KindZip                     // ZIP archive (descended into)
	KindGetVM                   // Get-VM or Get-VMIntegrationService output (internal/psvm)
	KindEventExport             // event log export: XML, CSV or text (evtx/export)
)

// kindNames are the kinds' text forms. The registry forms are spelled as
// hive.Kind spells them: one spelling, hive's, not a second list.
var kindNames = [...]string{
	KindOther:       "other",
	KindEVTX:        "evtx",
	KindHive:        hive.KindHive.String(),
	KindHiveLog:     hive.KindHiveLog.String(),
	KindRegExport:   hive.KindRegExport.String(),
	KindRegQuery:    hive.KindRegQuery.String(),
	KindZip:         "zip",
	KindGetVM:       "get-vm",
	KindEventExport: "event-export",
}

// String returns a short stable name: "evtx", "hive", "hive-log",
// "reg-export", "reg-query", "zip", "get-vm", "event-export" or "other".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "other"
}

// MarshalText implements encoding.TextMarshaler with String.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// HeadSize is how many leading bytes Classify is given: enough for every
// magic and for the first lines of a text export (hive.Sniff reads at most
// hive.SniffSize).
const HeadSize = 4096

// registryKinds maps hive.Sniff's answers to file kinds.
var registryKinds = map[hive.Kind]Kind{
	hive.KindHive:      KindHive,
	hive.KindHiveLog:   KindHiveLog,
	hive.KindRegExport: KindRegExport,
	hive.KindRegQuery:  KindRegQuery,
}

// Classify decides a file's kind from its first bytes (up to HeadSize). It
// also returns a short reason for KindOther ("unrecognised content",
// "unsupported archive format (7z)"). It recognises archives itself and
// asks evtx and hive, the owners of those formats, for the rest.
func Classify(head []byte) (Kind, string) {
	switch {
	case len(head) == 0:
		return KindOther, "empty file"
	case evtx.Sniff(head):
		return KindEVTX, ""
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return KindZip, ""
	}
	if name := otherArchive(head); name != "" {
		return KindOther, "unsupported archive format (" + name + ")"
	}
	if k, ok := registryKinds[hive.Sniff(head)]; ok {
		return k, ""
	}
	if export.Sniff(head) != export.FormUnknown {
		return KindEventExport, ""
	}
	if psvm.Sniff(head) {
		return KindGetVM, ""
	}
	return KindOther, "unrecognised content"
}

func otherArchive(head []byte) string {
	for _, a := range []struct{ magic, name string }{
		{"7z\xBC\xAF\x27\x1C", "7z"},
		{"Rar!\x1A\x07", "rar"},
		{"\x1F\x8B", "gzip"},
		{"MSCF", "cab"},
		{"\xFD7zXZ\x00", "xz"},
		{"BZh", "bzip2"},
		{"\x28\xB5\x2F\xFD", "zstd"},
	} {
		if bytes.HasPrefix(head, []byte(a.magic)) {
			return a.name
		}
	}
	if len(head) >= 262 && string(head[257:262]) == "ustar" {
		return "tar"
	}
	return ""
}
