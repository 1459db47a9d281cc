package hive

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hvic/hvic/internal/hivewriter"
	"github.com/hvic/hvic/internal/marvin"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const corpus = "../testdata/hive"

// readTestFile reads a testdata file, gunzipping *.gz.
func readTestFile(t testing.TB, rel string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpus, rel))
	require.NoError(t, err)
	if strings.HasSuffix(rel, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		require.NoError(t, err)
		data, err = io.ReadAll(zr)
		require.NoError(t, err)
		require.NoError(t, zr.Close())
	}
	return data
}

// snapshot is everything compared between two trees for one key.
type snapshot struct {
	lastWrite time.Time
	values    []Value
	subkeys   []string
}

// tree walks a whole hive into path -> snapshot, failing on any error.
func tree(t *testing.T, h *Hive) map[string]snapshot {
	t.Helper()
	out := make(map[string]snapshot)
	require.NoError(t, h.Walk("", func(k *Key, err error) error {
		require.NoError(t, err)
		require.Empty(t, k.Problems, k.Path)
		out[k.Path] = snapshot{lastWrite: k.LastWrite, values: k.Values, subkeys: k.Subkeys}
		return nil
	}))
	return out
}

func requireSameTree(t *testing.T, want, got map[string]snapshot) {
	t.Helper()
	require.Equal(t, len(want), len(got), "key count")
	for path, w := range want {
		g, ok := got[path]
		require.True(t, ok, "key %q missing after replay", path)
		require.Equal(t, w.lastWrite, g.lastWrite, "last write of %q", path)
		require.Equal(t, w.subkeys, g.subkeys, "subkeys of %q", path)
		require.Equal(t, len(w.values), len(g.values), "values of %q", path)
		for i := range w.values {
			require.Equal(t, w.values[i].Name, g.values[i].Name, "value %d of %q", i, path)
			require.Equal(t, w.values[i].Type, g.values[i].Type, "type of %q\\%s", path, w.values[i].Name)
			require.Equal(t, w.values[i].Data, g.values[i].Data, "data of %q\\%s", path, w.values[i].Name)
		}
	}
}

func TestReplayMatchesWindows(t *testing.T) {
	tests := []struct {
		name      string
		hive      string
		recovered string
		format    LogFormat
		applied   []string
		entries   int
		pages     int
		lastSeq   uint32
		gone      string // key present before replay, absent after
		added     string // key absent before replay, present after
	}{
		{
			name: "new format, two logs", hive: "msuhanov__yarp/NewDirtyHive1/NewDirtyHive",
			recovered: "msuhanov__yarp/NewDirtyHive1/RecoveredHive_Windows10",
			format:    LogNew, applied: []string{"NewDirtyHive.LOG1", "NewDirtyHive.LOG2"},
			entries: 4, pages: 4, lastSeq: 5, gone: `Key2\Key2_1`, added: `key3\key3_3`,
		},
		{
			name: "old format", hive: "msuhanov__yarp/OldDirtyHive/OldDirtyHive",
			recovered: "msuhanov__yarp/OldDirtyHive/RecoveredHive_Windows7",
			format:    LogOld, applied: []string{"OldDirtyHive.LOG1"},
			entries: 0, pages: 64, lastSeq: 5, gone: `key_with_many_subkeys\1`, added: `key_with_many_subkeys\5000\find_me_in_log`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stale, err := Open(context.Background(), filepath.Join(corpus, tc.hive), &Options{NoReplay: true})
			require.NoError(t, err)
			require.True(t, stale.Recovery().Dirty)
			require.False(t, stale.Recovery().Recovered)
			_, err = stale.Key(tc.gone)
			require.NoError(t, err)
			_, err = stale.Key(tc.added)
			require.ErrorIs(t, err, ErrKeyNotFound)

			h, err := Open(context.Background(), filepath.Join(corpus, tc.hive), nil)
			require.NoError(t, err)
			rec := h.Recovery()
			require.True(t, rec.Dirty)
			require.True(t, rec.Recovered)
			require.False(t, rec.BaseBlockRestored)
			var names []string
			entries, pages := 0, 0
			for _, a := range rec.Applied {
				names = append(names, a.Name)
				assert.Equal(t, tc.format, a.Format)
				entries += a.Entries
				pages += a.Pages
			}
			require.Equal(t, tc.applied, names)
			require.Equal(t, tc.entries, entries)
			require.Equal(t, tc.pages, pages)
			require.Equal(t, tc.pages, rec.PagesApplied())
			require.Equal(t, tc.lastSeq, rec.Applied[len(rec.Applied)-1].LastSequence)
			require.Empty(t, h.Problems())

			_, err = h.Key(tc.gone)
			require.ErrorIs(t, err, ErrKeyNotFound)
			k, err := h.Key(tc.added)
			require.NoError(t, err)
			require.True(t, k.FromLog, "a key written by replay says so")

			want, err := Open(context.Background(), filepath.Join(corpus, tc.recovered), nil)
			require.NoError(t, err)
			require.False(t, want.Recovery().Dirty)
			requireSameTree(t, tree(t, want), tree(t, h))
		})
	}
}

