package hive

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hvic/hvic/internal/hivewriter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCorpus opens every hive of testdata/hive (logs found by Open) and
// checks it reads as its origin says, or fails with the right sentinel;
// then walks the whole tree, which must end (no hang, no stack overflow).
func TestCorpus(t *testing.T) {
	tests := []struct {
		file      string
		err       error  // Open fails with this sentinel
		root      string // root key name
		subkeys   int    // subkeys of the root
		keys      int    // keys met by a full walk
		dirty     bool
		recovered bool
		problems  []error // sentinels of Hive.Problems, in order
		walkErrs  []error // sentinels of the walk errors and key problems
		key       string  // a key to read...
		value     string  // ...and one of its values...
		want      string  // ...with this String()
	}{
		{file: "EricZimmerman__Registry/NotAHive", err: ErrNotHive},
		{file: "EricZimmerman__Registry/SAMBadHBinHeader", root: "CsiTool-CreateHive-{00000000-0000-0000-0000-000000000000}", subkeys: 1, keys: 68, problems: []error{ErrCorrupt}},
		{file: "EricZimmerman__Registry/SAM_hasBigEndianDWord", root: "CsiTool-CreateHive-{00000000-0000-0000-0000-000000000000}", subkeys: 1, keys: 92},
		{file: "EricZimmerman__Registry/SECURITYNoRoot", root: "ROOT", subkeys: 2, keys: 8, problems: []error{ErrCorrupt},
			key: `Software\Microsoft\ActiveSync\MergedPolicy`, value: "RequireDeviceEncryption", want: "0"},
		{file: "libguestfs__hivex/minimal", root: "$$$PROTO.HIV", keys: 1},
		{file: "libguestfs__hivex/rlenvalue_test_hive", root: "$$$PROTO.HIV", subkeys: 1, keys: 2},
		{file: "libguestfs__hivex/special", root: "$$$PROTO.HIV", subkeys: 3, keys: 4},
		{file: "log2timeline__dfwinreg/NTUSER.DAT", root: "CsiTool-CreateHive-{00000000-0000-0000-0000-000000000000}", subkeys: 10, keys: 1597},
		{file: "log2timeline__dfwinreg/SYSTEM.DAT", err: ErrNotHive},
		{file: "log2timeline__dfwinreg/USER.DAT", err: ErrNotHive},
		{file: "log2timeline__dfwinreg/NTUSER.DAT.LOG", err: ErrNotHive},
		{file: "msuhanov__yarp/BadBaseBlockHive/BadBaseBlockHive", root: "{6214ff27-7b1b-41a3-9ae4-5fb851ffed63}", subkeys: 1, keys: 5003, dirty: true, recovered: true},
		{file: "msuhanov__yarp/BadListHive", root: "{dedef10d-30ff-45b5-9d44-b3fa249ecd49}", subkeys: 4, keys: 6, walkErrs: []error{ErrCorrupt, ErrCorrupt}},
		{file: "msuhanov__yarp/BadLogHive3/BadLogHive", root: "{dedef10d-30ff-45b5-9d44-b3fa249ecd49}", subkeys: 2, keys: 5, dirty: true, problems: []error{ErrBadLog, ErrBadLog, ErrStale}},
		{file: "msuhanov__yarp/BadSubkeyHive", root: "{dedef10d-30ff-45b5-9d44-b3fa249ecd49}", subkeys: 4, keys: 6, walkErrs: []error{ErrCorrupt, ErrCorrupt}},
		{file: "msuhanov__yarp/BigDataHive", root: "{49ede77f-4b2f-45b8-b1f8-5bc740182bdf}", subkeys: 1, keys: 2},
		{file: "msuhanov__yarp/BogusKeyNamesHive", root: "{bfd09be2-4218-4d48-8eaa-6a3a2613942d}", subkeys: 2, keys: 3},
		{file: "msuhanov__yarp/DuplicateSubkeysHive", root: "{6214ff27-7b1b-41a3-9ae4-5fb851ffed63}", subkeys: 1, keys: 5003, walkErrs: []error{ErrCorrupt}},
		{file: "msuhanov__yarp/EmptyHive", root: "{dedef10d-30ff-45b5-9d44-b3fa249ecd49}", keys: 1},
		{file: "msuhanov__yarp/ExtendedASCIIHive", root: "{a2f2f591-d533-4425-a354-cd6d5ab6886f}", subkeys: 1, keys: 2, key: "ëigenaardig", value: "ËIGENAARDIG", want: "ëigenaardig"},
		{file: "msuhanov__yarp/GarbageHive", root: "{dedef10d-30ff-45b5-9d44-b3fa249ecd49}", keys: 1, dirty: true, problems: []error{ErrBadBaseBlock, ErrStale, ErrCorrupt}},
		{file: "msuhanov__yarp/HealedHive", root: "{a1c3317d-5e37-4a97-9c38-476347d6668a}", subkeys: 3, keys: 4, key: "dddd", value: "123", want: "test"},
		{file: "msuhanov__yarp/MultiSzHive", root: "{53a28f14-e85a-41f0-b475-d0ad8005af74}", subkeys: 1, keys: 2, key: "KEY", value: "2", want: "привет\nкак дела?"},
		{file: "msuhanov__yarp/NewDirtyHive1/NewDirtyHive", root: "{dedef10d-30ff-45b5-9d44-b3fa249ecd49}", subkeys: 1, keys: 5, dirty: true, recovered: true},
		{file: "msuhanov__yarp/NewDirtyHive1/RecoveredHive_Windows10", root: "{dedef10d-30ff-45b5-9d44-b3fa249ecd49}", subkeys: 1, keys: 5},
		{file: "msuhanov__yarp/NewDirtyHive1/NewDirtyHive.LOG1", err: ErrNotHive},
		{file: "msuhanov__yarp/NewDirtyHive2/NewDirtyHive", root: "{dedef10d-30ff-45b5-9d44-b3fa249ecd49}", subkeys: 1, keys: 5, dirty: true, recovered: true},
		{file: "msuhanov__yarp/OffHive", root: "{dedef10d-30ff-45b5-9d44-b3fa249ecd49}", keys: 1},
		{file: "msuhanov__yarp/OldDirtyHive/OldDirtyHive", root: "{6214ff27-7b1b-41a3-9ae4-5fb851ffed63}", subkeys: 1, keys: 5003, dirty: true, recovered: true},
		{file: "msuhanov__yarp/OldDirtyHive/OldDirtyHive.LOG1", err: ErrNotHive},
		{file: "msuhanov__yarp/OldDirtyHive/OldDirtyHive.LOG2", err: ErrNotHive},
		{file: "msuhanov__yarp/OldDirtyHive/RecoveredHive_Windows7", root: "{6214ff27-7b1b-41a3-9ae4-5fb851ffed63}", subkeys: 1, keys: 5003},
		{file: "msuhanov__yarp/StringValuesHive", root: "{6a22328e-3f35-4009-9de6-75dfed7506fe}", subkeys: 1, keys: 2, key: "key", value: "3", want: "test тест "},
		{file: "msuhanov__yarp/TruncatedDirtyHive", root: "{6214ff27-7b1b-41a3-9ae4-5fb851ffed63}", subkeys: 1, keys: 2, dirty: true, problems: []error{ErrStale, ErrTruncated}, walkErrs: []error{ErrTruncated, ErrTruncated}},
		{file: "msuhanov__yarp/TruncatedHive", root: "{6214ff27-7b1b-41a3-9ae4-5fb851ffed63}", subkeys: 1, keys: 2, problems: []error{ErrTruncated}, walkErrs: []error{ErrTruncated, ErrTruncated}},
		{file: "msuhanov__yarp/TruncatedHiveBin", err: ErrNotHive},
		{file: "msuhanov__yarp/UnicodeHive", root: "{dedef10d-30ff-45b5-9d44-b3fa249ecd49}", subkeys: 1, keys: 3},
		{file: "williballenthin__python-registry/REORGANIZED_VALUES_TESTS", root: "UNICODE_TESTS", subkeys: 2, keys: 3},
		{file: "williballenthin__python-registry/UNICODE_TESTS", root: "UNICODE_TESTS", subkeys: 2, keys: 3,
			key: "ASCII_KEY_NAME0", value: "UNICODE_JUMBLE_{H~\u2591\u00f4\u00ab}3", want: "ASCII_VALUE_VALUE2"},
		{file: "williballenthin__python-registry/issue22.hive", root: "TimeZoneInformation", keys: 1, value: "TimeZoneKeyName", want: "W. Europe Standard Time"},
	}
	covered := make(map[string]bool)
	for _, tc := range tests {
		covered[tc.file] = true
		t.Run(tc.file, func(t *testing.T) {
			h, err := Open(context.Background(), filepath.Join(corpus, tc.file), nil)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				var fe *FormatError
				require.ErrorAs(t, err, &fe)
				require.Nil(t, h)
				return
			}
			require.NoError(t, err)
			root, err := h.Key("")
			require.NoError(t, err)
			assert.Equal(t, tc.root, root.Name)
			assert.Len(t, root.Subkeys, tc.subkeys)
			rec := h.Recovery()
			assert.Equal(t, tc.dirty, rec.Dirty, "dirty")
			assert.Equal(t, tc.recovered, rec.Recovered, "recovered")
			probs := h.Problems()
			require.Len(t, probs, len(tc.problems), "%v", probs)
			for i, p := range probs {
				assert.ErrorIs(t, p, tc.problems[i])
			}
			keys := 0
			var walkErrs []error
			require.NoError(t, h.Walk("", func(k *Key, err error) error {
				if err != nil {
					walkErrs = append(walkErrs, err)
					return nil
				}
				keys++
				walkErrs = append(walkErrs, k.Problems...)
				return nil
			}))
			assert.Equal(t, tc.keys, keys)
			require.Len(t, walkErrs, len(tc.walkErrs), "%v", walkErrs)
			for i, e := range walkErrs {
				assert.ErrorIs(t, e, tc.walkErrs[i])
			}
			if tc.value != "" {
				k, err := h.Key(tc.key)
				require.NoError(t, err)
				v, ok := k.Value(tc.value)
				require.True(t, ok, "value %q", tc.value)
				s, ok := v.Text()
				require.True(t, ok)
				assert.Equal(t, tc.want, s)
			}
		})
	}
	// Every hive of the corpus is in the table (logs are opened through
	// their hives, and a few directly above).
	require.NoError(t, filepath.Walk(corpus, func(p string, fi os.FileInfo, err error) error {
		require.NoError(t, err)
		rel := filepath.ToSlash(strings.TrimPrefix(p, corpus+string(filepath.Separator)))
		if fi.IsDir() || strings.HasPrefix(rel, "regipy/") || strings.HasSuffix(rel, ".md") || strings.Contains(strings.ToUpper(rel), ".LOG") {
			return nil
		}
		assert.True(t, covered[rel], "corpus file %s has no row in TestCorpus", rel)
		return nil
	}))
}

