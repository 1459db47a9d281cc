package hive

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.text, tt.err.Error())
			assert.Equal(t, tt.detail, tt.err.Detail())
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
