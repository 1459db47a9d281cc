package hive

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/hvic/hvic/internal/hivewriter"
	"github.com/stretchr/testify/require"
)

// trimHive cuts a hive to its base block and declared hive bins (corpus
// files are padded to 256 KiB; smaller seeds fuzz faster).
func trimHive(data []byte) []byte {
	if len(data) < baseBlockSize {
		return data
	}
	n := int64(baseBlockSize) + int64(le.Uint32(data[40:]))
	if n > int64(len(data)) || n < baseBlockSize {
		return data
	}
	return data[:n]
}

var fuzzOpts = &Options{MaxHiveSize: 8 << 20, MaxLogSize: 8 << 20, MaxValueSize: 1 << 20, MaxSubkeys: 10000, MaxValues: 1000, MaxDepth: 64}

// exercise reads everything a caller could read, bounded.
func exercise(t *testing.T, h *Hive, path string) {
	readAll := func(k *Key) {
		for _, v := range k.Values {
			_, _ = v.Text()
			_ = v.Strings()
			_, _ = v.Uint64()
		}
	}
	if k, err := h.Key(path); err == nil {
		readAll(k)
	}
	n := 0
	err := h.Walk("", func(k *Key, err error) error {
		n++
		if n > 20000 {
			return errStop
		}
		if k != nil {
			readAll(k)
		}
		return nil
	})
	if err != nil {
		require.ErrorIs(t, err, errStop)
	}
	_ = h.Recovery()
	_ = h.Problems()
}

// smallHives are the fuzz seeds: small real hives and built ones. Large
// seeds make the fuzzer spend its time minimising.
func smallHives(t testing.TB) [][]byte {
	var out [][]byte
	for _, rel := range []string{
		"msuhanov__yarp/EmptyHive", "msuhanov__yarp/UnicodeHive", "msuhanov__yarp/MultiSzHive",
		"msuhanov__yarp/BadListHive", "libguestfs__hivex/special", "williballenthin__python-registry/issue22.hive",
		"EricZimmerman__Registry/SECURITYNoRoot", "msuhanov__yarp/TruncatedHive",
	} {
		out = append(out, trimHive(readTestFile(t, rel)))
	}
	b := hivewriter.New()
	for i := 0; i < 4; i++ {
		b.Key(`A\B`).Subkey(string(rune('a'+i))).SetString("v", "x")
	}
	b.Key("Big").SetBinary("db", make([]byte, 17000))
	b.Key("Types").SetMultiString("m", "a", "b").SetDwordBigEndian("be", 1).SetQword("q", 2).SetExpandString("e", "%x%")
	b.SelfReferencingRI = `A\B`
	data, err := b.Bytes()
	require.NoError(t, err)
	return append(out, data)
}

func FuzzOpen(f *testing.F) {
	for _, data := range smallHives(f) {
		f.Add(data, `A\B\c`)
	}
	f.Fuzz(func(t *testing.T, data []byte, path string) {
		h, err := FromBytes(context.Background(), data, nil, fuzzOpts)
		if err != nil {
			require.Nil(t, h)
			return
		}
		exercise(t, h, path)
	})
}

func FuzzReplay(f *testing.F) {
	dir := filepath.Join("msuhanov__yarp", "NewDirtyHive1")
	base := trimHive(readTestFile(f, filepath.Join(dir, "NewDirtyHive")))
	f.Add(base, readTestFile(f, filepath.Join(dir, "NewDirtyHive.LOG1")), readTestFile(f, filepath.Join(dir, "NewDirtyHive.LOG2")))
	fixtures, err := hivewriter.Fixtures()
	require.NoError(f, err)
	for _, fx := range fixtures {
		if fx.Log1 != nil {
			f.Add(fx.Data, fx.Log1, []byte{})
			old, log := oldFormatPair(f, fx.Tree)
			f.Add(old, log, []byte{})
		}
	}
	f.Fuzz(func(t *testing.T, base, log1, log2 []byte) {
		h, err := FromBytes(context.Background(), base, []LogFile{{Name: "h.LOG1", Data: log1}, {Name: "h.LOG2", Data: log2}}, fuzzOpts)
		if err != nil {
			require.Nil(t, h)
			return
		}
		rec := h.Recovery()
		for _, l := range rec.Refused {
			require.ErrorIs(t, l.Err, ErrBadLog)
		}
		require.Equal(t, rec.Recovered, len(rec.Applied) > 0)
		exercise(t, h, `Microsoft\Virtual Machine\Auto`)
	})
}
