package hostile

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf16"

	"github.com/hvic/hvic/internal/hivewriter"
)

// RegExport returns a small regedit export holding a guest's IC version
// key, named after tag: analysable, so a test or the script can tell it
// was read (it shows in the scan's inventory).
func RegExport(tag string) []byte {
	return []byte("Windows Registry Editor Version 5.00\r\n\r\n" +
		`[HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Virtual Machine\Auto]` + "\r\n" +
		`"IntegrationServicesVersion"="6.3.9600.16384"` + "\r\n" +
		`"FullyQualifiedDomainName"="` + tag + `.contoso.local"` + "\r\n")
}

// unsafeNames are entry names that escape the archive, one per kind.
var unsafeNames = []string{"../%d.reg", `..\%d.reg`, "/abs/%d.reg", "C:/%d.reg", `c:\windows\%d.reg`}

// RefusedZip writes a zip of n entries whose names escape the archive
// ("../", "..\", absolute, drive letters), each a tiny stored .reg
// export, plus one safe entry (ok.reg) first so the scan has something
// to read.
func RefusedZip(w io.Writer, n int) error {
	zw := zip.NewWriter(bufio.NewWriterSize(w, 1<<20))
	data := RegExport("refused")
	if err := rawEntry(zw, "ok.reg", RegExport("ok")); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		if err := rawEntry(zw, fmt.Sprintf(unsafeNames[i%len(unsafeNames)], i), data); err != nil {
			return err
		}
	}
	return closeZip(zw)
}

// rawEntry writes a stored entry with its sizes in the local header (no
// data descriptor).
func rawEntry(zw *zip.Writer, name string, data []byte) error {
	fw, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Store, CRC32: crc32.ChecksumIEEE(data),
		CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(len(data))})
	if err != nil {
		return err
	}
	_, err = fw.Write(data)
	return err
}

func closeZip(zw *zip.Writer) error {
	if err := zw.Close(); err != nil {
		return err
	}
	return nil
}

// Filler returns n bytes that deflate at a ratio of roughly 60:1 (a
// random byte every 128): an inner archive made of it stays under the
// default MaxRatio, as a real collection of sparse files would.
func Filler(n int64, seed uint64) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, 1))
	for i := int64(0); i < n; i += 128 {
		b[i] = byte(r.IntN(256))
	}
	return b
}

// NestedZips writes an outer zip holding count inner zips (deflated), each
// holding one stored entry of size filler bytes (unrecognised content)
// and one small .reg export: reading the inner archives costs disk and
// time, never memory held until the scan ends.
func NestedZips(w io.Writer, count int, size int64) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	outer := zip.NewWriter(bw)
	filler := Filler(size, 1)
	for i := 0; i < count; i++ {
		fw, err := outer.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("inner%d.zip", i), Method: zip.Deflate})
		if err != nil {
			return err
		}
		inner := zip.NewWriter(fw)
		if err := rawEntry(inner, "filler.bin", filler); err != nil {
			return err
		}
		if err := rawEntry(inner, fmt.Sprintf("guest%d.reg", i), RegExport(fmt.Sprintf("nested%d", i))); err != nil {
			return err
		}
		if err := inner.Close(); err != nil {
			return err
		}
	}
	if err := outer.Close(); err != nil {
		return err
	}
	return bw.Flush()
}