func TestNames(t *testing.T) {
	tests := []struct {
		file   string
		lookup string // as a user types it
		path   string // as stored
		comp   bool   // compressed (Latin-1) name in the nk cell
	}{
		{"msuhanov__yarp/UnicodeHive", `ПриВет\КлюЧ`, `Привет\Ключ`, false},
		{"msuhanov__yarp/UnicodeHive", `\привеТ`, `Привет`, false},
		{"msuhanov__yarp/ExtendedASCIIHive", `ËIGENAARDIG`, `ëigenaardig`, true},
		{"msuhanov__yarp/BogusKeyNamesHive", "TESTNEW\r\nNE", "testnew\r\nne", true},
		{"msuhanov__yarp/BogusKeyNamesHive", "testnu\x00l", "testnu\x00l", true},
		{"libguestfs__hivex/special", `ABCD_ÄÖÜß`, `abcd_äöüß`, true},
		{"libguestfs__hivex/special", `weird™`, `weird™`, false},
		{"libguestfs__hivex/special", "zero\x00key", "zero\x00key", true},
	}
	for _, tc := range tests {
		t.Run(tc.file+"/"+tc.path, func(t *testing.T) {
			h, err := Open(context.Background(), filepath.Join(corpus, tc.file), nil)
			require.NoError(t, err)
			k, err := h.Key(tc.lookup)
			require.NoError(t, err)
			assert.Equal(t, tc.path, k.Path)
			off, _, err := h.lookup(tc.path)
			require.NoError(t, err)
			kn, err := h.keyNode(off)
			require.NoError(t, err)
			assert.Equal(t, tc.comp, kn.flags&nkCompName != 0)
			_, err = h.Key(tc.lookup + `\doesnt_exist`)
			require.ErrorIs(t, err, ErrKeyNotFound)
		})
	}
}

