package evtxwriter

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// prepare fills the outer (System) values of e, which do not depend on
// where the record goes, and encodes its data values once.
func (w *Writer) prepare(e *Event, id, ft uint64) error {
	v := &w.outer
	v.reset(numSystemSubs)
	if err := appendSystem(v, e, id, ft); err != nil {
		return err
	}
	if err := appendOrigin(v, e); err != nil {
		return err
	}
	for i := range v.types {
		if v.size(i) > maxValueSize {
			return fmt.Errorf("%w: value %d of %d bytes", ErrTooLarge, i, v.size(i))
		}
	}
	return w.prepareData(e)
}

// appendSystem appends the System values every layout has, from Level to
// the user SID.
func appendSystem(v *values, e *Event, id, ft uint64) error {
	le := binary.LittleEndian
	v.data = append(v.data, e.Level)
	v.mark(subLevel, typeUInt8)
	v.data = append(v.data, e.Opcode)
	v.mark(subOpcode, typeUInt8)
	v.data = le.AppendUint16(v.data, e.Task)
	v.mark(subTask, typeUInt16)
	v.data = le.AppendUint16(v.data, e.EventID)
	v.mark(subEventID, typeUInt16)
	if e.HasQualifiers {
		v.data = le.AppendUint16(v.data, e.Qualifiers)
		v.mark(subQualifiers, typeUInt16)
	}
	v.data = le.AppendUint64(v.data, e.Keywords)
	v.mark(subKeywords, typeHex64)
	v.data = le.AppendUint64(v.data, ft)
	v.mark(subTimeCreated, typeFileTime)
	v.data = le.AppendUint32(v.data, e.ProcessID)
	v.mark(subProcessID, typeUInt32)
	v.data = le.AppendUint32(v.data, e.ThreadID)
	v.mark(subThreadID, typeUInt32)
	v.data = le.AppendUint64(v.data, id)
	v.mark(subRecordID, typeUInt64)
	v.data = append(v.data, e.Version)
	v.mark(subVersion, typeUInt8)
	if e.UserSID != "" {
		var err error
		if v.data, err = appendSID(v.data, e.UserSID); err != nil {
			return err
		}
		v.mark(subUserID, typeSID)
	}
	return nil
}

// appendOrigin appends the provider and channel values of the manifest and
// UserData layouts, and checks the data fields against what the layout
// can hold.
func appendOrigin(v *values, e *Event) error {
	switch e.Layout {
	case Manifest, UserData:
		v.data = appendUTF16(v.data, e.Provider)
		v.mark(subProviderName, typeString)
		if e.ProviderGUID != "" {
			var err error
			if v.data, err = appendGUID(v.data, e.ProviderGUID); err != nil {
				return err
			}
			v.mark(subProviderGUID, typeGUID)
		}
		v.data = appendUTF16(v.data, e.Channel)
		v.mark(subChannel, typeString)
	case Classic:
		for _, f := range e.Data {
			if f.Type != String {
				return fmt.Errorf("%w: classic field %q has type %v, only String is possible", ErrValue, f.Name, f.Type)
			}
			if strings.ContainsRune(f.Value, 0) {
				return fmt.Errorf("%w: classic insertion string %q holds a NUL, which separates the strings of an array", ErrValue, f.Value)
			}
		}
	default:
		return fmt.Errorf("%w: unknown layout %d", ErrValue, int(e.Layout))
	}
	if e.Layout == UserData {
		for _, f := range e.Data {
			if !validName(f.Name) {
				return fmt.Errorf("%w: UserData field name %q is not an XML name", ErrValue, f.Name)
			}
		}
	}
	return nil
}

// prepareData encodes the data values into w.inner, with their wire types
// in w.types: the classic layout's insertion strings as one string array,
// one value per field in the manifest and UserData layouts.
func (w *Writer) prepareData(e *Event) error {
	w.types = w.types[:0]
	in := &w.inner
	if e.Layout == Classic {
		in.reset(1)
		for _, f := range e.Data {
			in.data = appendUTF16(in.data, f.Value)
			in.data = append(in.data, 0, 0)
		}
		in.mark(0, typeStringArr)
		return nil
	}
	in.reset(len(e.Data))
	for i, f := range e.Data {
		t, err := f.Type.wireType()
		if err != nil {
			return err
		}
		if in.data, err = appendValue(in.data, f.Type, f.Value); err != nil {
			return err
		}
		in.mark(i, t)
		w.types = append(w.types, t)
	}
	return nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		ok := r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if i > 0 {
			ok = ok || r == '-' || r == '.' || (r >= '0' && r <= '9')
		}
		if !ok {
			return false
		}
	}
	return true
}
