package report

import (
	"encoding/json"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hvic/hvic/kb"
	"github.com/hvic/hvic/report/result"
)

// SARIF 2.1.0 (OASIS), the subset hvic writes.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool            `json:"tool"`
	Language           string               `json:"language"`
	OriginalURIBaseIDs map[string]sarifBase `json:"originalUriBaseIds,omitempty"`
	Invocations        []sarifInvocation    `json:"invocations"`
	Results            []sarifResult        `json:"results"`
	Properties         map[string]any       `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name            string         `json:"name"`
	Version         string         `json:"version"`
	SemanticVersion string         `json:"semanticVersion,omitempty"`
	InformationURI  string         `json:"informationUri"`
	Rules           []sarifRule    `json:"rules"`
	Properties      map[string]any `json:"properties,omitempty"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	EndTimeUTC                 string              `json:"endTimeUtc,omitempty"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
	Properties       map[string]any `json:"properties,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

// sarifRegion is a byte range: hvic gives the whole file, the evidence's
// place inside it being a logical location (record, key, value).
type sarifRegion struct {
	ByteOffset int64 `json:"byteOffset"`
	ByteLength int64 `json:"byteLength"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifLogical struct {
	Name               string `json:"name,omitempty"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind,omitempty"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Kind                string            `json:"kind"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties"`
}

func sarifLevel(s kb.Severity) string {
	switch s {
	case kb.SeverityHigh:
		return "error"
	case kb.SeverityMedium, kb.SeverityLow:
		return "warning"
	}
	return "note"
}

// fileLocation locates a file: its artifact and the whole file as its
// region when its size is known; inside an archive, the artifact is the
// archive on disk, the region the whole archive, and the entry a logical
// location.
func (p *sarifPaths) fileLocation(file string) sarifLocation {
	art, entry := p.locate(file)
	loc := sarifLocation{PhysicalLocation: &sarifPhysical{ArtifactLocation: art}}
	onDisk := slash(file)
	if entry != "" {
		onDisk, _, _ = strings.Cut(onDisk, "!/")
		loc.LogicalLocations = []sarifLogical{{Name: path.Base(entry), FullyQualifiedName: entry, Kind: "archiveEntry"}}
	}
	if size := p.sizes[onDisk]; size > 0 {
		loc.PhysicalLocation.Region = &sarifRegion{ByteLength: size}
	}
	return loc
}

// refLocation is one piece of evidence: the file, and inside it, where no
// region applies, a logical location: the event record, the registry key
// or value, or the line of a text form (in What).
func (p *sarifPaths) refLocation(r kb.Ref) sarifLocation {
	loc := sarifLocation{}
	if r.File != "" {
		loc = p.fileLocation(r.File)
	}
	switch {
	case r.KeyPath != "" && r.Value != "":
		loc.LogicalLocations = append(loc.LogicalLocations, sarifLogical{Name: r.Value, FullyQualifiedName: r.KeyPath + `\` + r.Value, Kind: "registryValue"})
	case r.KeyPath != "":
		loc.LogicalLocations = append(loc.LogicalLocations, sarifLogical{Name: path.Base(slash(r.KeyPath)), FullyQualifiedName: r.KeyPath, Kind: "registryKey"})
	case r.RecordID != 0:
		id := strconv.FormatUint(r.RecordID, 10)
		loc.LogicalLocations = append(loc.LogicalLocations, sarifLogical{Name: "EventRecordID " + id, Kind: "eventRecord"})
	case r.What != "":
		loc.LogicalLocations = append(loc.LogicalLocations, sarifLogical{Name: r.What, Kind: "element"})
	}
	props := map[string]any{}
	if r.RecordID != 0 {
		props["recordId"] = r.RecordID
	}
	if !r.Time.IsZero() {
		props["time"] = r.Time.UTC()
	}
	if r.What != "" {
		props["what"] = r.What
	}
	if r.Data != "" {
		props["data"] = r.Data
	}
	if len(props) > 0 {
		loc.Properties = props
	}
	return loc
}

// sarifVersion makes a tool version start with a number, as SARIF
// consumers compare them (SARIF2005): "v1.2.3" is "1.2.3", a pseudo-version
// loses its "v", and "devel" (a source build) is "0.0.0-devel". semver is
// the same string when it is a SemVer 2.0 version, else "".
func sarifVersion(v string) (version, semver string) {
	v = strings.TrimSpace(v)
	if len(v) > 1 && v[0] == 'v' && v[1] >= '0' && v[1] <= '9' {
		v = v[1:]
	}
	if v == "" || v[0] < '0' || v[0] > '9' {
		v = "0.0.0-" + strings.TrimPrefix(v, "-")
		v = strings.TrimSuffix(v, "-")
	}
	if semverRE.MatchString(v) {
		semver = v
	}
	return v, semver
}

// semverRE is SemVer 2.0's grammar (semver.org), lightly condensed.
var semverRE = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
	`(-(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*)?` +
	`(\+[0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*)?$`)

// SARIF writes a SARIF 2.1.0 log for CI pipelines: one run, the whole rule
// table as the driver's rules, one result per finding (kind "pass" when
// nothing is to be done, "fail" otherwise, level from the severity), and
// the scan's problems as tool execution notifications. Files are located
// relative to the input they were found in (run.originalUriBaseIds: the
// input folder's file: URI, or the input as given relative to WORKDIR,
// which Options.WorkDir makes absolute); an archive entry by its archive
// and a logical location; an event record or registry value by a logical
// location.
func SARIF(w io.Writer, res *result.Result, opts *Options) error {
	v, err := newView(res, opts, false)
	if err != nil {
		return err
	}
	res = v.res // filtered by Options.Filter
	var workDir string
	if opts != nil {
		workDir = opts.WorkDir
	}
	paths := newSarifPaths(res, workDir)
	run := sarifRun{Language: "en-US", Tool: sarifTool{Driver: v.sarifDriver()}, Results: []sarifResult{},
		Properties: map[string]any{"status": res.Status.String(), "inputs": append([]string{}, res.Run.Inputs...)}}
	if v.lang == "ja" {
		run.Language = "ja-JP"
	}
	if f := v.jsonFilter(); f != nil {
		run.Properties["filter"] = f
	}
	index := map[string]int{}
	for i, r := range run.Tool.Driver.Rules {
		index[r.ID] = i
	}
	for i := range res.Findings {
		run.Results = append(run.Results, v.sarifResult(&res.Findings[i], index, paths))
	}
	inv := sarifInvocation{ExecutionSuccessful: res.Status != result.StatusFailed, ToolExecutionNotifications: []sarifNotification{}}
	if !res.Run.GeneratedAt.IsZero() {
		inv.EndTimeUTC = res.Run.GeneratedAt.UTC().Format(time.RFC3339Nano)
	}
	for _, p := range res.Problems {
		n := sarifNotification{Level: sarifLevel(p.Severity), Message: sarifText{p.Message}}
		if p.File != "" {
			n.Locations = []sarifLocation{paths.fileLocation(p.File)}
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	run.Invocations = []sarifInvocation{inv}
	if len(paths.bases) > 0 {
		run.OriginalURIBaseIDs = paths.bases
	}
	log := sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

// sarifDriver is the tool: hvic, the version the report names
// (Options.ToolVersion, else Run.ToolVersion), the rule table's revision,
// and every rule.
func (v *view) sarifDriver() sarifDriver {
	tv := v.version
	d := sarifDriver{Name: "hvic", InformationURI: "https://github.com/hvic/hvic", Rules: []sarifRule{},
		Properties: map[string]any{"toolVersion": tv}}
	d.Version, d.SemanticVersion = sarifVersion(tv)
	if v.res.Run.Tool != "" {
		d.Properties["tool"] = v.res.Run.Tool
	}
	rev := v.res.Run.Rules
	if rev == "" {
		rev = v.t.Revision()
	}
	d.Properties["rulesRevision"] = rev
	for _, r := range v.t.Rules() {
		txt := r.Text(v.lang)
		d.Rules = append(d.Rules, sarifRule{ID: r.ID, Name: ruleName(r.ID),
			ShortDescription: sarifText{txt.Title}, FullDescription: sarifText{txt.Description},
			Help: sarifText{orDash(txt.Remediation)}, DefaultConfiguration: sarifConfig{sarifLevel(r.Severity)},
			Properties: map[string]any{"source": r.Source, "case": enumText(r.Case), "action": enumText(r.Action), "unverified": r.Unverified}})
	}
	return d
}

// sarifResult is one finding. A finding without evidence is located at
// its VM (or host), as a logical location, so that every result has one.
func (v *view) sarifResult(f *kb.Finding, index map[string]int, paths *sarifPaths) sarifResult {
	idx, ok := index[f.RuleID]
	if !ok {
		idx = -1
	}
	kind, level := "fail", sarifLevel(f.Severity)
	if f.Action == kb.ActionNone || f.Action == kb.ActionIgnore {
		kind, level = "pass", "none"
	}
	subject := f.VMName
	if subject == "" {
		subject = f.Host
	}
	msgText := v.ruleText(f.RuleID).Title
	if subject != "" {
		msgText = subject + ": " + msgText
	}
	if f.Action != 0 {
		msgText += " (" + actionLabel(v.lang, f.Action) + ")"
	}
	r := sarifResult{RuleID: f.RuleID, RuleIndex: idx, Kind: kind, Level: level, Message: sarifText{msgText}, Locations: []sarifLocation{},
		PartialFingerprints: map[string]string{"hvicFinding/v1": strings.ToLower(f.Host) + "|" + f.VMID + "|" + strings.ToLower(f.VMName) + "|" + f.RuleID},
		Properties:          map[string]any{"case": enumText(f.Case), "action": enumText(f.Action), "severity": enumText(f.Severity), "vmName": f.VMName, "vmId": f.VMID, "host": f.Host}}
	for _, ref := range f.Refs {
		r.Locations = append(r.Locations, paths.refLocation(ref))
	}
	if len(r.Locations) == 0 {
		r.Locations = append(r.Locations, subjectLocation(f))
	}
	if len(f.Params) > 0 {
		r.Properties["params"] = f.Params
	}
	return r
}

// subjectLocation names a finding's VM (host/VM, by name else ID) or host.
func subjectLocation(f *kb.Finding) sarifLocation {
	vm := f.VMName
	if vm == "" {
		vm = f.VMID
	}
	switch {
	case vm != "":
		fq := vm
		if f.Host != "" {
			fq = f.Host + "/" + vm
		}
		return sarifLocation{LogicalLocations: []sarifLogical{{Name: vm, FullyQualifiedName: fq, Kind: "virtualMachine"}}}
	case f.Host != "":
		return sarifLocation{LogicalLocations: []sarifLogical{{Name: f.Host, Kind: "host"}}}
	}
	return sarifLocation{LogicalLocations: []sarifLogical{{Name: "collection", Kind: "collection"}}}
}

// ruleName turns "KB2894285-CASE3" into "Kb2894285Case3" (SARIF's rule
// name is an identifier-like label).
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' }) {
		b.WriteString(strings.ToUpper(part[:1]) + strings.ToLower(part[1:]))
	}
	return b.String()
}
