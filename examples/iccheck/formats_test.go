package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// -format timeline-csv writes one row per IC event of the sample, in time
// order, with a byte-order mark for Japanese or -bom only.
func TestTimelineCSV(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		bom    bool
		header string
	}{
		{"english", []string{"-format", "timeline-csv", sample}, false, "time_utc"},
		{"english with -bom", []string{sample, "-bom", "-format", "timeline-csv"}, true, "time_utc"},
		{"japanese", []string{"-format", "timeline", "-lang", "ja", sample}, true, "時刻 (UTC)"},
	}
	var events []string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			assert.Equal(t, exitAction, run(tt.args, &stdout, &stderr), stderr.String())
			out := stdout.String()
			assert.Equal(t, tt.bom, strings.HasPrefix(out, "\ufeff"))
			rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff"))).ReadAll()
			require.NoError(t, err)
			require.Greater(t, len(rows), 1)
			assert.Equal(t, tt.header, rows[0][0])
			var got []string
			for i, row := range rows[1:] {
				if i > 0 {
					assert.LessOrEqual(t, rows[i][0], row[0], "time order")
				}
				got = append(got, row[13]+"#"+row[14])
			}
			if events == nil {
				events = got
			}
			assert.Equal(t, events, got, "the same events whatever the language")
		})
	}
	// The sample's two logs hold 15 IC events (10 Integration-Admin, 5 System).
	assert.Len(t, events, 15)
}

// SARIF locates files relative to the input's folder, whose base is its
// file: URI, for a relative input (made absolute with the working
// directory) as for an absolute one: both resolve to the same files.
func TestSARIFBaseURIs(t *testing.T) {
	abs, err := filepath.Abs(filepath.Join(sample, "guests", "WEB01"))
	require.NoError(t, err)
	resolved := map[string][]string{}
	for _, in := range []string{filepath.Join(sample, "guests", "WEB01"), abs} {
		var stdout, stderr bytes.Buffer
		run([]string{"-format", "sarif", in}, &stdout, &stderr)
		var log struct {
			Runs []struct {
				Bases map[string]struct {
					URI       string `json:"uri"`
					URIBaseID string `json:"uriBaseId"`
				} `json:"originalUriBaseIds"`
				Results []struct {
					Locations []struct {
						PhysicalLocation struct {
							ArtifactLocation struct {
								URI       string `json:"uri"`
								URIBaseID string `json:"uriBaseId"`
							} `json:"artifactLocation"`
						} `json:"physicalLocation"`
					} `json:"locations"`
				} `json:"results"`
			} `json:"runs"`
		}
		require.NoError(t, json.Unmarshal(stdout.Bytes(), &log), stderr.String())
		require.Len(t, log.Runs, 1)
		r := log.Runs[0]
		// resolve follows uriBaseId links to an absolute URI.
		var resolve func(uri, base string) string
		resolve = func(uri, base string) string {
			if base == "" {
				return uri
			}
			b, ok := r.Bases[base]
			require.True(t, ok, base)
			bu, err := url.Parse(resolve(b.URI, b.URIBaseID))
			require.NoError(t, err)
			ref, err := url.Parse(uri)
			require.NoError(t, err)
			return bu.ResolveReference(ref).String()
		}
		require.NotEmpty(t, r.Results)
		for _, res := range r.Results {
			for _, l := range res.Locations {
				a := l.PhysicalLocation.ArtifactLocation
				if a.URI == "" {
					continue
				}
				u := resolve(a.URI, a.URIBaseID)
				assert.True(t, strings.HasPrefix(u, "file:///"), u)
				resolved[in] = append(resolved[in], u)
			}
		}
		// The input's folder, absolute for a relative input too.
		p := filepath.ToSlash(abs) + "/"
		if !strings.HasPrefix(p, "/") {
			p = "/" + p // C:/...
		}
		assert.Equal(t, (&url.URL{Scheme: "file", Path: p}).String(), r.Bases["INPUT1"].URI)
		assert.NotContains(t, r.Bases, "WORKDIR")
	}
	require.Len(t, resolved, 2)
	rel := resolved[filepath.Join(sample, "guests", "WEB01")]
	require.NotEmpty(t, rel)
	assert.Equal(t, rel, resolved[abs])
	assert.Contains(t, rel[0], "/testdata/sample/guests/WEB01/")
}

// -vm and -min-action keep the events of the VMs reported only.
func TestTimelineCSVFiltered(t *testing.T) {
	tests := []struct {
		args []string
		vms  []string
	}{
		{[]string{"-vm", "db01"}, []string{"DB01"}},
		{[]string{"-vm", "DB01,web01"}, []string{"DB01", "WEB01"}},
		{[]string{"-min-action", "required"}, []string{"DB01"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			run(append([]string{"-format", "timeline-csv", sample}, tt.args...), &stdout, &stderr)
			rows, err := csv.NewReader(&stdout).ReadAll()
			require.NoError(t, err, stderr.String())
			require.Greater(t, len(rows), 1)
			seen := map[string]bool{}
			for _, row := range rows[1:] {
				seen[row[2]] = true
			}
			var got []string
			for vm := range seen {
				got = append(got, vm)
			}
			assert.ElementsMatch(t, tt.vms, got)
		})
	}
}
