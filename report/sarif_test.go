package report_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report"
	"github.com/hvic/hvic/report/result"
)

// sarifDoc is the part of a SARIF log the tests read.
type sarifDoc struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Version         string         `json:"version"`
				SemanticVersion string         `json:"semanticVersion"`
				Properties      map[string]any `json:"properties"`
			} `json:"driver"`
		} `json:"tool"`
		OriginalURIBaseIDs map[string]struct {
			URI       string `json:"uri"`
			URIBaseID string `json:"uriBaseId"`
		} `json:"originalUriBaseIds"`
		Invocations []struct {
			EndTimeUTC    string `json:"endTimeUtc"`
			Notifications []struct {
				Locations []sarifLoc `json:"locations"`
			} `json:"toolExecutionNotifications"`
		} `json:"invocations"`
		Results []struct {
			Locations []sarifLoc `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

type sarifLoc struct {
	PhysicalLocation *struct {
		ArtifactLocation struct {
			URI       string `json:"uri"`
			URIBaseID string `json:"uriBaseId"`
		} `json:"artifactLocation"`
		Region *struct {
			ByteOffset int64 `json:"byteOffset"`
			ByteLength int64 `json:"byteLength"`
		} `json:"region"`
	} `json:"physicalLocation"`
	LogicalLocations []struct {
		Name               string `json:"name"`
		FullyQualifiedName string `json:"fullyQualifiedName"`
		Kind               string `json:"kind"`
	} `json:"logicalLocations"`
}

func renderSARIF(t *testing.T, res *result.Result, opts *report.Options) sarifDoc {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, report.SARIF(&buf, res, opts))
	var doc sarifDoc
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
	require.Len(t, doc.Runs, 1)
	return doc
}

// oneRef is a Result with one finding whose evidence is file (a record
// of it), scanned from inputs.
// oneRef is a Result with one finding citing one record of file (4096
// bytes); the archives holding it, if any, are walked into, the outermost
// at outerSize bytes and each one inside it at half its container's size.
func oneRef(file string, inputs ...string) *result.Result {
	res := &result.Result{Status: result.StatusComplete, Run: result.Run{Inputs: inputs},
		Findings: []kb.Finding{{RuleID: kb.RuleCase2, VMName: "VM1", Host: "HV1", Action: kb.ActionUpgradeRecommended,
			Severity: kb.SeverityLow, Refs: []kb.Ref{{File: file, RecordID: 42}}}},
		Inventory: result.Inventory{Files: []result.FileInfo{{Path: file, Size: 4096}}}}
	size := int64(outerSize)
	for i := strings.Index(file, "!/"); i >= 0; i = nextEntry(file, i) {
		res.Inventory.Archives = append(res.Inventory.Archives, result.Archive{Path: file[:i], Size: size})
		size /= 2
	}
	return res
}

// outerSize is the size oneRef gives the outermost archive.
const outerSize = 1 << 20

// nextEntry is the index of the "!/" after the one at i in file, or -1.
func nextEntry(file string, i int) int {
	j := strings.Index(file[i+2:], "!/")
	if j < 0 {
		return -1
	}
	return i + 2 + j
}

func TestSARIFArtifactLocations(t *testing.T) {
	type base struct{ uri, baseID string }
	tests := []struct {
		name    string
		file    string
		inputs  []string
		workDir string
		uri     string
		baseID  string
		bases   map[string]base
		entry   string
	}{
		{name: "relative folder", file: "case/HV01/System.evtx", inputs: []string{"case"}, workDir: "/home/me",
			uri: "HV01/System.evtx", baseID: "INPUT1", bases: map[string]base{"INPUT1": {"file:///home/me/case/", ""}}},
		{name: "folder above the working directory", file: "../c/S.evtx", inputs: []string{"../c"}, workDir: `C:\Users\me`,
			uri: "S.evtx", baseID: "INPUT1", bases: map[string]base{"INPUT1": {"file:///C:/Users/c/", ""}}},
		{name: "folder above, no work dir", file: "../c/S.evtx", inputs: []string{"../c"},
			uri: "S.evtx", baseID: "INPUT1", bases: map[string]base{"INPUT1": {"", ""}}},
		{name: "relative folder, no work dir", file: "case/HV01/System.evtx", inputs: []string{"./case/"},
			uri: "HV01/System.evtx", baseID: "INPUT1",
			bases: map[string]base{"INPUT1": {"case/", "WORKDIR"}, "WORKDIR": {"", ""}}},
		{name: "absolute folder with a space", file: "/srv/my case/HV01/System.evtx", inputs: []string{"/srv/my case"},
			uri: "HV01/System.evtx", baseID: "INPUT1", bases: map[string]base{"INPUT1": {"file:///srv/my%20case/", ""}}},
		{name: "windows drive", file: `C:/Cases/#1/HV01/System.evtx`, inputs: []string{`C:\Cases\#1`},
			uri: "HV01/System.evtx", baseID: "INPUT1", bases: map[string]base{"INPUT1": {"file:///C:/Cases/%231/", ""}}},
		{name: "UNC share", file: `//srv/share/c/S y.evtx`, inputs: []string{`\\srv\share\c`},
			uri: "S%20y.evtx", baseID: "INPUT1", bases: map[string]base{"INPUT1": {"file://srv/share/c/", ""}}},
		{name: "UNC archive given as a file", file: `//srv/share/c.zip!/S.evtx`, inputs: []string{`\\srv\share\c.zip`},
			uri: "c.zip", baseID: "INPUT1", entry: "S.evtx", bases: map[string]base{"INPUT1": {"file://srv/share/", ""}}},
		{name: "archive given as a file", file: "/x/c.zip!/HV01/System.evtx", inputs: []string{"/x/c.zip"},
			uri: "c.zip", baseID: "INPUT1", entry: "HV01/System.evtx", bases: map[string]base{"INPUT1": {"file:///x/", ""}}},
		{name: "nested archive in a folder", file: "c/a.zip!/b.zip!/S.evtx", inputs: []string{"c"}, workDir: "/w",
			uri: "a.zip", baseID: "INPUT1", entry: "b.zip!/S.evtx", bases: map[string]base{"INPUT1": {"file:///w/c/", ""}}},
		{name: "file in the working directory", file: "System.evtx", inputs: []string{"System.evtx"}, workDir: "/w",
			uri: "System.evtx", baseID: "INPUT1", bases: map[string]base{"INPUT1": {"file:///w/", ""}}},
		{name: "file in the working directory, no work dir", file: "System.evtx", inputs: []string{"System.evtx"},
			uri: "System.evtx", baseID: "WORKDIR", bases: map[string]base{"WORKDIR": {"", ""}}},
		{name: "second input", file: "/b/S.evtx", inputs: []string{"/a", "/b"},
			uri: "S.evtx", baseID: "INPUT2", bases: map[string]base{"INPUT2": {"file:///b/", ""}}},
		{name: "file system scan naming its input", file: "HV01/System.evtx", inputs: []string{"testdata/sample"},
			uri: "HV01/System.evtx", baseID: "INPUT1", bases: map[string]base{"INPUT1": {"testdata/sample/", "WORKDIR"}, "WORKDIR": {"", ""}}},
		{name: "file system scan", file: "HV01/System.evtx",
			uri: "HV01/System.evtx", baseID: "ROOT", bases: map[string]base{"ROOT": {"", ""}}},
		{name: "absolute outside the inputs", file: "/elsewhere/ä.evtx", inputs: []string{"/a", "/b"},
			uri: "file:///elsewhere/%C3%A4.evtx", bases: map[string]base{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := renderSARIF(t, oneRef(tt.file, tt.inputs...), &report.Options{WorkDir: tt.workDir})
			run := doc.Runs[0]
			require.Len(t, run.Results, 1)
			require.Len(t, run.Results[0].Locations, 1)
			loc := run.Results[0].Locations[0]
			require.NotNil(t, loc.PhysicalLocation)
			assert.Equal(t, tt.uri, loc.PhysicalLocation.ArtifactLocation.URI)
			assert.Equal(t, tt.baseID, loc.PhysicalLocation.ArtifactLocation.URIBaseID)
			got := map[string]base{}
			for id, b := range run.OriginalURIBaseIDs {
				got[id] = base{b.URI, b.URIBaseID}
			}
			assert.Equal(t, tt.bases, got)
			var kinds []string
			for _, l := range loc.LogicalLocations {
				kinds = append(kinds, l.Kind)
				if l.Kind == "archiveEntry" {
					assert.Equal(t, tt.entry, l.FullyQualifiedName)
				}
			}
			if tt.entry != "" {
				assert.Equal(t, []string{"archiveEntry", "eventRecord"}, kinds)
				require.NotNil(t, loc.PhysicalLocation.Region, "the whole archive on disk")
				assert.Equal(t, int64(outerSize), loc.PhysicalLocation.Region.ByteLength)
			} else {
				assert.Equal(t, []string{"eventRecord"}, kinds)
				require.NotNil(t, loc.PhysicalLocation.Region)
				assert.Equal(t, int64(4096), loc.PhysicalLocation.Region.ByteLength)
			}
			for id, b := range run.OriginalURIBaseIDs {
				if b.URI != "" && b.URIBaseID == "" {
					assert.True(t, strings.HasPrefix(b.URI, "file://") && strings.HasSuffix(b.URI, "/"), id)
				}
			}
		})
	}
}

