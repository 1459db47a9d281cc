package hive

import (
	"bytes"
	"context"
	"fmt"

	"www.velocidex.com/golang/regparser"
)

// fromBytes is the common opener: base block checks, replay, root check.
// owned says base is the Hive's own buffer, which replay may update in
// place.
func fromBytes(ctx context.Context, name string, base []byte, owned bool, logs []LogFile, o Options) (h *Hive, err error) {
	defer func() {
		// Nothing below should panic; if it does, the caller gets an error,
		// never a crash.
		if r := recover(); r != nil {
			h = nil
			err = &FormatError{File: name, Offset: -1, What: "hive", Err: fmt.Errorf("%w: internal error: %v", ErrCorrupt, r)}
		}
	}()
	bb, err := primaryBaseBlock(name, base, o)
	if err != nil {
		return nil, err
	}
	h = &Hive{name: name, opts: o, img: base, private: owned, root: bb.root, minor: bb.minor, profile: regparser.NewRegistryProfile()}
	h.logLimit = MaxLogBytes(int64(len(base)), &o)
	h.limit = int64(len(base)) + growth(int64(len(base)), logs, o)
	h.recovery = Recovery{Dirty: bb.dirty(), PrimarySequence: bb.seq1, SecondarySequence: bb.seq2}
	info := Info{FileName: bb.fileName, LastWritten: filetime(bb.lastWritten), Major: bb.major, Minor: bb.minor, Size: bb.binsSize}

	baseTime := bb.lastWritten
	if bb.checksumOK {
		if why := bb.implausible(); why != "" {
			return nil, badBaseBlock(name, 0, "%s", why)
		}
		h.binsSize = int64(bb.binsSize)
	} else {
		// Untrusted base block: size the bins from the file, and take the
		// first bin's timestamp as the one logs must match.
		h.binsSize = (int64(len(base)) - baseBlockSize) / pageSize * pageSize
		if len(base) >= baseBlockSize+28 && string(base[baseBlockSize:baseBlockSize+4]) == "hbin" {
			baseTime = le.Uint64(base[baseBlockSize+20:])
		}
	}

	var restoredFrom *baseBlock
	if h.recovery.Dirty && !o.NoReplay && len(logs) > 0 {
		restoredFrom = h.replay(ctx, bb, baseTime, logs)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("hive: %s: %w", name, err)
	}
	if !bb.checksumOK {
		if restoredFrom != nil {
			h.recovery.BaseBlockRestored = true
			info = Info{FileName: restoredFrom.fileName, LastWritten: filetime(restoredFrom.lastWritten), Major: restoredFrom.major, Minor: restoredFrom.minor, Size: uint32(h.binsSize)}
		} else {
			h.problems = append(h.problems, badBaseBlock(name, 508, "checksum mismatch and no log to restore it from; read with the hive bins size guessed from the file size"))
			if why := bb.implausible(); why != "" && bb.major != 1 {
				return nil, badBaseBlock(name, 0, "checksum mismatch and %s", why)
			}
		}
	}
	if h.recovery.Recovered {
		info.Size = uint32(h.binsSize)
	} else if h.recovery.Dirty {
		h.problems = append(h.problems, staleError(name, bb, o.NoReplay, len(logs)))
	}
	h.info = info
	if err := h.checkImage(ctx, bb); err != nil {
		return nil, err
	}
	return h, nil
}

// badBaseBlock is ErrBadBaseBlock at off in the base block, its text the
// reason alone: "base block" already says where, and "bad base block"
// after it would say it twice.
func badBaseBlock(name string, off int64, format string, args ...any) error {
	return &FormatError{File: name, Offset: off, What: "base block", Err: &reasonError{kind: ErrBadBaseBlock, text: fmt.Sprintf(format, args...)}}
}

// staleError says why a hive read without its logs is dirty (its sequence
// numbers differ, or its base block fails its checksum: equal numbers do
// not make a hive dirty) and why no log was applied.
func staleError(name string, bb baseBlock, noReplay bool, logs int) error {
	why := "none given"
	switch {
	case noReplay:
		why = "replay turned off (Options.NoReplay)"
	case logs > 0:
		why = "none could be applied"
	}
	if bb.seq1 != bb.seq2 {
		return &FormatError{File: name, Offset: 4, What: "base block", Err: fmt.Errorf("%w: sequence numbers %d != %d; %s", ErrStale, bb.seq1, bb.seq2, why)}
	}
	return &FormatError{File: name, Offset: 508, What: "base block", Err: fmt.Errorf("%w: checksum mismatch; %s", ErrStale, why)}
}

