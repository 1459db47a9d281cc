package hive

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/internal/hivewriter"
)

// damagedServices builds a SYSTEM hive whose Services key lists the
// integration services named, with the subkey list entries of those in
// damaged pointed at vk cells (not key nodes): one damaged list.
func damagedServices(t *testing.T, services []string, damaged ...string) []byte {
	t.Helper()
	svc := map[string]uint32{}
	for _, s := range services {
		svc[s] = 3
	}
	b := hivewriter.SystemHive(hivewriter.System{ComputerName: "G1", Current: 1, Services: svc})
	data, layout, err := b.BytesLayout()
	require.NoError(t, err)
	var names []string
	for _, k := range b.Lookup(`ControlSet001\Services`).Subkeys() {
		names = append(names, strings.ToUpper(k.Name))
	}
	sort.Strings(names)
	vks := layout["SELECT"].Values
	targets := []uint32{vks["CURRENT"], vks["DEFAULT"], vks["LASTKNOWNGOOD"], vks["FAILED"]}
	require.LessOrEqual(t, len(damaged), len(targets))
	list := layout[`CONTROLSET001\SERVICES`].SubkeyList
	for i, name := range damaged {
		at := sort.SearchStrings(names, strings.ToUpper(name))
		require.Less(t, at, len(names), name)
		require.NoError(t, hivewriter.PointSubkey(data, list, at, targets[i]))
	}
	return data
}

// TestDamagedListIsOneProblem (issue 14 item 6): the damaged entries of
// one subkey list, and the integration services it makes unreadable, are
// one problem that names the first damage in full, counts the others and
// names the keys hidden; errors.Is and errors.As still reach the damage.
func TestDamagedListIsOneProblem(t *testing.T) {
	tests := []struct {
		name     string
		damaged  []string
		want     []string // in the problem's text
		problems int
	}{
		{"one entry", []string{"vmicvss"}, []string{
			`key ControlSet001\Services: offset 0x`, `not a key node`,
			`subkeys unreadable: vmickvpexchange, vmictimesync, vmicvss, vmicguestinterface and 2 others`}, 1},
		{"three entries", []string{"vmicheartbeat", "vmicshutdown", "vmicvss"}, []string{
			`key ControlSet001\Services: offset 0x`, `; 2 more damaged nk cells at 0x`,
			`subkeys unreadable: vmicheartbeat, vmickvpexchange, vmicshutdown, vmictimesync and 4 others`}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := damagedServices(t, []string{"vmicheartbeat", "vmicshutdown", "vmicvss"}, tt.damaged...)
			h, err := FromBytes(context.Background(), data, nil, nil)
			require.NoError(t, err)
			sf := ExtractSystemFacts(h, "SYSTEM")
			require.True(t, sf.IsSystem)
			require.Len(t, sf.Problems, tt.problems, "%q", sf.Problems)
			p := sf.Problems[0]
			for _, w := range tt.want {
				assert.Contains(t, p.Error(), w)
			}
			assert.Equal(t, 1, strings.Count(p.Error(), `ControlSet001\Services`), "the key is named once: %s", p)
			assert.ErrorIs(t, p, ErrCorrupt)
			var fe *FormatError
			require.ErrorAs(t, p, &fe)
			assert.Equal(t, "nk cell", fe.What, "the first damage")
			for _, name := range tt.damaged {
				svc, ok := sf.Service(name)
				require.True(t, ok)
				assert.False(t, svc.Present, "%s hidden by the damage", name)
			}
		})
	}
}

// TestKeyDamageAlone: a key with one damaged cell and nothing hidden
// reads as before the merge; lookups hidden by a list are one problem
// naming the others, kept apart from their parent's damage of another
// kind (which did not hide them).
func TestKeyDamageAlone(t *testing.T) {
	x := &extractor{file: "SYSTEM"}
	x.keyDamaged(`A\B`, &FormatError{Offset: 0x3000, What: "vk cell", Err: ErrCorrupt})
	for _, off := range []int64{0x5000, 0x5100} {
		x.keyDamaged(`C\D`, &FormatError{Offset: off, What: "vk cell", Err: ErrCorrupt})
	}
	inner := &FormatError{Offset: 0x4000, What: "nk cell", Err: ErrCorrupt}
	for _, p := range []string{`C\D\x`, `C\D\y`, `C\D\z`} {
		x.keyUnreadable(p, &FormatError{Offset: -1, What: "key " + p,
			Err: &nestedError{kind: ErrCorrupt, what: "unreadable: damaged subkey list in its parent", inner: inner}})
	}
	got := x.finish()
	require.Len(t, got, 3)
	assert.Equal(t, `key A\B: offset 0x3000 vk cell: corrupt`, detailOf(got[0]))
	assert.Equal(t, `key C\D: offset 0x5000 vk cell: corrupt; 1 more damaged vk cell at 0x5100`, detailOf(got[1]))
	assert.Equal(t, `key C\D\x: unreadable: damaged subkey list in its parent: offset 0x4000 nk cell: corrupt; also unreadable: C\D\y, C\D\z`, detailOf(got[2]))
	assert.ErrorIs(t, got[2], ErrCorrupt)
}
