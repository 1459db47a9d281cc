package evtx

import (
	"encoding/hex"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	gevtx "github.com/0xrawsec/golang-evtx/evtx"
	"golang.org/x/text/encoding/charmap"
)

// valueString renders a typed substitution value; false for NULL values
// (an optional substitution that is absent).
func valueString(e gevtx.Element) (string, bool) {
	switch v := e.(type) {
	case nil:
		return "", false
	case *gevtx.ValueNull:
		return "", false
	case *gevtx.ValueString:
		return v.String(), true
	case *gevtx.AnsiString:
		b, _ := v.Value().([]byte)
		return strings.TrimRight(ansiString(b), "\x00"), true
	case *gevtx.ValueGUID:
		return "{" + v.String() + "}", true
	case *gevtx.ValueFileTime:
		if ft, ok := rawFiletime(v); ok {
			return filetime(ft).Format(time.RFC3339Nano), true
		}
		return "", true
	case *gevtx.ValueSysTime:
		st, _ := v.Value().(gevtx.SysTime)
		return fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", st.Year, st.Month, st.DayOfMonth,
			st.Hours, st.Minutes, st.Seconds, st.Milliseconds), true
	case *gevtx.ValueHexInt32:
		// Never call Value() on the hex types: it recurses forever in v1.2.9.
		return v.String(), true
	case *gevtx.ValueHexInt64:
		return v.String(), true
	case *gevtx.ValueBinary:
		b, _ := v.Value().([]byte)
		return strings.ToUpper(hex.EncodeToString(b)), true
	case *gevtx.ValueStringTable:
		ss, _ := v.Value().([]gevtx.UTF16String)
		out := make([]string, 0, len(ss))
		for _, s := range ss {
			out = append(out, s.ToString())
		}
		return strings.Join(out, ", "), true
	case *gevtx.UnkVal:
		return "", true
	case gevtx.Value:
		return v.String(), true
	}
	return "", false
}

// ansiString decodes an 8-bit ("ANSI") string value. The code page is not
// recorded in the log; Windows-1252 is assumed, as libevtx does by default,
// so that bytes above 0x7F (the DNS names of python-evtx's
// dns_log_malformed.evtx, which python-evtx cannot decode as ASCII) give
// valid UTF-8, e.g. 0xA6 -> "¦". The five bytes Windows-1252 leaves
// undefined map to the C1 controls of the same value, as Windows' own
// table does, so no byte is lost.
func ansiString(b []byte) string {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/2)
	for _, c := range b {
		r := charmap.Windows1252.DecodeByte(c)
		if r == utf8.RuneError {
			r = rune(c)
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// rawFiletime reads the unexported FILETIME of a ValueFileTime (golang-evtx
// converts it through float64 and loses precision).
func rawFiletime(v *gevtx.ValueFileTime) (int64, bool) {
	rv := reflect.ValueOf(v).Elem()
	if rv.NumField() < 1 {
		return 0, false
	}
	f := rv.Field(0)
	if f.Kind() == reflect.Struct && f.NumField() >= 1 {
		f = f.Field(0)
	}
	switch f.Kind() {
	case reflect.Int64, reflect.Int32:
		return f.Int(), true
	case reflect.Uint64, reflect.Uint32:
		return int64(f.Uint()), true
	}
	return 0, false
}

// filetime converts a FILETIME (100 ns ticks since 1601-01-01 UTC) exactly.
func filetime(ft int64) time.Time {
	const epochDiff = 11644473600 // seconds from 1601 to 1970
	if ft <= 0 {
		return time.Time{}
	}
	sec := ft/10_000_000 - epochDiff
	nsec := (ft % 10_000_000) * 100
	return time.Unix(sec, nsec).UTC()
}

func parseUint(s string, bits int) uint64 {
	s = strings.TrimSpace(s)
	base := 10
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		s, base = s[2:], 16
	}
	v, err := strconv.ParseUint(s, base, bits)
	if err != nil {
		return 0
	}
	return v
}

// normGUIDBraced returns "{XXXXXXXX-...}" upper-case, or s unchanged when it
// is not a GUID.
func normGUIDBraced(s string) string {
	g, ok := parseGUID(s)
	if !ok {
		return s
	}
	return "{" + strings.ToUpper(g) + "}"
}

// parseGUID accepts a GUID with or without braces and returns it lower-case
// without braces.
func parseGUID(s string) (string, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "{")
	s = strings.TrimSuffix(s, "}")
	if len(s) != 36 {
		return "", false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return "", false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return "", false
			}
		}
	}
	return strings.ToLower(s), true
}
