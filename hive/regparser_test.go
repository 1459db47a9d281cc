package hive

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"www.velocidex.com/golang/regparser"
)

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] < 0x20 {
			return false
		}
	}
	return true
}

// regparserKey reads one key with regparser, under recover().
func regparserKey(r *regparser.Registry, path string) (values map[string]Value, subkeys int, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("regparser panic: %v", p)
		}
	}()
	nk := r.OpenKey(path)
	if nk == nil {
		return nil, 0, fmt.Errorf("regparser: %q not found", path)
	}
	values = make(map[string]Value)
	for _, v := range nk.Values() {
		d := v.ValueData()
		values[v.ValueName()] = Value{Name: v.ValueName(), Type: ValueType(v.Type()), Data: d.Data}
	}
	return values, len(nk.Subkeys()), nil
}

// TestAgreesWithRegparser cross-checks this reader against regparser's
// own OpenKey on clean hives whose names regparser decodes correctly
// (ASCII): same keys, subkey counts, value names, types and data.
func TestAgreesWithRegparser(t *testing.T) {
	for _, rel := range []string{
		"log2timeline__dfwinreg/NTUSER.DAT",
		"EricZimmerman__Registry/SAM_hasBigEndianDWord",
		"msuhanov__yarp/BigDataHive",
		"msuhanov__yarp/NewDirtyHive1/RecoveredHive_Windows10",
		"williballenthin__python-registry/issue22.hive",
		"libguestfs__hivex/rlenvalue_test_hive",
	} {
		t.Run(rel, func(t *testing.T) {
			data := readTestFile(t, rel)
			h, err := FromBytes(context.Background(), data, nil, nil)
			require.NoError(t, err)
			r, err := regparser.NewRegistry(bytes.NewReader(data))
			require.NoError(t, err)
			checked := 0
			require.NoError(t, h.Walk("", func(k *Key, err error) error {
				require.NoError(t, err)
				if !isASCII(k.Path) {
					return nil
				}
				values, subkeys, err := regparserKey(r, k.Path)
				require.NoError(t, err)
				require.Equal(t, len(k.Subkeys), subkeys, k.Path)
				require.Equal(t, len(k.Values), len(values), k.Path)
				for _, v := range k.Values {
					if !isASCII(v.Name) {
						continue
					}
					w, ok := values[v.Name]
					require.True(t, ok, "%s\\%s", k.Path, v.Name)
					require.Equal(t, w.Type, v.Type)
					want := w.Data
					if len(v.Data) <= 4 && len(want) == 4 {
						// regparser returns the 4-byte offset field for
						// resident data, whatever the size.
						want = want[:len(v.Data)]
					}
					require.True(t, bytes.Equal(want, v.Data), "%s\\%s: %x != %x", k.Path, v.Name, want, v.Data)
				}
				checked++
				return nil
			}))
			require.Positive(t, checked)
			t.Logf("%d keys agree", checked)
		})
	}
}
