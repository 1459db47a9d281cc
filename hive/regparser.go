package hive

import (
	"bytes"
	"fmt"

	"www.velocidex.com/golang/regparser"
)

// The fixed-layout fields of key nodes (nk, CM_KEY_NODE) and key values
// (vk, CM_KEY_VALUE) are read through regparser's generated accessors, so
// the field offsets come from its profile (profile_vtypes.json) rather than
// from constants of ours. Two guards make that safe on hostile hives:
//
//   - the accessors only ever see one cell: a bytes.Reader over the cell's
//     bytes, already bounds-checked by Hive.cell, so a wild offset in the
//     file cannot make regparser read outside it (its ReadAt-based parsers
//     return 0 past the end instead of failing);
//   - every call runs under recover(), turned into ErrCorrupt.
//
// Everything regparser gets wrong stays ours: names (decoded by the
// compressed-name flag), FILETIMEs (regparser keeps seconds only), subkey
// lists (its Subkeys() recurses without limit), value data and log replay.

// nkFields are the CM_KEY_NODE fields the reader uses.
type nkFields struct {
	flags       uint16
	parent      uint32
	subkeyCount uint32 // stable subkeys
	subkeyList  uint32 // stable subkey list cell
	valueCount  uint32
	valueList   uint32
	nameLength  uint16
}

// vkFields are the CM_KEY_VALUE fields the reader uses.
type vkFields struct {
	nameLength uint16
	dataLength uint32
	data       uint32
	typ        uint32
	flags      uint16
}

// readNK decodes the fixed part of an nk cell (c starts at its signature).
func readNK(p *regparser.RegistryProfile, c []byte) (f nkFields, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: regparser: %v", ErrCorrupt, r)
		}
	}()
	nk := p.CM_KEY_NODE(bytes.NewReader(c), 0)
	f.flags = nk.Flags()
	f.parent = nk.Parent()
	if counts := nk.SubKeyCounts(); len(counts) > 0 {
		f.subkeyCount = counts[0]
	}
	if lists := nk.SubKeyLists(); len(lists) > 0 {
		f.subkeyList = lists[0]
	}
	vl := nk.ValueList()
	f.valueCount = vl.Count()
	f.valueList = vl.List()
	f.nameLength = nk.NameLength()
	return f, nil
}

// readVK decodes the fixed part of a vk cell (c starts at its signature).
func readVK(p *regparser.RegistryProfile, c []byte) (f vkFields, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: regparser: %v", ErrCorrupt, r)
		}
	}()
	vk := p.CM_KEY_VALUE(bytes.NewReader(c), 0)
	f.nameLength = vk.NameLength()
	f.dataLength = vk.DataLength()
	f.data = vk.Data()
	f.typ = vk.Type()
	f.flags = vk.Flags()
	return f, nil
}
