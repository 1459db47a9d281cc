// Package hostile builds hostile inputs for tests and for the full-size
// measurements of scripts/hostile-*.sh: each generator makes one class of
// input from issue 11 at any scale.
package hostile

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hvic/hvic/internal/hivewriter"
)

// Paths of the IC keys the hive generators damage.
const (
	pathCurrentVersion = `Microsoft\Windows NT\CurrentVersion`
	pathGuestInstaller = `Microsoft\Windows NT\CurrentVersion\Virtualization\GuestInstaller\Version`
	win6x              = "Microsoft-Hyper-V-Guest-Installer-Win6x-Package"
	win5x              = "Microsoft-Hyper-V-Guest-Installer-Win5x-Package"
)

// HostShape is the 2012 host every hive generator starts from.
func HostShape() hivewriter.Shape { return hivewriter.Shapes()[1] }

// GrowingLog returns a dirty 2012 host hive and a new-format .LOG1 whose
// first entry is the genuine change (the hive's IC key written) and whose
// next entries (count of them, valid hashes and sequence numbers) each
// declare step more bytes of hive bins and carry one empty bin at the new
// end. With count 1 and a large step it is a log declaring huge hive
// bins; with many entries, many growing ones. A reader that trusts the
// entries grows the image by count*step bytes from a log of about count*4.5
// KiB.
func GrowingLog(count int, step uint32) (base, log1 []byte, err error) {
	if step == 0 || step%4096 != 0 {
		return nil, nil, fmt.Errorf("hostile: step %d is not a positive multiple of 4096", step)
	}
	b := hivewriter.HostSoftware(HostShape())
	base, log1, err = b.Dirty(func(b *hivewriter.Builder) {
		b.Key(`Microsoft\Windows NT\CurrentVersion\Virtualization`).SetString("Replayed", "yes")
	})
	if err != nil {
		return nil, nil, err
	}
	le := binary.LittleEndian
	seq := le.Uint32(log1[4:]) // the first entry's sequence number
	bins := le.Uint32(log1[512+16:])
	var out bytes.Buffer
	out.Write(log1)
	for i := 1; i <= count; i++ {
		next := uint64(bins) + uint64(i)*uint64(step)
		if next > 0xFFFFF000 {
			break
		}
		out.Write(hivewriter.LogEntry(seq+uint32(i), uint32(next), []hivewriter.Page{{Offset: uint32(next) - 4096, Data: hivewriter.EmptyBin(uint32(next) - 4096)}}))
	}
	return base, out.Bytes(), nil
}

// LoopTarget says where a damaged subkey list entry points.
type LoopTarget int

// Loop targets.
const (
	LoopSelf LoopTarget = iota // the key that owns the list
	LoopRoot                   // the hive's root key
)

// SubkeyLoopHive returns a clean 2012 host hive whose CurrentVersion key
// lists, in place of its Virtualization subkey (the way to the host's
// GuestInstaller values), itself or the root. A reader that skips the
// bad entry answers "not found" for the host's IC key.
func SubkeyLoopHive(target LoopTarget) ([]byte, error) {
	b := hivewriter.HostSoftware(HostShape())
	data, cells, err := b.BytesLayout()
	if err != nil {
		return nil, err
	}
	cv := cells[strings.ToUpper(pathCurrentVersion)]
	i := -1
	for j, name := range sortedSubkeys(b, pathCurrentVersion) {
		if strings.EqualFold(name, "Virtualization") {
			i = j
		}
	}
	to := cv.NK
	if target == LoopRoot {
		to = cells[""].NK
	}
	return data, hivewriter.PointSubkey(data, cv.SubkeyList, i, to)
}

// sortedSubkeys lists the subkeys of path in the order the writer stores
// them (by upper-cased name).
func sortedSubkeys(b *hivewriter.Builder, path string) []string {
	var names []string
	for _, k := range b.Lookup(path).Subkeys() {
		names = append(names, k.Name)
	}
	ups := func(s string) string { return strings.ToUpper(s) }
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && ups(names[j]) < ups(names[j-1]); j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
	return names
}