// checkImage checks the hive bins and the root key of the image read
// (replayed): damage is recorded in h.problems, an unusable image is an
// error.
func (h *Hive) checkImage(ctx context.Context, bb baseBlock) error {
	if h.binsSize < pageSize {
		return &FormatError{File: h.name, Offset: baseBlockSize, What: "hive bins", Err: fmt.Errorf("%w: no hive bin", ErrTruncated)}
	}
	if have := int64(len(h.img)) - baseBlockSize; have < h.binsSize {
		h.problems = append(h.problems, &FormatError{File: h.name, Offset: int64(len(h.img)), What: "hive bins", Err: fmt.Errorf("%w: file holds %d of the %d bytes of hive bins", ErrTruncated, have, h.binsSize)})
	}
	valid := h.checkBins(ctx)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("hive: %s: %w", h.name, err)
	}
	if !bb.checksumOK && !h.recovery.Recovered && valid < h.binsSize {
		// As yarp does for an unrecovered dirty file: the bins end where
		// the chain of valid hbin headers ends.
		h.binsSize = valid
	}
	root, err := h.keyNode(h.root)
	if err != nil {
		return fmt.Errorf("hive: root key: %w", err)
	}
	if root.flags&0x0004 == 0 {
		h.problems = append(h.problems, h.errAt(h.root, "root nk cell", ErrCorrupt, "root key lacks the KEY_HIVE_ENTRY flag"))
	}
	return nil
}

// primaryBaseBlock checks that base can be a primary hive file within the
// limits and decodes its base block.
func primaryBaseBlock(name string, base []byte, o Options) (baseBlock, error) {
	if int64(len(base)) > o.MaxHiveSize {
		return baseBlock{}, &FormatError{File: name, Offset: o.MaxHiveSize, What: "file size", Err: fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(base), o.MaxHiveSize)}
	}
	if len(base) < 4 || string(base[:4]) != "regf" {
		what := "base block"
		switch {
		case bytes.HasPrefix(base, []byte("CREG")):
			what = "Windows 9x CREG file"
		case bytes.HasPrefix(base, []byte("hbin")):
			what = "hive bin without a base block"
		case bytes.HasPrefix(base, []byte("MZ")):
			what = "executable file"
		}
		return baseBlock{}, &FormatError{File: name, Offset: 0, What: what, Err: fmt.Errorf("%w: no regf signature", ErrNotHive)}
	}
	if len(base) < baseBlockSize {
		return baseBlock{}, &FormatError{File: name, Offset: int64(len(base)), What: "base block", Err: fmt.Errorf("%w: %d of 4096 bytes", ErrTruncated, len(base))}
	}
	bb, _ := parseBaseBlock(base)
	switch bb.fileType {
	case fileTypePrimary:
	case fileTypeLogOld, fileTypeLogVeryOld, fileTypeLogNew:
		return baseBlock{}, &FormatError{File: name, Offset: 28, What: "base block", Err: fmt.Errorf("%w: a transaction log (file type %d), not a primary file", ErrNotHive, bb.fileType)}
	default:
		if bb.checksumOK {
			return baseBlock{}, badBaseBlock(name, 28, "unknown file type %d", bb.fileType)
		}
	}
	return bb, nil
}

// checkBins walks the hive bin headers once and reports the first bad one.
// Cells are still read by offset past it. It returns the size of the chain
// of valid bins.
func (h *Hive) checkBins(ctx context.Context) int64 {
	end := baseBlockSize + h.binsSize
	if int64(len(h.img)) < end {
		end = int64(len(h.img))
	}
	for pos, n := int64(baseBlockSize), 0; pos < end; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return pos - baseBlockSize
		}
		if end-pos < 32 {
			h.problems = append(h.problems, &FormatError{File: h.name, Offset: pos, What: "hive bin", Err: fmt.Errorf("%w: hive bin header cut", ErrTruncated)})
			return pos - baseBlockSize
		}
		b := h.img[pos:]
		off := int64(le.Uint32(b[4:]))
		size := int64(le.Uint32(b[8:]))
		switch {
		case string(b[:4]) != "hbin":
			h.problems = append(h.problems, &FormatError{File: h.name, Offset: pos, What: "hive bin", Err: fmt.Errorf("%w: no hbin signature", ErrCorrupt)})
			return pos - baseBlockSize
		case off != pos-baseBlockSize:
			h.problems = append(h.problems, &FormatError{File: h.name, Offset: pos, What: "hive bin", Err: fmt.Errorf("%w: says offset 0x%x, is at 0x%x", ErrCorrupt, off, pos-baseBlockSize)})
			return pos - baseBlockSize
		case size < pageSize || size%pageSize != 0:
			h.problems = append(h.problems, &FormatError{File: h.name, Offset: pos, What: "hive bin", Err: fmt.Errorf("%w: size %d", ErrCorrupt, size)})
			return pos - baseBlockSize
		}
		pos += size
	}
	return end - baseBlockSize
}