func TestReplayNewDirtyHive2(t *testing.T) {
	// Windows applies only .LOG2 here: .LOG1 starts before the base's
	// sequence number (yarp's test_dirty_new2).
	h, err := Open(context.Background(), filepath.Join(corpus, "msuhanov__yarp/NewDirtyHive2/NewDirtyHive"), nil)
	require.NoError(t, err)
	rec := h.Recovery()
	require.Len(t, rec.Applied, 1)
	require.Equal(t, "NewDirtyHive.LOG2", rec.Applied[0].Name)
	require.Equal(t, uint32(5), rec.Applied[0].LastSequence)
	require.Len(t, rec.Refused, 1)
	require.Equal(t, "NewDirtyHive.LOG1", rec.Refused[0].Name)
	require.ErrorIs(t, rec.Refused[0].Err, ErrBadLog)
	require.Empty(t, h.Problems(), "a stale log is normal, not damage")
}

func TestReplayBadLogsFallBack(t *testing.T) {
	h, err := Open(context.Background(), filepath.Join(corpus, "msuhanov__yarp/BadLogHive3/BadLogHive"), nil)
	require.NoError(t, err)
	rec := h.Recovery()
	require.True(t, rec.Dirty)
	require.False(t, rec.Recovered)
	require.Empty(t, rec.Applied)
	require.Len(t, rec.Refused, 2)
	probs := h.Problems()
	require.Len(t, probs, 3)
	require.ErrorIs(t, probs[2], ErrStale, "the caller learns the hive is read stale")
	for _, p := range probs[:2] {
		require.ErrorIs(t, p, ErrBadLog)
		var fe *FormatError
		require.ErrorAs(t, p, &fe)
		require.Contains(t, fe.File, "BadLogHive.LOG")
	}
	// The base hive is still read.
	root, err := h.Key("")
	require.NoError(t, err)
	require.NotEmpty(t, root.Subkeys)
}

func TestReplayRestoresBadBaseBlock(t *testing.T) {
	stale, err := Open(context.Background(), filepath.Join(corpus, "msuhanov__yarp/BadBaseBlockHive/BadBaseBlockHive"), &Options{NoReplay: true})
	require.NoError(t, err)
	require.NotEmpty(t, stale.Problems())
	require.ErrorIs(t, stale.Problems()[0], ErrBadBaseBlock)

	h, err := Open(context.Background(), filepath.Join(corpus, "msuhanov__yarp/BadBaseBlockHive/BadBaseBlockHive"), nil)
	require.NoError(t, err)
	rec := h.Recovery()
	require.True(t, rec.BaseBlockRestored)
	require.True(t, rec.Recovered)
	require.Len(t, rec.Applied, 1)
	require.Equal(t, "BadBaseBlockHive.LOG1", rec.Applied[0].Name)
	require.Equal(t, LogOld, rec.Applied[0].Format)
	require.Equal(t, uint32(3), h.Info().Minor, "version taken from the log's header, as in yarp's test_bad_baseblock")
	require.Empty(t, h.Problems())
	k, err := h.Key("key_with_many_subkeys")
	require.NoError(t, err)
	require.Equal(t, 4999, len(k.Subkeys), "the log deletes key 1, as in OldDirtyHive")
	_, err = h.Key(`key_with_many_subkeys\5000\find_me_in_log`)
	require.NoError(t, err)
}

// regipyLog is a gzipped log of the regipy test data.
func regipyLogs(t *testing.T, names ...string) []LogFile {
	var logs []LogFile
	for _, n := range names {
		logs = append(logs, LogFile{Name: strings.TrimSuffix(n, ".gz"), Data: readTestFile(t, "regipy/"+n)})
	}
	return logs
}