// OverlapZip writes a zip whose n central directory entries all point at
// one local header: a deflated .reg export of about size bytes (just
// under the per-entry ratio floor by default). A reader that trusts the
// central directory parses n*size bytes from a file of a few hundred KB.
func OverlapZip(w io.Writer, n int, size int) error {
	var text bytes.Buffer
	text.Write(RegExport("overlap"))
	for text.Len() < size {
		fmt.Fprintf(&text, "\"Pad%07d\"=\"%s\"\r\n", text.Len(), strings.Repeat("x", 64))
	}
	data := text.Bytes()[:size]
	var comp bytes.Buffer
	fw, err := flate.NewWriter(&comp, flate.BestCompression)
	if err != nil {
		return err
	}
	if _, err := fw.Write(data); err != nil {
		return err
	}
	if err := fw.Close(); err != nil {
		return err
	}
	crc := crc32.ChecksumIEEE(data)
	var out bytes.Buffer
	le := binary.LittleEndian
	// Local file header (APPNOTE.TXT 4.3.7), written once.
	name := "kernel.reg"
	out.WriteString("PK\x03\x04")
	for _, v := range []uint16{20, 0, zip.Deflate, 0, 0} {
		out.Write(le.AppendUint16(nil, v))
	}
	for _, v := range []uint32{crc, uint32(comp.Len()), uint32(len(data))} {
		out.Write(le.AppendUint32(nil, v))
	}
	out.Write(le.AppendUint16(le.AppendUint16(nil, uint16(len(name))), 0))
	out.WriteString(name)
	out.Write(comp.Bytes())
	cdStart := out.Len()
	// n central directory headers (4.3.12), each at local offset 0.
	for i := 0; i < n; i++ {
		ename := fmt.Sprintf("e%06d.reg", i)
		out.WriteString("PK\x01\x02")
		for _, v := range []uint16{20, 20, 0, zip.Deflate, 0, 0} {
			out.Write(le.AppendUint16(nil, v))
		}
		for _, v := range []uint32{crc, uint32(comp.Len()), uint32(len(data))} {
			out.Write(le.AppendUint32(nil, v))
		}
		for _, v := range []uint16{uint16(len(ename)), 0, 0, 0, 0} {
			out.Write(le.AppendUint16(nil, v))
		}
		out.Write(le.AppendUint32(le.AppendUint32(nil, 0), 0)) // external attributes, local header offset 0
		out.WriteString(ename)
	}
	writeEnd(&out, n, out.Len()-cdStart, cdStart)
	_, err = w.Write(out.Bytes())
	return err
}

// SmallBombs writes a zip of n distinct deflated .reg exports, each
// padded with blanks to size bytes (below the per-entry ratio floor by
// default) and deflating about 1000:1: no entry alone is a bomb, their
// total is.
func SmallBombs(w io.Writer, n, size int) error {
	zw := zip.NewWriter(w)
	for i := 0; i < n; i++ {
		fw, err := zw.Create(fmt.Sprintf("small%05d.reg", i))
		if err != nil {
			return err
		}
		data := RegExport(fmt.Sprintf("small%d", i))
		if _, err := fw.Write(append(data, bytes.Repeat([]byte(" "), size-len(data))...)); err != nil {
			return err
		}
	}
	return zw.Close()
}

// writeEnd writes the end of central directory record (4.3.16).
func writeEnd(out *bytes.Buffer, n, cdLen, cdStart int) {
	le := binary.LittleEndian
	out.WriteString("PK\x05\x06")
	out.Write(le.AppendUint16(le.AppendUint16(nil, 0), 0))
	out.Write(le.AppendUint16(le.AppendUint16(nil, uint16(n)), uint16(n)))
	out.Write(le.AppendUint32(le.AppendUint32(nil, uint32(cdLen)), uint32(cdStart)))
	out.Write(le.AppendUint16(nil, 0))
}

// TruncatedZip returns a zip of n .reg exports (alternately deflated with
// a data descriptor, as archive/zip and many tools write them, and stored
// with their sizes in the local header), each about size bytes, cut
// inside its central directory: every entry is intact, the directory
// and end record are not. The names are guest0000.reg, ...
func TruncatedZip(n int, size int) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("guest%04d.reg", i)
		data := padded(RegExport(fmt.Sprintf("cut%d", i)), size)
		if i%2 == 1 {
			if err := rawEntry(zw, name, data); err != nil {
				return nil, err
			}
			continue
		}
		fw, err := zw.Create(name)
		if err != nil {
			return nil, err
		}
		if _, err := fw.Write(data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	// The directory is 46 bytes plus the name per entry, then the 22-byte
	// end record: cut half-way through the directory.
	cdLen := n*(46+len("guest0000.reg")) + 22
	return b[:len(b)-cdLen/2], nil
}

// padded pads a .reg export with comment lines up to size bytes.
func padded(b []byte, size int) []byte {
	out := append([]byte(nil), b...)
	for i := 0; len(out) < size; i++ {
		out = append(out, fmt.Sprintf("; padding line %d of a hostile-collect test file\r\n", i)...)
	}
	return out
}

// ManyZips writes n small zips (zip00000.zip, ...), each holding one .reg
// export, and one plain export (plain.reg) into dir: more archives than a
// process can keep open under a 1,024 descriptor limit.
func ManyZips(dir string, n int) error {
	for i := 0; i < n; i++ {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		if err := rawEntry(zw, fmt.Sprintf("guest%05d.reg", i), RegExport(fmt.Sprintf("many%d", i))); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("zip%05d.zip", i)), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "plain.reg"), RegExport("plain"), 0o644)
}