func TestValues(t *testing.T) {
	type want struct {
		typ     ValueType
		size    int
		str     string   // String() when strOK
		strOK   bool     //
		strs    []string // Strings()
		num     uint64   // Uint64() when numOK
		numOK   bool
		allByte byte // every data byte equals this (big data)
	}
	tests := []struct {
		file, key, value string
		want             want
	}{
		{"msuhanov__yarp/BigDataHive", "key_with_bigdata", "", want{typ: TypeBinary, size: 16345, allByte: '1'}},
		{"msuhanov__yarp/BigDataHive", "key_with_bigdata", "V", want{typ: TypeBinary, size: 81725, allByte: '2'}},
		{"msuhanov__yarp/MultiSzHive", "key", "1", want{typ: TypeMultiString, size: 2, strOK: true, str: ""}},
		{"msuhanov__yarp/MultiSzHive", "key", "2", want{typ: TypeMultiString, size: 36, strOK: true, str: "привет\nкак дела?", strs: []string{"привет", "как дела?"}}},
		{"msuhanov__yarp/StringValuesHive", "key", "(Default)", want{typ: TypeString, size: 20, strOK: true, str: "test тест", strs: []string{"test тест"}}},
		{"msuhanov__yarp/StringValuesHive", "key", "1", want{typ: TypeBinary, size: 4}},
		{"msuhanov__yarp/StringValuesHive", "key", "2", want{typ: TypeExpandString, size: 20, strOK: true, str: "test тест", strs: []string{"test тест"}}},
		{"msuhanov__yarp/StringValuesHive", "key", "3", want{typ: TypeString, size: 22, strOK: true, str: "test тест ", strs: []string{"test тест "}}},
		{"williballenthin__python-registry/issue22.hive", "", "Bias", want{typ: TypeDword, size: 4, strOK: true, str: "4294967236", num: 0xFFFFFFC4, numOK: true}},
		{"libguestfs__hivex/rlenvalue_test_hive", "ModerateValueParent", "33Bytes", want{typ: TypeBinary, size: 33}},
		{"libguestfs__hivex/rlenvalue_test_hive", "ModerateValueParent", "3Bytes", want{typ: TypeBinary, size: 3}},
	}
	for _, tc := range tests {
		t.Run(tc.file+"/"+tc.key+"/"+tc.value, func(t *testing.T) {
			h, err := Open(context.Background(), filepath.Join(corpus, tc.file), nil)
			require.NoError(t, err)
			k, err := h.Key(tc.key)
			require.NoError(t, err)
			require.Empty(t, k.Problems)
			v, ok := k.Value(tc.value)
			require.True(t, ok)
			assert.Equal(t, tc.want.typ, v.Type)
			assert.Len(t, v.Data, tc.want.size)
			s, ok := v.Text()
			assert.Equal(t, tc.want.strOK, ok)
			assert.Equal(t, tc.want.str, s)
			assert.Equal(t, tc.want.strs, v.Strings())
			n, ok := v.Uint64()
			assert.Equal(t, tc.want.numOK, ok)
			assert.Equal(t, tc.want.num, n)
			if tc.want.allByte != 0 {
				for i, b := range v.Data {
					if b != tc.want.allByte {
						t.Fatalf("byte %d is %q", i, b)
					}
				}
			}
		})
	}
}