func TestSARIFLogicalLocations(t *testing.T) {
	res := &result.Result{Findings: []kb.Finding{
		{RuleID: kb.RuleCase1, VMName: "A", Refs: []kb.Ref{
			{File: "g/SOFTWARE", KeyPath: `Microsoft\Virtual Machine\Auto`, Value: "IntegrationServicesVersion", Data: "6.3.9600.18692"},
			{File: "g/SOFTWARE", KeyPath: `Microsoft\Virtual Machine\Guest\Parameters`},
			{File: "h-vms.csv", What: "Get-VM line 2"}}},
		{RuleID: kb.RuleMissingIntLog, Host: "HV9"},
		{RuleID: kb.RuleCase3, VMName: "B", Host: "HV9"},
	}}
	doc := renderSARIF(t, res, nil)
	results := doc.Runs[0].Results
	require.Len(t, results, 3)
	type logical struct{ name, fq, kind string }
	var got [][]logical
	for _, r := range results {
		for _, l := range r.Locations {
			var ls []logical
			for _, x := range l.LogicalLocations {
				ls = append(ls, logical{x.Name, x.FullyQualifiedName, x.Kind})
			}
			got = append(got, ls)
		}
	}
	assert.Equal(t, [][]logical{
		{{"IntegrationServicesVersion", `Microsoft\Virtual Machine\Auto\IntegrationServicesVersion`, "registryValue"}},
		{{"Parameters", `Microsoft\Virtual Machine\Guest\Parameters`, "registryKey"}},
		{{"Get-VM line 2", "", "element"}},
		{{"HV9", "", "host"}},
		{{"B", "HV9/B", "virtualMachine"}},
	}, got)
	assert.Nil(t, results[1].Locations[0].PhysicalLocation)
}

