package hive

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/internal/hivewriter"
)

// TestFormatErrorText: the package and the file are named once, whatever
// sentinel the cause wraps; Detail names neither.
func TestFormatErrorText(t *testing.T) {
	tests := []struct {
		name         string
		err          *FormatError
		text, detail string
	}{
		{"offset and file", &FormatError{File: "SAM", Offset: 0x2000, What: "hive bin", Err: fmt.Errorf("%w: no hbin signature", ErrCorrupt)},
			"hive: SAM: offset 0x2000 hive bin: corrupt: no hbin signature", "offset 0x2000 hive bin: corrupt: no hbin signature"},
		{"line", &FormatError{File: "a.reg", Line: 3, Offset: -1, Err: ErrSyntax},
			"hive: a.reg: line 3: syntax error", "line 3: syntax error"},
		{"no file", &FormatError{Offset: 4, What: "base block", Err: ErrTruncated},
			"hive: offset 0x4 base block: truncated", "offset 0x4 base block: truncated"},
		{"cause only", &FormatError{Offset: -1, Err: ErrBadLog}, "hive: bad transaction log", "bad transaction log"},
		{"foreign cause", &FormatError{Offset: -1, What: "log", Err: fmt.Errorf("short read")}, "hive: log: short read", "log: short read"},
		{"reason alone", &FormatError{File: "S.LOG1", Offset: -1, Err: &reasonError{kind: ErrBadLog, text: "header checksum mismatch"}},
			"hive: S.LOG1: header checksum mismatch", "header checksum mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.text, tt.err.Error())
			assert.Equal(t, tt.detail, tt.err.Detail())
			if re, ok := tt.err.Err.(*reasonError); ok {
				assert.ErrorIs(t, tt.err, re.kind, "a reason alone still unwraps to its sentinel")
			}
		})
	}
}

// TestNestedErrorText: damage explained by damage below it names the
// package, the file and a sentinel shared by both once, and unwraps to
// both.
func TestNestedErrorText(t *testing.T) {
	inner := &FormatError{File: "SOFTWARE", Offset: 0xedc0, What: "nk cell", Err: fmt.Errorf("%w: loop", ErrCorrupt)}
	outer := &FormatError{File: "SOFTWARE", Offset: -1, What: `A\B`,
		Err: &nestedError{kind: ErrCorrupt, what: "key unreadable: damaged subkey list of A", inner: inner}}
	assert.Equal(t, `hive: SOFTWARE: A\B: key unreadable: damaged subkey list of A: offset 0xedc0 nk cell: corrupt: loop`, outer.Error())
	assert.ErrorIs(t, outer, ErrCorrupt)
	var fe *FormatError
	assert.ErrorAs(t, outer.Err, &fe)
	assert.Same(t, inner, fe)

	facts := &nestedError{what: `facts: key A`, inner: inner}
	assert.Equal(t, `hive: facts: key A: offset 0xedc0 nk cell: corrupt: loop`, facts.Error())
	assert.Equal(t, `facts: key A: offset 0xedc0 nk cell: corrupt: loop`, facts.Detail())

	other := &nestedError{kind: ErrTooLarge, what: "log", inner: inner}
	assert.Equal(t, `hive: exceeds limit: log: offset 0xedc0 nk cell: corrupt: loop`, other.Error())
	assert.ErrorIs(t, other, ErrTooLarge)
	assert.ErrorIs(t, other, ErrCorrupt)
}

// TestStaleSaysWhyDirty: a hive read without its logs says what made it
// dirty: its sequence numbers when they differ, its base block checksum
// when they are equal (never "2 != 2"), and that no log was given.
func TestStaleSaysWhyDirty(t *testing.T) {
	b := hivewriter.New()
	b.Key(`Microsoft\Virtual Machine\Auto`).SetString("IntegrationServicesVersion", "6.3.9600.16384")
	clean, err := b.Bytes()
	require.NoError(t, err)
	seq := binary.LittleEndian.Uint32(clean[4:])
	unequal := patch(clean, 4, seq+1)
	fixChecksum(unequal)
	badSum := patch(clean, 508, xor32(clean)+1)
	for _, tc := range []struct {
		name, want, not string
		data            []byte
	}{
		{"sequence numbers differ", fmt.Sprintf("offset 0x4 base block: dirty hive read without its transaction logs: sequence numbers %d != %d; none given", seq+1, seq), "checksum", unequal},
		{"checksum fails", "offset 0x1fc base block: dirty hive read without its transaction logs: checksum mismatch; none given", "!=", badSum},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := FromBytes(context.Background(), tc.data, nil, nil)
			require.NoError(t, err)
			var stale []string
			for _, p := range h.Problems() {
				if errors.Is(p, ErrStale) {
					stale = append(stale, p.(interface{ Detail() string }).Detail())
				}
			}
			require.Len(t, stale, 1)
			assert.Equal(t, tc.want, stale[0])
			assert.NotContains(t, stale[0], tc.not)
		})
	}
}