// allHvLEPages counts the dirty page references of every well-formed HvLE
// entry in a log, valid or stale: what regipy's apply_transaction_logs
// counts (it checks neither hashes nor sequence numbers).
func allHvLEPages(d []byte) int {
	n := 0
	for off := int64(logHeaderSize); int64(len(d))-off >= 40 && string(d[off:off+4]) == "HvLE"; {
		size := int64(le.Uint32(d[off+4:]))
		if size < 512 || size > int64(len(d))-off {
			break
		}
		n += int(le.Uint32(d[off+20:]))
		off += size
	}
	return n
}

func TestReplayRegipy(t *testing.T) {
	tests := []struct {
		name      string
		hive      string
		logs      []string
		regipy    int // regipy_tests/tests.py recovered_dirty_pages_count
		newKeys   int // regipy's compare_hives "new_subkey" count
		tolerance int
	}{
		// 2472 here: regipy drops keys its get_key cannot reopen (1%).
		{"SYSTEM_B", "SYSTEM_B.gz", []string{"SYSTEM_B.LOG1.gz", "SYSTEM_B.LOG2.gz"}, 315, 2458, 25},
		{"NTUSER", "transactions_NTUSER.DAT.gz", []string{"transactions_ntuser.dat.log1.gz"}, 132, 527, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // independent hives, each read on its own
			base := readTestFile(t, "regipy/"+tc.hive)
			logs := regipyLogs(t, tc.logs...)
			total := 0
			for _, l := range logs {
				total += allHvLEPages(l.Data)
			}
			require.Equal(t, tc.regipy, total, "regipy's page count: every HvLE entry's page references")

			h, err := FromBytes(context.Background(), base, logs, nil)
			require.NoError(t, err)
			rec := h.Recovery()
			require.True(t, rec.Dirty)
			require.True(t, rec.Recovered)
			require.NotEmpty(t, rec.Applied)
			require.Equal(t, tc.regipy, rec.PagesApplied(), "every entry is valid and in sequence here")
			require.Empty(t, h.Problems())

			// Sequence numbers run without a gap across the logs applied.
			next := rec.Applied[0].Sequence
			for _, a := range rec.Applied {
				require.Equal(t, next, a.Sequence, a.Name)
				require.Equal(t, a.Sequence+uint32(a.Entries)-1, a.LastSequence, a.Name)
				next = a.LastSequence + 1
			}

			// regipy's compare_hives reports new_subkey differences in both
			// directions; it skips keys its get_key cannot reopen, so on
			// SYSTEM_B its total is a little lower.
			stale, err := FromBytes(context.Background(), base, nil, nil)
			require.NoError(t, err)
			before := tree(t, stale)
			after := tree(t, h)
			diff := 0
			for p := range after {
				if _, ok := before[p]; !ok {
					diff++
				}
			}
			for p := range before {
				if _, ok := after[p]; !ok {
					diff++
				}
			}
			t.Logf("keys added or removed by replay: %d (regipy: %d)", diff, tc.newKeys)
			require.InDelta(t, tc.newKeys, diff, float64(tc.tolerance))
		})
	}
}

func TestOpenFSFindsLowerCaseLogs(t *testing.T) {
	fsys := fstest.MapFS{
		"x/transactions_NTUSER.DAT":       {Data: readTestFile(t, "regipy/transactions_NTUSER.DAT.gz")},
		"x/transactions_ntuser.dat.log1":  {Data: readTestFile(t, "regipy/transactions_ntuser.dat.log1.gz")},
		"x/transactions_ntuser.dat.log2":  {Data: readTestFile(t, "regipy/transactions_ntuser.dat.log2.gz")},
		"x/transactions_ntuser.dat.other": {Data: []byte("not a log")},
	}
	h, err := OpenFS(context.Background(), fsys, "x/transactions_NTUSER.DAT", nil)
	require.NoError(t, err)
	rec := h.Recovery()
	require.True(t, rec.Recovered)
	var seen []string
	for _, l := range append(rec.Applied, rec.Refused...) {
		seen = append(seen, l.Name)
	}
	require.ElementsMatch(t, []string{"transactions_ntuser.dat.log1", "transactions_ntuser.dat.log2"}, seen)
	require.Equal(t, "transactions_NTUSER.DAT", h.Name())
}

// threeSteps builds a dirty hive and a .LOG1 of three HvLE entries, each
// setting Auto\IntegrationServicesVersion to the next version.
func threeSteps(t *testing.T) (base, log []byte, versions []string) {
	t.Helper()
	b := hivewriter.New()
	b.Sequence = 10
	auto := `Microsoft\Virtual Machine\Auto`
	b.Key(auto).SetString("IntegrationServicesVersion", "6.1.7601.17514")
	versions = []string{"6.1.7601.17514", "6.2.9200.16384", "6.3.9600.16384", "6.3.9600.18692"}
	var steps []func(*hivewriter.Builder)
	for _, v := range versions[1:] {
		v := v
		steps = append(steps, func(b *hivewriter.Builder) { b.Key(auto).SetString("IntegrationServicesVersion", v) })
	}
	base, log, err := b.DirtySteps(steps...)
	require.NoError(t, err)
	return base, log, versions
}

