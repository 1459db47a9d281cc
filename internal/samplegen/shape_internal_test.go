package samplegen

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestShape: a known shape name gives its shape; an unknown one is an
// error, not a panic.
func TestShape(t *testing.T) {
	s, err := shape("2012R2")
	require.NoError(t, err)
	assert.Equal(t, "2012R2", s.Name)
	_, err = shape("no-such-shape")
	assert.ErrorContains(t, err, `no shape "no-such-shape"`)
}