// HugeValueHive returns a clean 2012 host hive whose two GuestInstaller
// values declare size bytes of data (far past any value limit): the host's
// IC versions cannot be read.
func HugeValueHive(size uint32) ([]byte, error) {
	b := hivewriter.HostSoftware(HostShape())
	data, cells, err := b.BytesLayout()
	if err != nil {
		return nil, err
	}
	gi := cells[strings.ToUpper(pathGuestInstaller)]
	for _, name := range []string{win6x, win5x} {
		if err := hivewriter.SetValueSize(data, gi.Values[strings.ToUpper(name)], size); err != nil {
			return nil, err
		}
	}
	return data, nil
}

// WriteSparseHive writes to dir a dirty 2012 host hive named name, padded
// to size bytes by growing its last hive bin (so it stays valid), with
// .LOG1 (its genuine log, padded) and .LOG and .LOG2 (zeros) of size bytes
// each. The padding is left as file holes: the files take little disk.
func WriteSparseHive(dir, name string, size int64) error {
	b := hivewriter.HostSoftware(HostShape())
	base, log1, err := b.Dirty(func(b *hivewriter.Builder) {
		b.Key(`Microsoft\Windows NT\CurrentVersion\Virtualization`).SetString("Replayed", "yes")
	})
	if err != nil {
		return err
	}
	if size < int64(len(base)) || size < int64(len(log1)) || (size-4096)%4096 != 0 || size-4096 > 0xFFFFF000 {
		return fmt.Errorf("hostile: sparse size %d", size)
	}
	if err := growLastBin(base, uint32(size-4096)); err != nil {
		return err
	}
	files := map[string][]byte{name: base, name + ".LOG1": log1, name + ".LOG": nil, name + ".LOG2": nil}
	for n, data := range files {
		if err := writeSparse(filepath.Join(dir, n), data, size); err != nil {
			return err
		}
	}
	return nil
}

// growLastBin makes the last hive bin of base end at bins bytes and sets
// the base block's hive-bins size (checksum updated).
func growLastBin(base []byte, bins uint32) error {
	le := binary.LittleEndian
	last := -1
	for pos := 4096; pos+32 <= len(base) && string(base[pos:pos+4]) == "hbin"; pos += int(le.Uint32(base[pos+8:])) {
		last = pos
	}
	if last < 0 {
		return fmt.Errorf("hostile: no hive bin")
	}
	le.PutUint32(base[last+8:], bins-uint32(last-4096))
	le.PutUint32(base[40:], bins)
	le.PutUint32(base[508:], hivewriter.Checksum(base))
	return nil
}

func writeSparse(path string, data []byte, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// RegOverKeyLimit returns a .reg export (UTF-8) with fillers unrelated keys
// before a guest's Virtual Machine\Auto key: a parser keeping at most
// fillers keys drops the guest's IC version.
func RegOverKeyLimit(fillers int) []byte {
	var b bytes.Buffer
	b.WriteString("Windows Registry Editor Version 5.00\r\n\r\n")
	for i := 0; i < fillers; i++ {
		fmt.Fprintf(&b, "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Filler\\K%07d]\r\n", i)
	}
	b.WriteString("\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Auto]\r\n")
	b.WriteString("\"IntegrationServicesVersion\"=\"6.2.9200.16384\"\r\n\"OSName\"=\"Windows Server 2012 Datacenter\"\r\n")
	return b.Bytes()
}

// BigReg returns a .reg export of about size bytes: a guest's Auto key,
// then filler values.
func BigReg(size int) []byte {
	b := bytes.NewBuffer(make([]byte, 0, size+256))
	b.WriteString("Windows Registry Editor Version 5.00\r\n\r\n")
	b.WriteString("[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Virtual Machine\\Auto]\r\n")
	b.WriteString("\"IntegrationServicesVersion\"=\"6.2.9200.16384\"\r\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(b, "\"Filler%09d\"=\"%s\"\r\n", i, strings.Repeat("x", 200))
	}
	return b.Bytes()
}
