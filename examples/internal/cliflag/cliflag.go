// Package cliflag holds what the example commands share on their command
// line: flags accepted anywhere among the arguments, and the version string
// the commands print and write into their reports.
package cliflag

import (
	"flag"
	"runtime/debug"
	"strings"
)

// Parse parses args with fs, accepting flags before, between and after the
// positional arguments, and returns the positional arguments in order. The
// argument "--" ends the flags: everything after it is positional. A lone
// "-" is positional (it conventionally names standard input). A flag that
// takes a value consumes the next argument unless written -name=value, as
// package flag does. Errors are those of fs.Parse (flag.ErrHelp for -h).
func Parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(pos, args[i+1:]...), nil
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		one := []string{a}
		if takesValue(fs, a) && i+1 < len(args) {
			i++
			one = append(one, args[i])
		}
		if err := fs.Parse(one); err != nil {
			return nil, err
		}
	}
	return pos, nil
}

// takesValue reports whether the flag argument a (-name or --name, without
// "=value") names a defined flag that is not boolean, so that its value is
// the next argument.
func takesValue(fs *flag.FlagSet, a string) bool {
	name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
	if strings.Contains(name, "=") {
		return false
	}
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return false
	}
	return true
}

// Version is the version of the running binary: see VersionOf.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return VersionOf(nil)
	}
	return VersionOf(bi)
}

// VersionOf is the version string of a build, in one form wherever the
// tool names itself (-version, JSON run.tool_version, SARIF
// driver.version, report headers and footers): the main module's version
// (a release tag, or the pseudo-version go build derives from the VCS)
// without Go's leading "v", or "0.0.0-devel" for a source build without
// one, so that it always starts with a number as SARIF consumers expect;
// then, when the build recorded a VCS revision that the version does not
// already name, "+" and the revision's first 12 hex digits, and "-dirty"
// when the work tree had uncommitted changes (a pseudo-version carries
// "+dirty" itself). A nil bi (no build information) gives "0.0.0-devel".
func VersionOf(bi *debug.BuildInfo) string {
	const devel = "0.0.0-devel"
	if bi == nil {
		return devel
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = devel
	}
	if len(v) > 1 && v[0] == 'v' && v[1] >= '0' && v[1] <= '9' {
		v = v[1:]
	}
	var rev string
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" || strings.Contains(v, rev) {
		return v
	}
	v += "+" + rev
	if dirty {
		v += "-dirty"
	}
	return v
}