// SymlinkTree builds, under root, an input folder "input" and, beside it,
// a folder "outside" holding secret.reg (a readable export: if it shows
// in a scan of input, the boundary leaked). input holds:
//
//   - inside.reg, a plain export, and inside-link.reg, a link to it (stays
//     inside: followed);
//   - secret-link.reg, a link to ../outside/secret.reg;
//   - outside-dir, a link to ../outside;
//   - loop, a link to "." (a cycle for a walker that follows folders);
//   - absolute.reg, an absolute link to outside/secret.reg.
//
// It returns the input folder. Platforms without symbolic links fail.
func SymlinkTree(root string) (string, error) {
	in, out := filepath.Join(root, "input"), filepath.Join(root, "outside")
	for _, d := range []string{in, out} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", err
		}
	}
	if err := os.WriteFile(filepath.Join(out, "secret.reg"), RegExport("secret"), 0o644); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(in, "inside.reg"), RegExport("inside"), 0o644); err != nil {
		return "", err
	}
	abs, err := filepath.Abs(filepath.Join(out, "secret.reg"))
	if err != nil {
		return "", err
	}
	for link, target := range map[string]string{
		"inside-link.reg": "inside.reg",
		"secret-link.reg": filepath.Join("..", "outside", "secret.reg"),
		"outside-dir":     filepath.Join("..", "outside"),
		"loop":            ".",
		"absolute.reg":    abs,
	} {
		if err := os.Symlink(target, filepath.Join(in, link)); err != nil {
			return "", err
		}
	}
	return in, nil
}

// SparseHives writes n hosts' dirty SOFTWARE hives (hostN/SOFTWARE) with a
// .LOG1 that replays them and copies of it as .LOG2 and .LOG, each file
// extended to size bytes with a hole (sparse on disk): a reader that holds
// a hive and its logs whole needs 4 x size per host, and n hosts read in
// parallel n times that. The memory budget reads them one at a time.
func SparseHives(dir string, n int, size int64) error {
	shape := hivewriter.Shapes()[0]
	for i := 0; i < n; i++ {
		b := hivewriter.HostSoftware(shape)
		base, log1, err := b.Dirty(func(b *hivewriter.Builder) {
			b.Key(`Microsoft\Windows NT\CurrentVersion`).SetString("RegisteredOwner", fmt.Sprintf("sparse%d", i))
		})
		if err != nil {
			return err
		}
		host := filepath.Join(dir, fmt.Sprintf("host%d", i))
		if err := os.MkdirAll(host, 0o755); err != nil {
			return err
		}
		for name, data := range map[string][]byte{"SOFTWARE": base, "SOFTWARE.LOG1": log1, "SOFTWARE.LOG2": log1, "SOFTWARE.LOG": log1} {
			p := filepath.Join(host, name)
			if err := os.WriteFile(p, data, 0o644); err != nil {
				return err
			}
			if err := os.Truncate(p, max(size, int64(len(data)))); err != nil {
				return err
			}
		}
	}
	return nil
}

// controlNames are entry names carrying bytes a terminal acts on: a
// newline that would forge a report line, an escape sequence that clears
// the screen or retitles the window, a NUL. The last one also escapes the
// archive, so it is refused and named in a problem (and on stderr).
var controlNames = []string{
	"evil\nStatus: complete\n.reg",
	"esc\x1b[2J\x1b]0;owned\x07.reg",
	"nul\x00name.reg",
	"../refused\x1b[31m\r.reg",
}

// utf16LE encodes text as regedit writes it: UTF-16LE with a BOM (the
// form in which a value may carry any character).
func utf16LE(text []byte) []byte {
	u := utf16.Encode([]rune(string(text)))
	b := make([]byte, 2, 2+2*len(u))
	b[0], b[1] = 0xFF, 0xFE
	for _, c := range u {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}

// ControlNames writes a zip whose entry names, and the values inside its
// registry exports, carry control characters (newline, ESC sequences,
// NUL, CR, BEL): no renderer and no CLI message may pass them to a
// terminal raw (issue 11 row 7).
func ControlNames(w io.Writer) error {
	zw := zip.NewWriter(w)
	for i, name := range controlNames {
		tag := fmt.Sprintf("vm%d\x1b[1m\x07\x1b]0;owned\x07", i)
		if err := rawEntry(zw, name, utf16LE(RegExport(tag))); err != nil {
			return err
		}
	}
	return closeZip(zw)
}
