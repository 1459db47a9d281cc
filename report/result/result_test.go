package result_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/report/result"
)

// Every problem code is kebab-case, unique, round-trips through its text
// form and is documented in report/schema.md.
func TestProblemCodes(t *testing.T) {
	schema, err := os.ReadFile("../schema.md")
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, c := range result.ProblemCodes() {
		name := c.String()
		assert.Regexp(t, `^[a-z0-9]+(-[a-z0-9]+)*$`, name)
		assert.False(t, seen[name], "duplicate %s", name)
		seen[name] = true
		assert.Containsf(t, string(schema), "| `"+name+"` |", "report/schema.md lists no code %s", name)
		var back result.ProblemCode
		require.NoError(t, back.UnmarshalText([]byte(name)))
		assert.Equal(t, c, back)
	}
	var c result.ProblemCode
	assert.Error(t, c.UnmarshalText([]byte("no-such-code")))
}

// The enums of a Result round-trip through JSON, the zero values included,
// and an unknown name is an error.
func TestEnumsRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   any
		out  any
		want string
	}{
		{"status", result.StatusPartial, new(result.Status), `"partial"`},
		{"zero status", result.Status(0), new(result.Status), `"unknown"`},
		{"severity", result.SeverityError, new(result.Severity), `"high"`},
		{"warning severity", result.SeverityWarning, new(result.Severity), `"medium"`},
		{"info severity", result.SeverityInfo, new(result.Severity), `"info"`},
		{"zero severity", result.Severity(0), new(result.Severity), `"unset"`},
		{"code", result.CodeLogUnreadable, new(result.ProblemCode), `"log-unreadable"`},
		{"zero code", result.CodeUnknown, new(result.ProblemCode), `"unknown"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := json.Marshal(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(data))
			require.NoError(t, json.Unmarshal(data, tt.out))
			assert.Equal(t, tt.in, deref(tt.out))
			assert.Error(t, json.Unmarshal([]byte(`"bogus"`), tt.out))
		})
	}
}

func deref(p any) any {
	switch v := p.(type) {
	case *result.Status:
		return *v
	case *result.Severity:
		return *v
	case *result.ProblemCode:
		return *v
	}
	return nil
}

// TestSummaryProblemParts: the summary counts problems proper, guesses and
// other files' damage apart, and the three add up to the problem list.
func TestSummaryProblemParts(t *testing.T) {
	r := &result.Result{Problems: []result.Problem{
		{File: "a.evtx", Severity: result.SeverityError, Code: result.CodeEVTXDamage},
		{File: "b.evtx", Severity: result.SeverityWarning, Code: result.CodeEVTXDamage},
		{File: "SOFTWARE", Severity: result.SeverityWarning, Code: result.CodeHostGuessed},
		{File: "SAM", Severity: result.SeverityInfo, Code: result.CodeEVTXDamage},
	}}
	s := result.NewSummary(r)
	assert.Equal(t, 2, s.Problems)
	assert.Equal(t, 1, s.Guesses)
	assert.Equal(t, 1, s.OtherFiles)
	assert.Equal(t, len(r.Problems), s.Problems+s.Guesses+s.OtherFiles)
}
