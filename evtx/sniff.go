package evtx

import "bytes"

// Magic is the signature an EVTX file starts with.
const Magic = "ElfFile\x00"

// Sniff reports whether head, a file's first bytes, starts like an EVTX
// file. It is the one event-log sniffer: the scan's file walk asks it.
func Sniff(head []byte) bool { return bytes.HasPrefix(head, []byte(Magic)) }