// Every result and every notification with a file has a location, on every
// fixture, and every artifact URI is relative to a declared base or a
// file: URI.
func TestSARIFEveryResultLocated(t *testing.T) {
	for _, name := range []string{"sample", "partial", "hostile"} {
		t.Run(name, func(t *testing.T) {
			res := fixture(t, name)
			doc := renderSARIF(t, res, &report.Options{WorkDir: "/case"})
			run := doc.Runs[0]
			require.Len(t, run.Results, len(res.Findings))
			var locs []sarifLoc
			for _, r := range run.Results {
				require.NotEmpty(t, r.Locations)
				locs = append(locs, r.Locations...)
			}
			for _, n := range run.Invocations[0].Notifications {
				locs = append(locs, n.Locations...)
			}
			for _, l := range locs {
				require.True(t, l.PhysicalLocation != nil || len(l.LogicalLocations) > 0)
				if l.PhysicalLocation == nil {
					continue
				}
				a := l.PhysicalLocation.ArtifactLocation
				assert.NotContains(t, a.URI, " ")
				assert.False(t, strings.ContainsFunc(a.URI, func(r rune) bool { return r < 0x20 || r == 0x7f }), a.URI)
				if a.URIBaseID == "" {
					assert.True(t, strings.HasPrefix(a.URI, "file://"), a.URI)
					continue
				}
				assert.Contains(t, run.OriginalURIBaseIDs, a.URIBaseID)
				assert.False(t, strings.HasPrefix(a.URI, "/"), a.URI)
			}
		})
	}
}

func TestSARIFDriverVersion(t *testing.T) {
	tests := []struct{ tool, version, semver string }{
		{"v1.4.0", "1.4.0", "1.4.0"},
		{"v0.0.0-20261205185705-742f8e975e12", "0.0.0-20261205185705-742f8e975e12", "0.0.0-20261205185705-742f8e975e12"},
		{"devel", "0.0.0-devel", "0.0.0-devel"},
		{"devel+742f8e975e12-dirty", "0.0.0-devel+742f8e975e12-dirty", "0.0.0-devel+742f8e975e12-dirty"},
		{"1.2", "1.2", ""},
		{"vendor-build", "0.0.0-vendor-build", "0.0.0-vendor-build"},
	}
	at := result.Run{Rules: "2026-12-05+b9c6237d912b", Tool: "iccheck"}
	for _, tt := range tests {
		at.ToolVersion = tt.tool
		at.GeneratedAt = fixture(t, "sample").Run.GeneratedAt
		doc := renderSARIF(t, &result.Result{Run: at}, nil)
		d := doc.Runs[0].Tool.Driver
		assert.Equal(t, tt.version, d.Version, tt.tool)
		assert.Equal(t, tt.semver, d.SemanticVersion, tt.tool)
		assert.Equal(t, tt.tool, d.Properties["toolVersion"])
		assert.Equal(t, "2026-12-05+b9c6237d912b", d.Properties["rulesRevision"])
		assert.Equal(t, "2026-12-05T09:30:00Z", doc.Runs[0].Invocations[0].EndTimeUTC)
	}
	// Without Run, the renderer's version (Options.ToolVersion).
	doc := renderSARIF(t, &result.Result{}, &report.Options{ToolVersion: "v2.0.1"})
	assert.Equal(t, "2.0.1", doc.Runs[0].Tool.Driver.Version)
	assert.Empty(t, doc.Runs[0].Invocations[0].EndTimeUTC)
}

// The partial and hostile fixtures locate archive entries, refused files
// and names holding control characters: their SARIF is golden too
// (sarif-partial.en.sarif, sarif-hostile.en.sarif; -update rewrites them).
func TestSARIFGoldenFixtures(t *testing.T) {
	for _, name := range []string{"partial", "hostile"} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, report.SARIF(&buf, fixture(t, name), nil))
			path := filepath.Join(goldenDir, "sarif-"+name+".en.sarif")
			if *update {
				require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, string(want), buf.String(), "run go test ./report -update to regenerate")
		})
	}
}
