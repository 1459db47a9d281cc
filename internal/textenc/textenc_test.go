package textenc

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name, want, enc string
		in              []byte
	}{
		{"utf-8", "Name : ウェブ", UTF8, []byte("Name : ウェブ")},
		{"utf-8 bom", "a,b", UTF8BOM, []byte("\xef\xbb\xbfa,b")},
		{"utf-16le bom", "Ab", UTF16LE, []byte("\xff\xfeA\x00b\x00")},
		{"utf-16be bom", "Ab", UTF16BE, []byte("\xfe\xff\x00A\x00b")},
		{"utf-16le no bom", "Ab", UTF16LE, []byte("A\x00b\x00")},
		{"odd byte dropped", "A", UTF16LE, []byte("\xff\xfeA\x00b")},
		{"invalid utf-8", "a\uFFFDb", UTF8, []byte("a\xffb")},
		{"lone surrogate", "\uFFFD", UTF16LE, []byte("\xff\xfe\x00\xd8")},
		{"empty", "", UTF8, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, enc := Decode(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.enc, enc)
			assert.True(t, utf8.ValidString(got))
		})
	}
}

func TestBlankPrompts(t *testing.T) {
	tests := []struct{ in, want string }{
		{"PS C:\\> Get-VM | ft\r\nName\r\n", "\nName\r\n"},
		{"PS C:\\Users\\me> Get-VM\nName", "\nName"},
		{"C:\\Users\\me>wevtutil qe System /f:xml\n<Event>", "\n<Event>"},
		{"<Event><Data>C:\\x></Data></Event>", "<Event><Data>C:\\x></Data></Event>"},
		{"Name : a>b\n", "Name : a>b\n"},
		{"no prompt", "no prompt"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, BlankPrompts(tt.in), tt.in)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte("\xff\xfeA\x00"))
	f.Add([]byte("\xef\xbb\xbfa"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, _ := Decode(b)
		if !utf8.ValidString(s) {
			t.Fatal("invalid UTF-8")
		}
		if p := BlankPrompts(s); strings.Count(p, "\n") != strings.Count(s, "\n") {
			t.Fatal("BlankPrompts changed the line count")
		}
	})
}
