package evtxwriter

import (
	"encoding/binary"
	"hash/fnv"
	"strings"
)

// pieceKind says what a piece of element content or attribute value is.
type pieceKind uint8

const (
	pieceText  pieceKind = iota // a literal value text (BinXmlValueText)
	pieceSubst                  // a normal or optional substitution
	pieceElem                   // a child element
)

// piece is one item of an element's content or an attribute's value.
type piece struct {
	kind     pieceKind
	text     string
	index    uint16
	typ      byte
	optional bool
	elem     *element
}

// attribute is a BinXmlAttribute of a template element.
type attribute struct {
	name  string
	value piece
}

// element is a BinXMLElement of a template body.
type element struct {
	name    string
	attrs   []attribute
	content []piece
}

// template is a BinXmlTemplateDefinition: its identifier, GUID and body.
// Its bytes are written once per chunk, where first used.
type template struct {
	key  string
	guid [16]byte
	id   uint32
	root *element
}

func newTemplate(key string, root *element) *template {
	h := fnv.New128a()
	h.Write([]byte(key))
	t := &template{key: key, root: root}
	copy(t.guid[:], h.Sum(nil))
	t.id = binary.LittleEndian.Uint32(t.guid[:4])
	return t
}

func text(s string) piece { return piece{kind: pieceText, text: s} }
func sub(i uint16, typ byte) piece {
	return piece{kind: pieceSubst, index: i, typ: typ}
}
func opt(i uint16, typ byte) piece {
	return piece{kind: pieceSubst, index: i, typ: typ, optional: true}
}
func child(e *element) piece { return piece{kind: pieceElem, elem: e} }
func el(name string, attrs []attribute, content ...piece) *element {
	return &element{name: name, attrs: attrs, content: content}
}
func attrs(kv ...any) []attribute {
	var out []attribute
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, attribute{name: kv[i].(string), value: kv[i+1].(piece)})
	}
	return out
}

// Substitution indexes of the System templates (both layouts).
const (
	subVersion = iota
	subLevel
	subTask
	subEventID
	subQualifiers
	subKeywords
	subTimeCreated
	subActivityID
	subProcessID
	subThreadID
	subRecordID
	subOpcode
	subUserID
	subProviderName
	subProviderGUID
	subChannel
	subComputer
	subData
	numSystemSubs
)

const eventNS = "http://schemas.microsoft.com/win/2004/08/events/event"

// userDataNS is the namespace of the generated UserData's EventXML element.
const userDataNS = "http://manifests.microsoft.com/win/2004/08/windows/eventlog"

// systemTemplate builds the System template of a layout. For Classic,
// provider, channel and computer are literal text in the template (as
// Windows writes classic sources); for the others they are substitutions.
func systemTemplate(classic bool, provider, channel, computer string) *template {
	var prov, chn, cmp *element
	var key string
	if classic {
		key = "C\x00" + provider + "\x00" + channel + "\x00" + computer
		prov = el("Provider", attrs("Name", text(provider)))
		chn = textElem("Channel", channel)
		cmp = textElem("Computer", computer)
	} else {
		key = "M"
		prov = el("Provider", attrs("Name", sub(subProviderName, typeString), "Guid", opt(subProviderGUID, typeGUID)))
		chn = el("Channel", nil, sub(subChannel, typeString))
		cmp = el("Computer", nil, sub(subComputer, typeString))
	}
	system := el("System", nil,
		child(prov),
		child(el("EventID", attrs("Qualifiers", opt(subQualifiers, typeUInt16)), sub(subEventID, typeUInt16))),
		child(el("Version", nil, sub(subVersion, typeUInt8))),
		child(el("Level", nil, sub(subLevel, typeUInt8))),
		child(el("Task", nil, sub(subTask, typeUInt16))),
		child(el("Opcode", nil, sub(subOpcode, typeUInt8))),
		child(el("Keywords", nil, sub(subKeywords, typeHex64))),
		child(el("TimeCreated", attrs("SystemTime", sub(subTimeCreated, typeFileTime)))),
		child(el("EventRecordID", nil, sub(subRecordID, typeUInt64))),
		child(el("Correlation", attrs("ActivityID", opt(subActivityID, typeGUID)))),
		child(el("Execution", attrs("ProcessID", sub(subProcessID, typeUInt32), "ThreadID", sub(subThreadID, typeUInt32)))),
		child(chn),
		child(cmp),
		child(el("Security", attrs("UserID", opt(subUserID, typeSID)))),
	)
	root := el("Event", attrs("xmlns", text(eventNS)), child(system), opt(subData, typeBinXML))
	return newTemplate(key, root)
}

func textElem(name, s string) *element {
	if s == "" {
		return el(name, nil)
	}
	return el(name, nil, text(s))
}

// dataKey identifies the shape (names and types) of an event's data.
func dataKey(prefix string, data []Field) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, f := range data {
		b.WriteByte(0)
		b.WriteString(f.Name)
		b.WriteByte(0)
		b.WriteByte(byte(f.Type))
	}
	return b.String()
}

// eventDataTemplate builds the nested template of a manifest event's
// EventData: <Data Name="n">%i</Data> per field (no Name when empty).
func eventDataTemplate(key string, data []Field, types []byte) *template {
	root := el("EventData", nil)
	for i, f := range data {
		var a []attribute
		if f.Name != "" {
			a = attrs("Name", text(f.Name))
		}
		root.content = append(root.content, child(el("Data", a, sub(uint16(i), types[i]))))
	}
	return newTemplate(key, root)
}

// classicDataTemplate builds the nested template of a classic event's
// EventData: one Data element whose content is a string array, which
// renderers expand to one Data element per string.
func classicDataTemplate() *template {
	return newTemplate("c", el("EventData", nil, child(el("Data", nil, opt(0, typeStringArr)))))
}

// userDataTemplate builds <UserData><EventXML xmlns=..><name>%i</name>..</EventXML></UserData>.
func userDataTemplate(key string, data []Field, types []byte) *template {
	x := el("EventXML", attrs("xmlns", text(userDataNS)))
	for i, f := range data {
		x.content = append(x.content, child(el(f.Name, nil, sub(uint16(i), types[i]))))
	}
	return newTemplate(key, el("UserData", nil, child(x)))
}
