package benchgen

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/internal/evtxwriter"
)

func TestSpread(t *testing.T) {
	tests := []struct {
		n, records int
		want       []int
	}{
		{0, 10, nil},
		{3, 0, nil},
		{1, 10, []int{5}},
		{2, 10, []int{0, 9}},
		{3, 101, []int{0, 50, 100}},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, Spread(tc.n, tc.records), "%d over %d", tc.n, tc.records)
	}
}

func TestGenerate(t *testing.T) {
	classic := evtxwriter.Classic
	tests := []struct {
		name string
		o    Options
		recs int
		ic   []int
	}{
		{"noise only", Options{Records: 50, Seed: 1}, 50, nil},
		{"IC alone", Options{IC: []int{0, 1}}, 2, []int{0, 1}},
		{"IC among noise", Options{Records: 100, IC: []int{0, 50, 99}, Seed: 2}, 100, []int{0, 50, 99}},
		{"IC appended", Options{Records: 10, IC: []int{12}, Seed: 3}, 13, []int{12}},
		{"forced classic", Options{Records: 20, IC: []int{3}, Seed: 4, Layout: &classic}, 20, []int{3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, locs, ic, err := Generate(tc.o)
			require.NoError(t, err)
			assert.Len(t, locs, tc.recs)
			assert.Equal(t, tc.ic, ic)
			assert.Equal(t, "ElfFile\x00", string(b[:8]))
			again, _, _, err := Generate(tc.o)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(b, again), "deterministic")
		})
	}
	_, _, _, err := Generate(Options{})
	require.Error(t, err)
}

func TestNoiseNamesNoRelevantProvider(t *testing.T) {
	b, err := Bytes(Options{Records: 400, Seed: 9})
	require.NoError(t, err)
	for _, name := range []string{"Hyper-V", "storvsp", "VMSMP"} {
		for _, enc := range [][]byte{[]byte(name), utf16(name)} {
			assert.False(t, bytes.Contains(bytes.ToLower(b), bytes.ToLower(enc)), name)
		}
	}
}

func utf16(s string) []byte {
	var out []byte
	for _, c := range []byte(s) {
		out = append(out, c, 0)
	}
	return out
}

func TestCached(t *testing.T) {
	calls := 0
	gen := func() ([]byte, error) { calls++; return []byte("content"), nil }
	version := "test-" + filepath.Base(t.TempDir())
	t.Cleanup(func() {
		if err := os.RemoveAll(filepath.Join(os.TempDir(), "hvic-benchgen", version)); err != nil {
			t.Error(err)
		}
	})
	p1, err := Cached("a.bin", version, gen)
	require.NoError(t, err)
	p2, err := Cached("a.bin", version, gen)
	require.NoError(t, err)
	assert.Equal(t, p1, p2)
	assert.Equal(t, 1, calls, "generated once")
	got, err := os.ReadFile(p1)
	require.NoError(t, err)
	assert.Equal(t, "content", string(got))
}

// TestHyperVHostNoise checks the realistic Hyper-V host log's shape on a
// small copy: every chunk names the Hyper-V prefix (so the chunk filter
// passes each one), VmSwitch 232/233/234 and the Hypervisor are there, and
// the IC records sit where they were asked for.
func TestHyperVHostNoise(t *testing.T) {
	o := HyperVHost()
	assert.Equal(t, RecordsHyperVHost, o.Records)
	assert.Len(t, o.IC, 40)
	o.Records, o.IC = 3000, Spread(4, 3000)
	b, locs, ic, err := Generate(o)
	require.NoError(t, err)
	assert.Equal(t, o.IC, ic)
	chunks := locs[len(locs)-1].Chunk + 1
	require.Greater(t, chunks, 5)
	for c := 0; c < chunks; c++ {
		chunk := b[4096+c*65536 : 4096+(c+1)*65536]
		assert.True(t, bytes.Contains(chunk, utf16("Microsoft-Windows-Hyper-V-")), "chunk %d", c)
	}
	for _, name := range []string{"Microsoft-Windows-Hyper-V-VmSwitch", "Microsoft-Windows-Hyper-V-Hypervisor"} {
		assert.True(t, bytes.Contains(b, utf16(name)), name)
	}
	again, err := Bytes(o)
	require.NoError(t, err)
	assert.Equal(t, b, again, "deterministic")
}
