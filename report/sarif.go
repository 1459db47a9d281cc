package report

import (
	"encoding/json"
	"io"
	"net/url"
	"strings"

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
	Tool        sarifTool         `json:"tool"`
	Language    string            `json:"language"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
	Properties  map[string]any    `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
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
}

type sarifArtifact struct {
	URI string `json:"uri"`
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
	Locations           []sarifLocation   `json:"locations,omitempty"`
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

// fileURI turns a collection path into a relative URI reference.
func fileURI(p string) string {
	return (&url.URL{Path: strings.ReplaceAll(p, `\`, "/")}).String()
}

func sarifRefLocation(r kb.Ref) sarifLocation {
	loc := sarifLocation{Properties: map[string]any{}}
	if r.File != "" {
		loc.PhysicalLocation = &sarifPhysical{ArtifactLocation: sarifArtifact{URI: fileURI(r.File)}}
	}
	if r.KeyPath != "" {
		fq := r.KeyPath
		if r.Value != "" {
			fq += `\` + r.Value
		}
		loc.LogicalLocations = []sarifLogical{{Name: r.Value, FullyQualifiedName: fq, Kind: "registryValue"}}
	}
	if r.RecordID != 0 {
		loc.Properties["recordId"] = r.RecordID
	}
	if !r.Time.IsZero() {
		loc.Properties["time"] = r.Time.UTC()
	}
	if r.What != "" {
		loc.Properties["what"] = r.What
	}
	if len(loc.Properties) == 0 {
		loc.Properties = nil
	}
	return loc
}

// SARIF writes a SARIF 2.1.0 log for CI pipelines: one run, the whole rule
// table as the driver's rules, one result per finding (kind "pass" when
// nothing is to be done, "fail" otherwise, level from the severity), and
// the scan's problems as tool execution notifications.
func SARIF(w io.Writer, res *result.Result, opts *Options) error {
	v, err := newView(res, opts, false)
	if err != nil {
		return err
	}
	res = v.res // filtered by Options.Filter
	lang := "en-US"
	if v.lang == "ja" {
		lang = "ja-JP"
	}
	run := sarifRun{Language: lang, Results: []sarifResult{},
		Tool:       sarifTool{Driver: sarifDriver{Name: "hvic", Version: v.version, InformationURI: "https://github.com/hvic/hvic", Rules: []sarifRule{}}},
		Properties: map[string]any{"status": res.Status.String()}}
	if f := v.jsonFilter(); f != nil {
		run.Properties["filter"] = f
	}
	index := map[string]int{}
	for _, r := range v.t.Rules() {
		txt := r.Text(v.lang)
		index[r.ID] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: r.ID, Name: ruleName(r.ID),
			ShortDescription: sarifText{txt.Title}, FullDescription: sarifText{txt.Description},
			Help: sarifText{orDash(txt.Remediation)}, DefaultConfiguration: sarifConfig{sarifLevel(r.Severity)},
			Properties: map[string]any{"source": r.Source, "case": enumText(r.Case), "action": enumText(r.Action), "unverified": r.Unverified}})
	}
	for _, f := range res.Findings {
		idx, ok := index[f.RuleID]
		if !ok {
			idx = -1
		}
		kind, level := "fail", sarifLevel(f.Severity)
		if f.Action == kb.ActionNone || f.Action == kb.ActionIgnore {
			kind, level = "pass", "none"
		}
		title := v.ruleText(f.RuleID).Title
		subject := f.VMName
		if subject == "" {
			subject = f.Host
		}
		msgText := title
		if subject != "" {
			msgText = subject + ": " + title
		}
		if act := actionLabel(v.lang, f.Action); f.Action != 0 {
			msgText += " (" + act + ")"
		}
		r := sarifResult{RuleID: f.RuleID, RuleIndex: idx, Kind: kind, Level: level, Message: sarifText{msgText},
			PartialFingerprints: map[string]string{"hvicFinding/v1": strings.ToLower(f.Host) + "|" + f.VMID + "|" + strings.ToLower(f.VMName) + "|" + f.RuleID},
			Properties:          map[string]any{"case": enumText(f.Case), "action": enumText(f.Action), "severity": enumText(f.Severity), "vmName": f.VMName, "vmId": f.VMID, "host": f.Host}}
		for _, ref := range f.Refs {
			r.Locations = append(r.Locations, sarifRefLocation(ref))
		}
		if len(f.Params) > 0 {
			r.Properties["params"] = f.Params
		}
		run.Results = append(run.Results, r)
	}
	inv := sarifInvocation{ExecutionSuccessful: res.Status != result.StatusFailed, ToolExecutionNotifications: []sarifNotification{}}
	for _, p := range res.Problems {
		n := sarifNotification{Level: "warning", Message: sarifText{p.Message}}
		if p.Severity == result.SeverityError {
			n.Level = "error"
		}
		if p.File != "" {
			n.Locations = []sarifLocation{{PhysicalLocation: &sarifPhysical{ArtifactLocation: sarifArtifact{URI: fileURI(p.File)}}}}
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, n)
	}
	run.Invocations = []sarifInvocation{inv}
	log := sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
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
