package hvic_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/kb"
)

// TestReadmeWhatToCollect: README's "What to collect" section gives every
// command of kb's checklist verbatim, on the side it runs on.
func TestReadmeWhatToCollect(t *testing.T) {
	b, err := os.ReadFile("README.md")
	require.NoError(t, err)
	_, sec, ok := strings.Cut(string(b), "## What to collect\n")
	require.True(t, ok, "README has a What to collect section")
	sec, _, _ = strings.Cut(sec, "\n## ")
	host, guest, ok := strings.Cut(sec, "In each guest")
	require.True(t, ok)
	cmds := kb.Default().Commands()
	require.NotEmpty(t, cmds)
	for _, c := range cmds {
		side := map[string]string{"host": host, "guest": guest}[c.Side]
		assert.Contains(t, side, "    "+c.Line+"\n", c.ID)
	}
}
