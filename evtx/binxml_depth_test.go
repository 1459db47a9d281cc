package evtx

import (
	"testing"

	gevtx "github.com/0xrawsec/golang-evtx/evtx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deepNode is a chain of n nested elements.
func deepNode(n int) *gevtx.Node {
	root := &gevtx.Node{}
	cur := root
	for i := 0; i < n; i++ {
		c := &gevtx.Node{Start: &gevtx.ElementStart{}}
		cur.Child = append(cur.Child, c)
		cur = c
	}
	return root
}

// TestTreeDepthCap: converting an element tree nested deeper than
// maxTreeDepth stops there and marks the record, without a panic; a tree
// at the cap converts whole.
func TestTreeDepthCap(t *testing.T) {
	for _, tt := range []struct {
		depth int
		deep  bool
	}{{maxTreeDepth, false}, {maxTreeDepth + 1, true}, {100000, true}} {
		d := &decoder{br: &budgetReader{left: 1 << 40}}
		parent := &xnode{}
		require.NotPanics(t, func() { d.node(parent, &gevtx.TemplateInstance{}, deepNode(tt.depth), 0) })
		assert.Equal(t, tt.deep, d.tooDeep, "depth %d", tt.depth)
		levels := 0
		for n := parent; len(n.children) > 0; n = n.children[0] {
			levels++
		}
		if tt.deep {
			assert.LessOrEqual(t, levels, maxTreeDepth, "depth %d", tt.depth)
		} else {
			assert.Equal(t, tt.depth, levels)
		}
	}
}
