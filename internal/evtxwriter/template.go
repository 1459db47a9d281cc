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

// Substitution indexes of the System templates (all layouts), in the
// order Windows uses in its generic System template.
const (
	subLevel = iota
	subOpcode
	subTask
	subEventID
	subQualifiers
	subKeywords
	subTimeCreated
	subActivityID
	subProcessID
	subThreadID
	subRecordID
	subVersion
	subUserID
	subRelatedActivityID
	subProviderName
	subProviderGUID
	subChannel
	subData
	numSystemSubs
)

const eventNS = "http://schemas.microsoft.com/win/2004/08/events/event"

// userDataNS is the namespace of the generated UserData's EventXML element.
const userDataNS = "http://manifests.microsoft.com/win/2004/08/windows/eventlog"

// systemTemplate builds the System template of a layout, shaped like the
// one Windows writes. Computer is literal text in the template (one
// template per computer); for Classic, the provider name and channel are
// literal too (one template per event source), for the others they are
// substitutions. For UserData the event data substitution sits inside a
// literal <UserData> element; otherwise it is a child of Event.
func systemTemplate(layout Layout, provider, channel, computer string) *template {
	var prov, chn *element
	var key string
	switch layout {
	case Classic:
		key = "C\x00" + provider + "\x00" + channel + "\x00" + computer
		prov = el("Provider", attrs("Name", text(provider)))
		chn = textElem("Channel", channel)
	default:
		key = "M\x00" + computer
		if layout == UserData {
			key = "U\x00" + computer
		}
		prov = el("Provider", attrs("Name", opt(subProviderName, typeString), "Guid", opt(subProviderGUID, typeGUID)))
		chn = el("Channel", nil, opt(subChannel, typeString))
	}
	system := el("System", nil,
		child(prov),
		child(el("EventID", attrs("Qualifiers", opt(subQualifiers, typeUInt16)), opt(subEventID, typeUInt16))),
		child(el("Version", nil, opt(subVersion, typeUInt8))),
		child(el("Level", nil, opt(subLevel, typeUInt8))),
		child(el("Task", nil, opt(subTask, typeUInt16))),
		child(el("Opcode", nil, opt(subOpcode, typeUInt8))),
		child(el("Keywords", nil, opt(subKeywords, typeHex64))),
		child(el("TimeCreated", attrs("SystemTime", opt(subTimeCreated, typeFileTime)))),
		child(el("EventRecordID", nil, opt(subRecordID, typeUInt64))),
		child(el("Correlation", attrs("ActivityID", opt(subActivityID, typeGUID), "RelatedActivityID", opt(subRelatedActivityID, typeGUID)))),
		child(el("Execution", attrs("ProcessID", sub(subProcessID, typeUInt32), "ThreadID", sub(subThreadID, typeUInt32)))),
		child(chn),
		child(textElem("Computer", computer)),
		child(el("Security", attrs("UserID", opt(subUserID, typeSID)))),
	)
	data := opt(subData, typeBinXML)
	if layout == UserData {
		data = child(el("UserData", nil, data))
	}
	root := el("Event", attrs("xmlns", text(eventNS)), child(system), data)
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

// userDataTemplate builds the nested <EventXML xmlns=..><name>%i</name>..</EventXML>
// that goes inside the System template's <UserData>.
func userDataTemplate(key string, data []Field, types []byte) *template {
	x := el("EventXML", attrs("xmlns", text(userDataNS)))
	for i, f := range data {
		x.content = append(x.content, child(el(f.Name, nil, sub(uint16(i), types[i]))))
	}
	return newTemplate(key, x)
}
