package collect

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/bodgit/sevenzip"
	"github.com/ulikunitz/xz/lzma"
)

// 7z method IDs whose decoders allocate a declared dictionary.
var (
	methodLZMA  = []byte{0x03, 0x01, 0x01}
	methodLZMA2 = []byte{0x21}
)

// 7-Zip ZS methods (zstd, brotli, lz4) whose decoders size their window
// from the stream, up to hundreds of MiB: not offered.
var methodsRefused = map[string][]byte{
	"zstd": {0x04, 0xF7, 0x11, 0x01}, "brotli": {0x04, 0xF7, 0x11, 0x02}, "lz4": {0x04, 0xF7, 0x11, 0x04},
}

// The LZMA and LZMA2 decoders of sevenzip are replaced, process-wide, by
// ones that refuse a dictionary over maxDictBytes before allocating it;
// zstd, brotli and lz4 entries are refused.
//
//nolint:gochecknoinits
func init() {
	sevenzip.RegisterDecompressor(methodLZMA, sevenzip.Decompressor(newLZMA))
	sevenzip.RegisterDecompressor(methodLZMA2, sevenzip.Decompressor(newLZMA2))
	for name, m := range methodsRefused {
		sevenzip.RegisterDecompressor(m, refusedMethod(name))
	}
}

func refusedMethod(name string) sevenzip.Decompressor {
	return func([]byte, uint64, []io.ReadCloser) (io.ReadCloser, error) {
		return nil, fmt.Errorf("7z: %s entries are not read (decoder memory not bounded)", name)
	}
}

var errCoder = errors.New("7z: coder with one input stream expected")

// newLZMA decodes a 7z LZMA coder: its 5 property bytes and the unpacked
// size make the 13-byte header of a classic .lzma stream.
func newLZMA(p []byte, size uint64, in []io.ReadCloser) (io.ReadCloser, error) {
	if len(in) != 1 || len(p) != 5 {
		return nil, errCoder
	}
	if d := int64(binary.LittleEndian.Uint32(p[1:])); d > maxDictBytes {
		return nil, fmt.Errorf("7z: LZMA coder declares a %d-byte dictionary (limit %d)", d, maxDictBytes)
	}
	h := make([]byte, 13)
	copy(h, p)
	binary.LittleEndian.PutUint64(h[5:], size)
	r, err := lzma.ReaderConfig{DictCap: maxDictBytes}.NewReader(io.MultiReader(bytes.NewReader(h), in[0]))
	if err != nil {
		return nil, fmt.Errorf("7z: %w", err)
	}
	return coderReader{Reader: r, Closer: in[0]}, nil
}

// newLZMA2 decodes a 7z LZMA2 coder: one property byte, the dictionary.
func newLZMA2(p []byte, _ uint64, in []io.ReadCloser) (io.ReadCloser, error) {
	if len(in) != 1 || len(p) != 1 || p[0] > 40 {
		return nil, errCoder
	}
	d := lzma2Dict(p[0])
	if d > maxDictBytes {
		return nil, fmt.Errorf("7z: LZMA2 coder declares a %d-byte dictionary (limit %d)", d, maxDictBytes)
	}
	r, err := lzma.Reader2Config{DictCap: int(max(d, lzma.MinDictCap))}.NewReader2(in[0])
	if err != nil {
		return nil, fmt.Errorf("7z: %w", err)
	}
	return coderReader{Reader: r, Closer: in[0]}, nil
}

type coderReader struct {
	io.Reader
	io.Closer
}

// walk7z walks a 7z archive. Its entries have no data range of their own
// (a solid archive compresses them together), so each one's compressed
// size is taken as its share of the archive: the ratio checks then see
// the archive's overall ratio. Encrypted archives fail to open.
func (w *walker) walk7z(ra io.ReaderAt, size int64, disp string, depth int) {
	if err := check7z(ra, size, uint64(w.opts.MaxArchiveEntries)); err != nil {
		w.skip(disp, size, ReasonUnreadable, err.Error(), true)
		return
	}
	zr, err := open7z(ra, size)
	if err != nil {
		w.skip(disp, size, ReasonUnreadable, err.Error(), true)
		return
	}
	files := zr.File
	if len(files) > w.opts.MaxArchiveEntries+1 {
		files = files[:w.opts.MaxArchiveEntries+1]
	}
	var total uint64
	for _, f := range files {
		total += min(f.UncompressedSize, 1<<62)
		total = min(total, 1<<62)
	}
	entries := make([]entry, 0, len(files))
	for _, f := range files {
		e := entry{name: f.Name, raw: f.Name, dir: f.FileInfo().IsDir(), usize: f.UncompressedSize, method: methodOther, dataOff: -1}
		if total > 0 {
			e.csize = uint64(float64(size) * float64(min(f.UncompressedSize, 1<<62)) / float64(total))
		}
		e.open = open7zFile(f)
		entries = append(entries, e)
	}
	w.walkEntries(ra, size, disp, depth, entries, len(zr.File))
}

// open7z reads a 7z archive's headers; a panic of the parser is an error.
func open7z(ra io.ReaderAt, size int64) (zr *sevenzip.Reader, err error) {
	defer func() {
		if p := recover(); p != nil {
			zr, err = nil, fmt.Errorf("7z: damaged headers (parser failure: %v)", p)
		}
	}()
	zr, err = sevenzip.NewReader(ra, size)
	if err != nil {
		return nil, fmt.Errorf("7z: %w", err)
	}
	return zr, nil
}

func open7zFile(f *sevenzip.File) func() (io.ReadCloser, error) {
	return func() (rc io.ReadCloser, err error) {
		defer func() {
			if p := recover(); p != nil {
				rc, err = nil, fmt.Errorf("7z: %s: decoder failure: %v", f.Name, p)
			}
		}()
		r, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("7z: %s: %w", f.Name, err)
		}
		return &guarded{rc: r}, nil
	}
}

// guarded turns a panic of a decoder into a read error.
type guarded struct{ rc io.ReadCloser }

func (g *guarded) Read(b []byte) (n int, err error) {
	defer func() {
		if p := recover(); p != nil {
			n, err = 0, fmt.Errorf("7z: decoder failure: %v", p)
		}
	}()
	return g.rc.Read(b)
}

func (g *guarded) Close() (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("7z: decoder failure: %v", p)
		}
	}()
	return g.rc.Close()
}
