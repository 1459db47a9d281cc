package report

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

// Every interface text exists in both languages, and every problem code
// the scan emits has a label.
func TestMessagesBilingual(t *testing.T) {
	for key, m := range msg {
		assert.NotEmpty(t, m[0], key)
		assert.NotEmpty(t, m[1], key)
	}
	for _, c := range result.ProblemCodes() {
		code := c.String()
		_, labelled := msg["code."+code]
		assert.True(t, labelled || strings.HasPrefix(code, "evtx-"), "%s has a label", code)
		assert.NotEqual(t, code, codeLabel("ja", code), code)
		assert.NotEmpty(t, codeLabel("en", code), code)
	}
	for c := kb.CaseMatch; c <= kb.CaseHostUnversioned; c++ {
		assert.False(t, strings.HasPrefix(caseLabel("ja", c), "case."), c.String())
	}
	for a := kb.ActionNone; a <= kb.ActionInvestigate; a++ {
		assert.False(t, strings.HasPrefix(actionLabel("ja", a), "action."), a.String())
	}
	for m := kb.MissingHost; m <= kb.MissingVMID; m++ {
		assert.False(t, strings.HasPrefix(missingLabel("en", m), "missing."), m.String())
	}
	for in, want := range map[string]string{"": "en", "en": "en", "en-US": "en", "ja": "ja", "ja-JP": "ja", "JA_jp": "ja"} {
		got, err := normLang(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"fr", "japanese", "e", "de-DE"} {
		_, err := normLang(in)
		assert.ErrorIs(t, err, ErrLang, in)
	}
}
