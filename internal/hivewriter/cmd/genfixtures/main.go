// Command genfixtures writes the generated hive fixtures (hivewriter.Fixtures)
// into a directory, testdata/hivefacts by default:
//
//	go run ./internal/hivewriter/cmd/genfixtures [-dir testdata/hivefacts]
//
// With -expect DIR it writes instead, for each fixture, DIR/NAME.json: every
// key (path from the root, `\`-separated; last-write time in Unix seconds
// and nanoseconds) and every value (type number and data: text for REG_SZ
// and REG_EXPAND_SZ, decimal for REG_DWORD, hex otherwise) of the state the
// hive file holds, for scripts/crosscheck-hive.sh.
package main

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"unicode/utf16"

	"github.com/hvic/hvic/internal/hivewriter"
)

type expectValue struct {
	Type uint32 `json:"type"`
	Data string `json:"data"`
}

type expectKey struct {
	Unix     int64                  `json:"unix"`
	Nanos    int                    `json:"nanos"`
	Values   map[string]expectValue `json:"values"`
	Subkeys  []string               `json:"subkeys"`
	RootName string                 `json:"root_name,omitempty"`
}

func main() {
	dir := flag.String("dir", filepath.Join("testdata", "hivefacts"), "output directory for the hives")
	expect := flag.String("expect", "", "write expected key/value listings (JSON) into this directory instead of the hives")
	flag.Parse()
	fx, err := hivewriter.Fixtures()
	if err != nil {
		fail(err)
	}
	out := *dir
	if *expect != "" {
		out = *expect
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		fail(err)
	}
	for _, f := range fx {
		if *expect != "" {
			data, err := json.MarshalIndent(listing(f.Tree), "", " ")
			if err != nil {
				fail(err)
			}
			write(filepath.Join(out, f.Name+".json"), data)
			continue
		}
		write(filepath.Join(out, f.Name), f.Data)
		if f.Log1 != nil {
			write(filepath.Join(out, f.Name+".LOG1"), f.Log1)
		}
	}
}

func listing(b *hivewriter.Builder) map[string]expectKey {
	keys := map[string]expectKey{}
	b.Walk(func(path string, k *hivewriter.Key) {
		lw := k.LastWrite
		if lw.IsZero() {
			lw = b.Timestamp
		}
		ek := expectKey{Unix: lw.Unix(), Nanos: lw.Nanosecond(), Values: map[string]expectValue{}, Subkeys: []string{}}
		if path == "" {
			ek.RootName = k.Name
		}
		for _, v := range k.Values() {
			ek.Values[v.Name] = expectValue{Type: v.Type, Data: text(v)}
		}
		for _, s := range k.Subkeys() {
			ek.Subkeys = append(ek.Subkeys, s.Name)
		}
		keys[path] = ek
	})
	return keys
}

func text(v hivewriter.Value) string {
	switch v.Type {
	case hivewriter.TypeString, hivewriter.TypeExpandString:
		u := make([]uint16, len(v.Data)/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(v.Data[2*i:])
		}
		for len(u) > 0 && u[len(u)-1] == 0 {
			u = u[:len(u)-1]
		}
		return string(utf16.Decode(u))
	case hivewriter.TypeDword:
		if len(v.Data) == 4 {
			return strconv.FormatUint(uint64(binary.LittleEndian.Uint32(v.Data)), 10)
		}
	}
	return hex.EncodeToString(v.Data)
}

func write(path string, data []byte) {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		fail(err)
	}
	fmt.Println(path, len(data))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "genfixtures:", err)
	os.Exit(1)
}
