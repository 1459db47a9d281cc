package cliflag

import (
	"flag"
	"io"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type flags struct {
	format string
	quiet  bool
	n      int
}

func newSet() (*flag.FlagSet, *flags) {
	var f flags
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&f.format, "format", "text", "")
	fs.BoolVar(&f.quiet, "q", false, "")
	fs.IntVar(&f.n, "n", 1, "")
	return fs, &f
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		args []string
		pos  []string
		want flags
		err  string
	}{
		{"none", nil, nil, flags{"text", false, 1}, ""},
		{"before", []string{"-format", "json", "a", "b"}, []string{"a", "b"}, flags{"json", false, 1}, ""},
		{"between", []string{"a", "-q", "-n", "3", "b"}, []string{"a", "b"}, flags{"text", true, 3}, ""},
		{"after", []string{"a", "b", "-format", "json", "-q"}, []string{"a", "b"}, flags{"json", true, 1}, ""},
		{"double dash and equals", []string{"a", "--format=csv", "--n=4"}, []string{"a"}, flags{"csv", false, 4}, ""},
		{"terminator", []string{"-q", "--", "-format", "json"}, []string{"-format", "json"}, flags{"text", true, 1}, ""},
		{"value that looks like a flag", []string{"-format", "--", "a"}, []string{"a"}, flags{"--", false, 1}, ""},
		{"lone dash is positional", []string{"-", "-q"}, []string{"-"}, flags{"text", true, 1}, ""},
		{"bool with value", []string{"-q=false", "a"}, []string{"a"}, flags{"text", false, 1}, ""},
		{"missing value", []string{"a", "-format"}, nil, flags{}, "flag needs an argument"},
		{"unknown", []string{"a", "-nope", "b"}, nil, flags{}, "flag provided but not defined"},
		{"bad int", []string{"-n", "x"}, nil, flags{}, "invalid value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, f := newSet()
			pos, err := Parse(fs, tt.args)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.pos, pos)
			assert.Equal(t, tt.want, *f)
		})
	}
	fs, _ := newSet()
	_, err := Parse(fs, []string{"a", "-h"})
	assert.ErrorIs(t, err, flag.ErrHelp)
}

// FuzzParse: Parse never panics, and returns every argument that is not a
// flag, its value or the terminator, in order.
func FuzzParse(f *testing.F) {
	f.Add("a\x00-format\x00json\x00b")
	f.Add("-q\x00--\x00-n\x003")
	f.Add("-n=\x00-\x00--format")
	f.Fuzz(func(t *testing.T, joined string) {
		args := strings.Split(joined, "\x00")
		fs, _ := newSet()
		pos, err := Parse(fs, args)
		if err != nil {
			return
		}
		assert.LessOrEqual(t, len(pos), len(args))
		for _, p := range pos {
			assert.Contains(t, args, p)
		}
	})
}

func TestVersionOf(t *testing.T) {
	rev := "4566ee0a1b2c3d4e5f60718293a4b5c6d7e8f901"
	settings := func(modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"no build info", nil, "0.0.0-devel"},
		{"test binary", &debug.BuildInfo{}, "0.0.0-devel"},
		{"source build without VCS", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "0.0.0-devel"},
		{"source build with VCS", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: settings("false")}, "0.0.0-devel+4566ee0a1b2c"},
		{"modified tree", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: settings("true")}, "0.0.0-devel+4566ee0a1b2c-dirty"},
		{"pseudo-version names the revision", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261205184620-4566ee0a1b2c+dirty"}, Settings: settings("true")},
			"0.0.0-20261205184620-4566ee0a1b2c+dirty"},
		{"release from the module cache", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}}, "1.2.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, VersionOf(tt.bi))
		})
	}
	assert.NotEmpty(t, Version())
}