// entryOffsets lists the file offsets of the HvLE entries of a log.
func entryOffsets(log []byte) []int {
	var out []int
	for off := logHeaderSize; off+40 <= len(log) && string(log[off:off+4]) == "HvLE"; off += int(le.Uint32(log[off+4:])) {
		out = append(out, off)
	}
	return out
}

func TestReplayStopsAtFirstInvalidEntry(t *testing.T) {
	base, log, versions := threeSteps(t)
	offs := entryOffsets(log)
	require.Len(t, offs, 3)
	tests := []struct {
		name    string
		mutate  func(l []byte) []byte
		entries int
		stop    string // in the Stop error; "" for a clean end
	}{
		{"all valid", func(l []byte) []byte { return l }, 3, ""},
		{"hash-1 of entry 2", func(l []byte) []byte { l[offs[1]+len(l[offs[1]:offs[2]])-1] ^= 1; return l }, 1, "hash-1"},
		{"hash-2 of entry 3", func(l []byte) []byte { l[offs[2]+8] ^= 1; return l }, 2, "hash-2"},
		{"zero size entry 2", func(l []byte) []byte { le.PutUint32(l[offs[1]+4:], 0); return l }, 1, "entry size 0"},
		{"entry 2 too long", func(l []byte) []byte { le.PutUint32(l[offs[1]+4:], 1<<30); return l }, 1, "entry size"},
		{"stale garbage after entry 3", func(l []byte) []byte { return append(l, make([]byte, 1024)...) }, 3, "no HvLE signature"},
		{"cut inside entry 3", func(l []byte) []byte { return l[:offs[2]+100] }, 2, "entry size"},
		{"first entry's sequence wrong", func(l []byte) []byte {
			le.PutUint32(l[offs[0]+12:], 99)
			le.PutUint64(l[offs[0]+32:], marvinSum(l[offs[0]:offs[0]+32]))
			return l
		}, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := tc.mutate(append([]byte(nil), log...))
			h, err := FromBytes(context.Background(), base, []LogFile{{Name: "SOFTWARE.LOG1", Data: l}}, nil)
			require.NoError(t, err, "a bad log never fails the open")
			k, err := h.Key(`Microsoft\Virtual Machine\Auto`)
			require.NoError(t, err)
			v, ok := k.Value("IntegrationServicesVersion")
			require.True(t, ok)
			s, ok := v.Text()
			require.True(t, ok)
			require.Equal(t, versions[tc.entries], s, "the state after the last valid entry")
			rec := h.Recovery()
			if tc.entries == 0 {
				require.False(t, rec.Recovered)
				require.Len(t, rec.Refused, 1)
				require.ErrorIs(t, rec.Refused[0].Err, ErrBadLog)
				require.Len(t, h.Problems(), 2)
				require.ErrorIs(t, h.Problems()[0], ErrBadLog)
				require.ErrorIs(t, h.Problems()[1], ErrStale)
				return
			}
			require.Len(t, rec.Applied, 1)
			require.Equal(t, tc.entries, rec.Applied[0].Entries)
			require.Equal(t, uint32(10+tc.entries-1), rec.Applied[0].LastSequence)
			if tc.stop == "" {
				require.NoError(t, rec.Applied[0].Stop)
			} else {
				require.ErrorIs(t, rec.Applied[0].Stop, ErrBadLog)
				require.Contains(t, rec.Applied[0].Stop.Error(), tc.stop)
			}
		})
	}
}

