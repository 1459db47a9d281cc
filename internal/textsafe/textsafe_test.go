package textsafe

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEscape(t *testing.T) {
	tests := []struct{ name, in, want, lines string }{
		{"plain", `C:\Logs\System.evtx`, `C:\Logs\System.evtx`, `C:\Logs\System.evtx`},
		{"japanese", "ホスト/SOFTWARE", "ホスト/SOFTWARE", "ホスト/SOFTWARE"},
		{"esc", "a\x1b[2Jb", `a\x1b[2Jb`, `a\x1b[2Jb`},
		{"newline forging a line", "x.zip!/a\nStatus: complete", `x.zip!/a\x0aStatus: complete`, "x.zip!/a\nStatus: complete"},
		{"nul cr tab del", "a\x00b\rc\td\x7f", `a\x00b\x0dc\x09d\x7f`, "a\\x00b\\x0dc\td\\x7f"},
		{"c1 csi", "a\u009bb", `a\x9bb`, `a\x9bb`},
		{"invalid utf8", "a\xffb", `a\xffb`, `a\xffb`},
		{"bidi override", "evil\u202etxt.exe", `evil\u202etxt.exe`, `evil\u202etxt.exe`},
		{"line separator", "a\u2028b", `a\u2028b`, `a\u2028b`},
		{"empty", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Escape(tt.in))
			assert.Equal(t, tt.lines, Lines(tt.in))
		})
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"a\x1bb", "x\ny", "\xff\xfe", "\u202e", "ok"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{Escape(s), Lines(s)} {
			for i := 0; i < len(out); i++ {
				c := out[i]
				if (c < 0x20 || c == 0x7f) && c != '\n' && c != '\t' {
					t.Fatalf("control byte %#x left in %q", c, out)
				}
			}
			assert.NotContains(t, Escape(s), "\n")
		}
	})
}