func TestBigEndianDword(t *testing.T) {
	// The sample's only REG_DWORD_BIG_ENDIAN is the default value of
	// SAM\Domains\Account\Aliases, stored resident with size 0x80000000:
	// no data at all. It must read as empty, not as the number 0.
	h, err := Open(context.Background(), filepath.Join(corpus, "EricZimmerman__Registry/SAM_hasBigEndianDWord"), nil)
	require.NoError(t, err)
	var found []string
	require.NoError(t, h.Walk("", func(k *Key, err error) error {
		require.NoError(t, err)
		for _, v := range k.Values {
			if v.Type != TypeDwordBigEndian {
				continue
			}
			found = append(found, k.Path+`\`+v.Name)
			require.Empty(t, v.Data)
			_, ok := v.Uint64()
			require.False(t, ok)
		}
		return nil
	}))
	require.Equal(t, []string{`SAM\Domains\Account\Aliases\`}, found)
	v := Value{Type: TypeDwordBigEndian, Data: []byte{0, 0, 1, 2}}
	n, ok := v.Uint64()
	require.True(t, ok)
	require.Equal(t, uint64(0x102), n)
}

func TestLastWriteFullPrecision(t *testing.T) {
	h, err := Open(context.Background(), filepath.Join(corpus, "msuhanov__yarp/UnicodeHive"), nil)
	require.NoError(t, err)
	k, err := h.Key(`Привет\Ключ`)
	require.NoError(t, err)
	// 100 ns ticks survive: the stored FILETIME ends in a non-zero digit.
	assert.Equal(t, time.Date(2017, 3, 5, 20, 30, 40, 180260800, time.UTC), k.LastWrite)
	assert.Equal(t, time.Date(2017, 3, 4, 16, 37, 31, 221622200, time.UTC), mustOpen(t, "msuhanov__yarp/EmptyHive").Info().LastWritten)
	assert.True(t, filetime(0).IsZero())
}

func mustOpen(t *testing.T, rel string) *Hive {
	t.Helper()
	h, err := Open(context.Background(), filepath.Join(corpus, rel), nil)
	require.NoError(t, err)
	return h
}

// patch returns a copy of data with v written at off.
func patch(data []byte, off int, v uint32) []byte {
	out := append([]byte(nil), data...)
	binary.LittleEndian.PutUint32(out[off:], v)
	return out
}

// fixChecksum recomputes a base block checksum after a patch.
func fixChecksum(data []byte) {
	binary.LittleEndian.PutUint32(data[508:], xor32(data))
}

// findSubkeyList returns the file offset of the subkey list cell of the
// key at path.
func findSubkeyList(t *testing.T, h *Hive, path string) int {
	t.Helper()
	off, _, err := h.lookup(path)
	require.NoError(t, err)
	k, err := h.keyNode(off)
	require.NoError(t, err)
	return baseBlockSize + int(k.subkeyList)
}

func TestSelfReferencingIndex(t *testing.T) {
	// yarp's OldDirtyHive, recovered by Windows 7, lists 4999 subkeys of
	// key_with_many_subkeys through an ri index root. Point the ri's
	// first element back at the ri itself: regparser's Subkeys() recurses
	// until the stack overflows; this reader must return an error.
	data := readTestFile(t, "msuhanov__yarp/OldDirtyHive/RecoveredHive_Windows7")
	h, err := FromBytes(context.Background(), data, nil, nil)
	require.NoError(t, err)
	ri := findSubkeyList(t, h, "key_with_many_subkeys")
	require.Equal(t, "ri", string(data[ri+4:ri+6]))

	tests := []struct {
		name   string
		target uint32 // new value of the ri's first element
		want   error
	}{
		{"ri points to itself", uint32(ri - baseBlockSize), ErrCorrupt},
		{"ri points to the nk", 0xFFFFFFF8, ErrCorrupt},
		{"ri points past the end", 0x7FFFFFF8, ErrCorrupt},
		{"ri points to an unaligned offset", 3, ErrCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bad := patch(data, ri+8, tc.target)
			if tc.target == 0xFFFFFFF8 {
				off, _, err := h.lookup("key_with_many_subkeys")
				require.NoError(t, err)
				bad = patch(data, ri+8, off)
			}
			h, err := FromBytes(context.Background(), bad, nil, nil)
			require.NoError(t, err)
			k, err := h.Key("key_with_many_subkeys")
			require.NoError(t, err)
			require.NotEmpty(t, k.Problems)
			require.ErrorIs(t, k.Problems[0], tc.want)
			_, err = h.Key(`key_with_many_subkeys\4000`)
			require.Error(t, err)
			walked := 0
			require.NoError(t, h.Walk("", func(k *Key, err error) error {
				walked++
				return nil
			}))
			require.Positive(t, walked)
		})
	}
}

func TestLimits(t *testing.T) {
	path := filepath.Join(corpus, "msuhanov__yarp/BigDataHive")
	_, err := Open(context.Background(), path, &Options{MaxHiveSize: 4096})
	require.ErrorIs(t, err, ErrTooLarge)

	h, err := Open(context.Background(), path, &Options{MaxValueSize: 20000})
	require.NoError(t, err)
	k, err := h.Key("key_with_bigdata")
	require.NoError(t, err)
	require.Len(t, k.Values, 1, "the 16345-byte value fits, the 81725-byte one does not")
	require.Len(t, k.Problems, 1)
	require.ErrorIs(t, k.Problems[0], ErrTooLarge)

	h, err = Open(context.Background(), filepath.Join(corpus, "msuhanov__yarp/OldDirtyHive/RecoveredHive_Windows7"), &Options{MaxSubkeys: 100})
	require.NoError(t, err)
	k, err = h.Key("key_with_many_subkeys")
	require.NoError(t, err)
	require.Len(t, k.Subkeys, 100)
	require.ErrorIs(t, k.Problems[0], ErrTooLarge)

	h, err = Open(context.Background(), filepath.Join(corpus, "williballenthin__python-registry/issue22.hive"), &Options{MaxValues: 3})
	require.NoError(t, err)
	k, err = h.Key("")
	require.NoError(t, err)
	require.Len(t, k.Values, 3)
	require.ErrorIs(t, k.Problems[0], ErrTooLarge)

	h, err = Open(context.Background(), filepath.Join(corpus, "msuhanov__yarp/UnicodeHive"), &Options{MaxDepth: 1})
	require.NoError(t, err)
	_, err = h.Key(`Привет\Ключ`)
	require.ErrorIs(t, err, ErrTooLarge)
	var deep []error
	require.NoError(t, h.Walk("", func(k *Key, err error) error {
		if err != nil {
			deep = append(deep, err)
		}
		return nil
	}))
	require.Len(t, deep, 1)
	require.ErrorIs(t, deep[0], ErrTooLarge)

	_, err = Open(context.Background(), filepath.Join(corpus, "msuhanov__yarp/NewDirtyHive1/NewDirtyHive"), &Options{MaxLogSize: 30000})
	require.NoError(t, err, "a log over the limit is refused, the hive still opens")
}

func TestBrokenInputs(t *testing.T) {
	good := readTestFile(t, "msuhanov__yarp/EmptyHive")
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrNotHive},
		{"regf only", []byte("regf"), ErrTruncated},
		{"base block only", good[:4096], ErrTruncated},
		{"bins size zero", func() []byte { b := patch(good, 40, 0); fixChecksum(b); return b }(), ErrBadBaseBlock},
		{"major version 2", func() []byte { b := patch(good, 20, 2); fixChecksum(b); return b }(), ErrBadBaseBlock},
		{"root past the end", func() []byte { b := patch(good, 36, 0x100000); fixChecksum(b); return b }(), ErrCorrupt},
		{"root in the hbin header", func() []byte { b := patch(good, 36, 0); fixChecksum(b); return b }(), ErrCorrupt},
		{"file type log", func() []byte { b := patch(good, 28, 6); fixChecksum(b); return b }(), ErrNotHive},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := FromBytes(context.Background(), tc.data, nil, nil)
			require.ErrorIs(t, err, tc.want)
			require.Nil(t, h)
			require.True(t, strings.HasPrefix(err.Error(), "hive: "), err.Error())
		})
	}
}

func TestOpenErrors(t *testing.T) {
	_, err := Open(context.Background(), filepath.Join(t.TempDir(), "missing"), nil)
	require.ErrorIs(t, err, os.ErrNotExist)
	require.True(t, errors.Is(err, os.ErrNotExist))
}

func TestSiblingLogNames(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(corpus, "msuhanov__yarp/NewDirtyHive1")
	for from, to := range map[string]string{"NewDirtyHive": "ndh", "NewDirtyHive.LOG1": "NDH.log1", "NewDirtyHive.LOG2": "ndh.Log2"} {
		data, err := os.ReadFile(filepath.Join(src, from))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, to), data, 0o600))
	}
	h, err := Open(context.Background(), filepath.Join(dir, "ndh"), nil)
	require.NoError(t, err)
	var names []string
	for _, a := range h.Recovery().Applied {
		names = append(names, a.Name)
	}
	require.Equal(t, []string{"NDH.log1", "ndh.Log2"}, names)
}

func Example() {
	h, err := Open(context.Background(), "../testdata/hive/msuhanov__yarp/NewDirtyHive1/NewDirtyHive", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	rec := h.Recovery()
	fmt.Println("dirty:", rec.Dirty, "recovered:", rec.Recovered)
	for _, l := range rec.Applied {
		fmt.Printf("%s: %s format, %d entries, %d pages\n", l.Name, l.Format, l.Entries, l.Pages)
	}
	k, err := h.Key(`KEY3\key3_1`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(k.Path, k.LastWrite.Format(time.RFC3339Nano), k.FromLog)
	// Output:
	// dirty: true recovered: true
	// NewDirtyHive.LOG1: new format, 1 entries, 1 pages
	// NewDirtyHive.LOG2: new format, 3 entries, 3 pages
	// Key3\Key3_1 2017-03-04T20:53:42.565503Z true
}

func TestDeepChain(t *testing.T) {
	// A chain 2000 keys deep: the default depth cap stops the walk with a
	// typed error; a raised cap walks it all.
	b := hivewriter.New()
	path := strings.Repeat(`k\`, 2000)
	b.Key(strings.TrimSuffix(path, `\`)).SetDword("leaf", 1)
	data, err := b.Bytes()
	require.NoError(t, err)
	for _, tc := range []struct {
		opts  *Options
		keys  int
		error bool
	}{
		{nil, DefaultMaxDepth + 1, true},
		{&Options{MaxDepth: 5000}, 2001, false},
		{&Options{MaxDepth: 1 << 40}, 2001, false},
	} {
		h, err := FromBytes(context.Background(), data, nil, tc.opts)
		require.NoError(t, err)
		keys, errs := 0, 0
		require.NoError(t, h.Walk("", func(k *Key, err error) error {
			if err != nil {
				require.ErrorIs(t, err, ErrTooLarge)
				errs++
				return nil
			}
			keys++
			return nil
		}))
		require.Equal(t, tc.keys, keys)
		require.Equal(t, tc.error, errs > 0)
	}
}
