package kb

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a Windows version of up to four numeric parts
// (major.minor.build.revision), as used for IC packages
// ("6.3.9600.18398") and OS versions ("6.3.9600", "6.1"). Parts is the
// number of parts written (2 to 4; 0 for the zero Version); a missing part
// compares as 0.
type Version struct {
	Major, Minor, Build, Revision uint32
	Parts                         uint8
}

// ParseVersion parses a version of 2 to 4 dot-separated decimal parts.
// It tolerates surrounding white space, trailing NULs (REG_SZ data keeps its
// terminator) and a trailing suffix after a space or an opening parenthesis,
// such as " (winblue_ltsb.160701-0600)". Anything else, a part above
// 4294967295 or an empty part wraps ErrVersion.
func ParseVersion(s string) (Version, error) {
	t := strings.TrimRight(s, "\x00")
	t = strings.TrimSpace(t)
	if i := strings.IndexAny(t, " \t("); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	if t == "" {
		return Version{}, fmt.Errorf("kb: version %q: empty: %w", s, ErrVersion)
	}
	fields := strings.Split(t, ".")
	if len(fields) < 2 || len(fields) > 4 {
		return Version{}, fmt.Errorf("kb: version %q: %d parts, want 2 to 4: %w", s, len(fields), ErrVersion)
	}
	var p [4]uint32
	for i, f := range fields {
		if f == "" || len(f) > 10 {
			return Version{}, fmt.Errorf("kb: version %q: part %d: %w", s, i+1, ErrVersion)
		}
		for _, c := range f {
			if c < '0' || c > '9' {
				return Version{}, fmt.Errorf("kb: version %q: part %d not decimal: %w", s, i+1, ErrVersion)
			}
		}
		n, err := strconv.ParseUint(f, 10, 32)
		if err != nil {
			return Version{}, fmt.Errorf("kb: version %q: part %d: %w", s, i+1, ErrVersion)
		}
		p[i] = uint32(n)
	}
	return Version{Major: p[0], Minor: p[1], Build: p[2], Revision: p[3], Parts: uint8(len(fields))}, nil
}

// mustParseVersion is ParseVersion for constants in code and tests; it
// panics on an invalid version, so never call it on input.
func mustParseVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// IsZero reports whether v is the zero Version (nothing parsed).
func (v Version) IsZero() bool { return v == Version{} }

// Compare returns -1, 0 or +1 as v is lower than, equal to or higher than
// w, comparing part by part numerically; a missing part counts as 0, so
// 6.2 == 6.2.0.0.
func (v Version) Compare(w Version) int {
	a := [4]uint32{v.Major, v.Minor, v.Build, v.Revision}
	b := [4]uint32{w.Major, w.Minor, w.Build, w.Revision}
	for i := range a {
		switch {
		case a[i] < b[i]:
			return -1
		case a[i] > b[i]:
			return 1
		}
	}
	return 0
}

// Equal reports whether v.Compare(w) == 0.
func (v Version) Equal(w Version) bool { return v.Compare(w) == 0 }

// String writes the version with as many parts as were parsed (four for a
// Version built by hand with Parts 0 but non-zero fields); "" for the zero
// Version.
func (v Version) String() string {
	n := int(v.Parts)
	if n == 0 {
		if v.IsZero() {
			return ""
		}
		n = 4
	}
	if n < 2 {
		n = 2
	}
	if n > 4 {
		n = 4
	}
	p := [4]uint32{v.Major, v.Minor, v.Build, v.Revision}
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.FormatUint(uint64(p[i]), 10))
	}
	return b.String()
}

// MarshalText implements encoding.TextMarshaler.
func (v Version) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; empty text gives the
// zero Version.
func (v *Version) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*v = Version{}
		return nil
	}
	p, err := ParseVersion(string(b))
	if err != nil {
		return err
	}
	*v = p
	return nil
}
