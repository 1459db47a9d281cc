package report

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// unquote reads back one item quote wrote at the start of s: the item and
// the rest of s. A plain word ends at the first rune that is not plain.
func unquote(s string) (item, rest string, ok bool) {
	if !strings.HasPrefix(s, `"`) {
		i := strings.IndexFunc(s, func(r rune) bool { return !plainRune(r) })
		if i < 0 {
			i = len(s)
		}
		return s[:i], s[i:], i > 0
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != '"' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '"' {
			b.WriteByte('"')
			i++
			continue
		}
		return b.String(), s[i+1:], true
	}
	return "", "", false
}

func TestQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"HV01/Logs/System.evtx", "HV01/Logs/System.evtx"},
		{`C:\Cases\case 7`, `"C:\Cases\case 7"`},
		{`a "b", c`, `"a ""b"", c"`},
		{"", `""`},
		{"ログ/システム.evtx", "ログ/システム.evtx"},
		{"ログ\u3000a", "\"ログ\u3000a\""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, quote(tt.in), tt.in)
	}
}

// FuzzQuote: whatever the item, quote's output followed by a separator
// reads back as exactly that item, and the separator is left: an evidence
// line's items cannot run into each other.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "a", "a b", `"`, `""x`, `a", key "b`, "x\x00y", "ログ 1", `\`, ", "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		item, rest, ok := unquote(quote(s) + ", next")
		require.True(t, ok, "%q -> %q", s, quote(s))
		assert.Equal(t, s, item)
		assert.Equal(t, ", next", rest)
	})
}

// FuzzParseActionLevel: any text is a level or ErrActionLevel, never a
// panic, and a level's name parses back to it.
func FuzzParseActionLevel(f *testing.F) {
	for _, s := range []string{"none", "investigate", "recommended", "required", "upgrade-required", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseActionLevel(s)
		if err != nil {
			require.ErrorIs(t, err, ErrActionLevel)
			return
		}
		back, err := ParseActionLevel(l.String())
		require.NoError(t, err)
		assert.Equal(t, l, back)
	})
}
