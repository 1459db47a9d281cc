package hvic

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/kb"
)

func TestNameFromDN(t *testing.T) {
	tests := []struct{ dn, want string }{
		{"CN=HV01,OU=Hosts,DC=contoso,DC=local", "HV01.contoso.local"},
		{"cn=hv02, dc=example , dc=com", "hv02.example.com"},
		{"CN=WORKGROUPBOX", "WORKGROUPBOX"},
		{"OU=Hosts,DC=contoso,DC=local", ""},
		{`CN=Smith\, John,DC=x`, ""},
		{"CN=bad name,DC=x", ""},
		{"CN=HV03,DC=,DC=local", "HV03"},
		{"garbage", ""},
		{"", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, nameFromDN(tt.dn), tt.dn)
	}
}

// The scan reads exactly kb's catalogue: one key per catalogue entry, and
// each (provider, ID) the table classifies is selected.
func TestEventKeysAreKBsCatalogue(t *testing.T) {
	table := kb.Default()
	keys := eventKeys(table)
	cat := table.EventKeys()
	require.Len(t, keys, len(cat))
	for i, e := range cat {
		assert.Equal(t, e.Provider, keys[i].Provider)
		assert.Equal(t, e.Prefix, keys[i].Prefix)
		assert.EqualValues(t, e.EventID, keys[i].ID)
		provider := e.Provider
		if e.Prefix {
			provider += "-Heartbeat"
		}
		assert.True(t, keys[i].Matches(provider, uint16(e.EventID)))
		assert.NotEqual(t, kb.EventUnknown, table.Classify(provider, e.EventID))
	}
	o := (&Options{}).withDefaults()
	assert.Equal(t, keys, o.events)
}
