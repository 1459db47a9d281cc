package kb

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCollectCoversMissing: every kind of missing evidence Evaluate reports
// has at least one command, with both languages' texts.
func TestCollectCoversMissing(t *testing.T) {
	tab := Default()
	for m := MissingHost; m <= MissingVMID; m++ {
		if m == MissingAutoTime { // no longer reported
			continue
		}
		cmds := tab.Collect(m)
		require.NotEmpty(t, cmds, m.String())
		for _, c := range cmds {
			assert.Contains(t, c.Missing, m)
			for _, lang := range []string{"en", "ja"} {
				assert.NotEmpty(t, c.Text(lang).Title, "%s %s", c.ID, lang)
				assert.NotEmpty(t, c.Text(lang).Description, "%s %s", c.ID, lang)
			}
		}
	}
	assert.Nil(t, tab.Collect(Missing(0)))
}

// TestCollectCommands: the commands, word for word.
func TestCollectCommands(t *testing.T) {
	want := map[Missing][]string{
		MissingGuestRegistry: {
			`reg query "HKLM\SOFTWARE\Microsoft\Virtual Machine" /s > <vm>-vm.txt`,
			`reg save HKLM\SOFTWARE <vm>-SOFTWARE.hiv`,
			`Get-VM | Select-Object Name,VMId,State,IntegrationServicesVersion,IntegrationServicesState | Export-Csv <host>-vms.csv -NoTypeInformation`,
		},
		MissingIntegrationLog: {`wevtutil epl Microsoft-Windows-Hyper-V-Integration-Admin <host>-integration-admin.evtx`},
		MissingSystemLog:      {`wevtutil epl System <host>-system.evtx`},
		MissingHostRegistry:   {`reg save HKLM\SOFTWARE <host>-SOFTWARE.hiv`},
		MissingGuestOS:        {`reg save HKLM\SOFTWARE <vm>-SOFTWARE.hiv`, `reg save HKLM\SYSTEM <vm>-SYSTEM.hiv`},
	}
	for m, lines := range want {
		var got []string
		for _, c := range Default().Collect(m) {
			got = append(got, c.Line)
		}
		assert.Equal(t, lines, got, m.String())
	}
}

func TestCommandFor(t *testing.T) {
	c := Default().Collect(MissingIntegrationLog)[0]
	assert.Equal(t, "host", c.Side)
	assert.Equal(t, "evtx", c.Reads)
	assert.Equal(t, "wevtutil epl Microsoft-Windows-Hyper-V-Integration-Admin HV01.contoso.local-integration-admin.evtx", c.For("HV01.contoso.local", ""))
	assert.Equal(t, "wevtutil epl Microsoft-Windows-Hyper-V-Integration-Admin HV_01_x-integration-admin.evtx", c.For(`HV 01"x`, "vm"))
	assert.Equal(t, c.Line, c.For("", ""))
	// Copies: a caller cannot change the table.
	c.Missing[0] = MissingVMID
	assert.Equal(t, MissingIntegrationLog, Default().Collect(MissingIntegrationLog)[0].Missing[0])
}

// TestLoadCollectInvalid: Load rejects a bad collect entry.
func TestLoadCollectInvalid(t *testing.T) {
	good := func() map[string]any {
		var m map[string]any
		require.NoError(t, json.Unmarshal(embedded, &m))
		return m
	}
	entry := func(m map[string]any) map[string]any {
		return m["collect"].([]any)[0].(map[string]any)
	}
	tests := []struct {
		name   string
		change func(map[string]any)
	}{
		{"side", func(m map[string]any) { entry(m)["side"] = "vm" }},
		{"shell", func(m map[string]any) { entry(m)["shell"] = "bash" }},
		{"no command", func(m map[string]any) { entry(m)["command"] = " " }},
		{"no reads", func(m map[string]any) { entry(m)["reads"] = "" }},
		{"no missing", func(m map[string]any) { entry(m)["missing"] = []any{} }},
		{"unknown missing", func(m map[string]any) { entry(m)["missing"] = []any{"gremlins"} }},
		{"no ja text", func(m map[string]any) { delete(entry(m)["text"].(map[string]any), "ja") }},
		{"duplicate", func(m map[string]any) {
			c := m["collect"].([]any)
			m["collect"] = append(c, c[0])
		}},
		{"unknown field", func(m map[string]any) { entry(m)["shellx"] = "cmd" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := good()
			tt.change(m)
			b, err := json.Marshal(m)
			require.NoError(t, err)
			_, err = Load(bytes.NewReader(b))
			require.Error(t, err)
		})
	}
	b, err := json.Marshal(good())
	require.NoError(t, err)
	_, err = Load(bytes.NewReader(b))
	require.NoError(t, err, "the unchanged table loads")
}

// TestRuleTextsGiveCollectCommands (issue 12 item 6): every command a
// rule, event, remediation or service text suggests is one of the table's
// collection commands, word for word, so that its output is read and
// attributed; none suggests the bare "/v IntegrationServicesVersion" query,
// whose output names no VM.
func TestRuleTextsGiveCollectCommands(t *testing.T) {
	tab := Default()
	var lines []string
	for _, c := range tab.Commands() {
		lines = append(lines, c.Line)
	}
	var texts []Text
	for _, lang := range []string{"en", "ja"} {
		for _, r := range tab.Rules() {
			texts = append(texts, r.Text(lang))
		}
		for _, e := range tab.Events() {
			texts = append(texts, e.Text(lang))
		}
		for _, r := range tab.Remediations() {
			texts = append(texts, r.Text(lang))
		}
		for _, s := range tab.Services() {
			texts = append(texts, s.Text(lang))
		}
	}
	suggested := 0
	for _, tx := range texts {
		for _, s := range []string{tx.Title, tx.Description, tx.Remediation, tx.Fallback} {
			assert.NotContains(t, strings.ToLower(s), "/v integrationservicesversion", s)
			for _, start := range commandStarts(s) {
				suggested++
				ok := false
				for _, l := range lines {
					ok = ok || strings.HasPrefix(s[start:], l)
				}
				assert.True(t, ok, "not a collection command: %.120q", s[start:])
			}
		}
	}
	assert.GreaterOrEqual(t, suggested, 8, "the undetermined, investigate and missing-log rules give commands")
}

// commandStarts returns where s names a command of the kinds the table's
// checklist holds (reg query, reg save, wevtutil, Get-VM piped on).
func commandStarts(s string) []int {
	low := strings.ToLower(s)
	var out []int
	for _, p := range []string{"reg query ", "reg save ", "wevtutil ", "get-vm |"} {
		for i := 0; ; {
			j := strings.Index(low[i:], p)
			if j < 0 {
				break
			}
			out = append(out, i+j)
			i += j + len(p)
		}
	}
	return out
}