func TestReplaySplitAcrossLogs(t *testing.T) {
	// Entries 10 and 11 in one log, 12 in the other (whose header says 12):
	// applied in sequence order whatever the names, as Windows does.
	base, log, versions := threeSteps(t)
	offs := entryOffsets(log)
	first := append([]byte(nil), log[:offs[2]]...)
	second := append(append([]byte(nil), log[:logHeaderSize]...), log[offs[2]:]...)
	le.PutUint32(second[4:], 12)
	le.PutUint32(second[8:], 12)
	le.PutUint32(second[508:], xor32(second))
	for _, order := range [][]LogFile{
		{{Name: "S.LOG1", Data: first}, {Name: "S.LOG2", Data: second}},
		{{Name: "S.LOG1", Data: second}, {Name: "S.LOG2", Data: first}},
	} {
		h, err := FromBytes(context.Background(), base, order, nil)
		require.NoError(t, err)
		rec := h.Recovery()
		require.Len(t, rec.Applied, 2)
		require.Equal(t, 2, rec.Applied[0].Entries)
		require.Equal(t, 1, rec.Applied[1].Entries)
		k, err := h.Key(`Microsoft\Virtual Machine\Auto`)
		require.NoError(t, err)
		v, ok := k.Value("IntegrationServicesVersion")
		require.True(t, ok)
		s, ok := v.Text()
		require.True(t, ok)
		require.Equal(t, versions[3], s)
	}
	// A gap (the second log starts at 13): only the first log applies.
	le.PutUint32(second[4:], 13)
	le.PutUint32(second[8:], 13)
	le.PutUint32(second[508:], xor32(second))
	h, err := FromBytes(context.Background(), base, []LogFile{{Name: "S.LOG1", Data: first}, {Name: "S.LOG2", Data: second}}, nil)
	require.NoError(t, err)
	require.Len(t, h.Recovery().Applied, 1)
	require.Len(t, h.Recovery().Refused, 1)
}

func TestReplayNotNeeded(t *testing.T) {
	// A clean hive ignores its logs; NoReplay leaves a dirty one stale.
	base, log, versions := threeSteps(t)
	clean := append([]byte(nil), base...)
	le.PutUint32(clean[4:], le.Uint32(clean[8:]))
	le.PutUint32(clean[508:], xor32(clean))
	for _, tc := range []struct {
		name string
		data []byte
		opts *Options
	}{
		{"clean", clean, nil},
		{"NoReplay", base, &Options{NoReplay: true}},
	} {
		h, err := FromBytes(context.Background(), tc.data, []LogFile{{Name: "S.LOG1", Data: log}}, tc.opts)
		require.NoError(t, err)
		require.False(t, h.Recovery().Recovered, tc.name)
		if tc.opts != nil {
			require.Len(t, h.Problems(), 1)
			require.ErrorIs(t, h.Problems()[0], ErrStale)
		} else {
			require.Empty(t, h.Problems())
		}
		k, err := h.Key(`Microsoft\Virtual Machine\Auto`)
		require.NoError(t, err)
		v, ok := k.Value("IntegrationServicesVersion")
		require.True(t, ok)
		s, ok := v.Text()
		require.True(t, ok)
		require.Equal(t, versions[0], s, tc.name)
		require.False(t, k.FromLog)
	}
}

func marvinSum(b []byte) uint64 { return marvin.Sum64(marvin.RegistrySeed, b) }

func TestReplaySingleLogScheme(t *testing.T) {
	// dfwinreg's NTUSER.DAT (sequence 132, clean) comes with a single
	// new-format NTUSER.DAT.LOG holding entry 131, already flushed. Marked
	// dirty at 133/132 the log is stale and refused; at 133/131 it applies,
	// and since its pages are already in the file the tree is unchanged.
	data := readTestFile(t, "log2timeline__dfwinreg/NTUSER.DAT")
	log := readTestFile(t, "log2timeline__dfwinreg/NTUSER.DAT.LOG")
	clean, err := FromBytes(context.Background(), data, nil, nil)
	require.NoError(t, err)
	want := tree(t, clean)
	tests := []struct {
		secondary uint32
		applied   bool
	}{
		{132, false},
		{131, true},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.secondary), func(t *testing.T) {
			b := patch(patch(data, 8, tc.secondary), 4, 133)
			fixChecksum(b)
			h, err := FromBytes(context.Background(), b, []LogFile{{Name: "NTUSER.DAT.LOG", Data: log}}, nil)
			require.NoError(t, err)
			rec := h.Recovery()
			require.True(t, rec.Dirty)
			require.Equal(t, tc.applied, rec.Recovered)
			if tc.applied {
				require.Len(t, rec.Applied, 1)
				require.Equal(t, uint32(131), rec.Applied[0].LastSequence)
				require.Empty(t, h.Problems())
			} else {
				require.Len(t, rec.Refused, 1)
				require.Contains(t, rec.Refused[0].Err.Error(), "stale")
				require.Len(t, h.Problems(), 1)
				require.ErrorIs(t, h.Problems()[0], ErrStale)
			}
			requireSameTree(t, want, tree(t, h))
		})
	}
}
