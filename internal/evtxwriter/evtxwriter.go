package evtxwriter

import (
	"errors"
	"time"
)

// Layout selects how an [Event] is encoded as binary XML.
type Layout int

const (
	// Manifest is the layout of manifest-based providers: a generic System
	// template (<Provider Name=.. Guid=..>, EventID without qualifiers unless
	// set, ...) and EventData as a nested binary XML value (type 0x21) made of
	// <Data Name="..">value</Data> elements, in order.
	Manifest Layout = iota
	// Classic is the layout of event sources registered with the old event log
	// API: a literal <Provider Name="storvsp"/> (Name is its only attribute),
	// <EventID Qualifiers="49152">6</EventID> when [Event.HasQualifiers] is
	// set, and the unnamed insertion strings as one string array substitution
	// (type 0x81) rendered as repeated <Data> elements. Field names are ignored;
	// values must be strings without NUL characters (NUL separates them).
	Classic
	// UserData puts the fields under <UserData><EventXML>..</EventXML></UserData>
	// as a nested binary XML value: each field becomes an element named after
	// [Field.Name] holding its value. Names must be valid XML names.
	UserData
)

// String returns the layout's name.
func (l Layout) String() string {
	switch l {
	case Manifest:
		return "manifest"
	case Classic:
		return "classic"
	case UserData:
		return "userdata"
	}
	return "layout(?)"
}

// ValueType is the binary XML value type a [Field] is written with.
// The zero value writes a UTF-16 string.
type ValueType int

const (
	// String is a UTF-16LE string (binary XML type 0x01).
	String ValueType = iota
	// UInt8 is an unsigned 8-bit integer (0x04); Value is decimal.
	UInt8
	// UInt16 is an unsigned 16-bit integer (0x06); Value is decimal.
	UInt16
	// UInt32 is an unsigned 32-bit integer (0x08); Value is decimal.
	UInt32
	// UInt64 is an unsigned 64-bit integer (0x0a); Value is decimal.
	UInt64
	// Int32 is a signed 32-bit integer (0x07); Value is decimal.
	Int32
	// Hex32 is a 32-bit integer shown in hexadecimal (0x14); Value is
	// "0x..." or decimal.
	Hex32
	// Hex64 is a 64-bit integer shown in hexadecimal (0x15); Value is
	// "0x..." or decimal.
	Hex64
	// GUID is a GUID (0x0f); Value is "{xxxxxxxx-xxxx-...}" with or without braces.
	GUID
	// SID is a security identifier (0x13); Value is "S-1-5-...".
	SID
	// FileTime is a FILETIME (0x11); Value is RFC 3339 with up to 7 fraction digits.
	FileTime
	// SystemTime is a SYSTEMTIME (0x12); Value is RFC 3339 with up to 3 fraction digits.
	SystemTime
	// Bool is a 32-bit boolean (0x0d); Value is "true" or "false".
	Bool
	// Binary is a byte blob (0x0e); Value is hexadecimal digits.
	Binary
)

var valueTypeNames = [...]string{
	String: "String", UInt8: "UInt8", UInt16: "UInt16", UInt32: "UInt32", UInt64: "UInt64",
	Int32: "Int32", Hex32: "Hex32", Hex64: "Hex64", GUID: "GUID", SID: "SID",
	FileTime: "FileTime", SystemTime: "SystemTime", Bool: "Bool", Binary: "Binary",
}

// String returns the type's Go name ("UInt32", "GUID"...).
func (t ValueType) String() string {
	if t >= 0 && int(t) < len(valueTypeNames) {
		return valueTypeNames[t]
	}
	return "ValueType(?)"
}

// Field is one item of an event's data, in order.
type Field struct {
	// Name is the Data element's Name attribute (Manifest), the element name
	// (UserData), or ignored (Classic).
	Name string
	// Value is the value's text; for types other than String it is parsed as
	// documented on [ValueType].
	Value string
	// Type is the binary XML type the value is written with. Classic events
	// only support String.
	Type ValueType
}

// Event is one event record to write.
type Event struct {
	// Provider is the provider (Manifest, UserData) or event source (Classic) name.
	Provider string
	// ProviderGUID is written as Provider's Guid attribute (Manifest,
	// UserData) when not empty; braces are optional. Ignored by Classic.
	ProviderGUID string
	// EventID is the event identifier (low 16 bits of a classic event code).
	EventID uint16
	// HasQualifiers adds the Qualifiers attribute to EventID.
	HasQualifiers bool
	// Qualifiers is the high 16 bits of a classic event code (49152 = 0xC000
	// for error, 32768 = 0x8000 for warning...). Written when HasQualifiers.
	Qualifiers uint16
	// Version, Level, Opcode, Task and Keywords fill the System elements of
	// the same names.
	Version  uint8
	Level    uint8
	Opcode   uint8
	Task     uint16
	Keywords uint64
	// Time is TimeCreated's SystemTime, written as a FILETIME (truncated to
	// 100 ns; the zero time and times before 1601 are an error). The record
	// header's written time is the same value.
	Time time.Time
	// RecordID is the event record identifier. 0 means the next one: one
	// more than the previous record's, starting at 1. Identifiers need not
	// be increasing, but a chunk's first and last identifiers are taken
	// from its first and last records.
	RecordID uint64
	// ProcessID and ThreadID fill Execution's attributes.
	ProcessID, ThreadID uint32
	// Channel and Computer fill the elements of the same names.
	Channel, Computer string
	// UserSID fills Security's UserID attribute when not empty ("S-1-5-18").
	UserSID string
	// Data is the event data, in order.
	Data []Field
	// Layout selects the encoding.
	Layout Layout
}

// Options configures a [Writer]. The zero value writes a clean file with
// chunks filled to capacity.
type Options struct {
	// Dirty writes the file header as a live log leaves it: flags = 1
	// (dirty) and chunk count, last chunk number and next record identifier
	// stale, as if only the first HeaderChunks chunks had been flushed.
	Dirty bool
	// Full sets the header's "full" flag (2), alone or with the dirty flag
	// (3): golang-evtx only counts Flags == 1 as dirty.
	Full bool
	// HeaderChunks is the chunk count a dirty header claims (0 means 1).
	// Ignored unless Dirty.
	HeaderChunks int
	// MaxRecordsPerChunk starts a new chunk after that many records (0 means
	// no limit: a chunk fills until the next record does not fit).
	MaxRecordsPerChunk int
	// OpenLastChunk leaves the last chunk as Windows leaves the chunk it is
	// still writing to: its data CRC is stale (zero) while its header CRC
	// matches the header.
	OpenLastChunk bool
	// TrailingEmptyChunks appends that many zero-filled 64 KiB chunk slots
	// after the last chunk, as Windows preallocates log files.
	TrailingEmptyChunks int
}

// Location says where [Writer.Add] put a record.
type Location struct {
	// Chunk is the chunk's index (0 = first chunk, at file offset 4096).
	Chunk int
	// Index is the record's position within its chunk (0 = first).
	Index int
	// Offset is the record's file offset.
	Offset int64
	// Size is the record's size in bytes.
	Size int
	// RecordID is the record's identifier.
	RecordID uint64
}

// Sentinel errors.
var (
	// ErrTooLarge means an event does not fit in an empty chunk.
	ErrTooLarge = errors.New("evtxwriter: event too large for a chunk")
	// ErrValue means a field value cannot be encoded with its type.
	ErrValue = errors.New("evtxwriter: bad value")
	// ErrNoSuch means a corruption helper was asked for a chunk or record
	// that the bytes do not hold.
	ErrNoSuch = errors.New("evtxwriter: no such chunk or record")
)
