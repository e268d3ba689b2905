package output

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"

	"exlog/report"
)

// SARIFVersion and SARIFSchemaURI identify the format written by SARIF.
const (
	SARIFVersion   = "2.1.0"
	SARIFSchemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
)

// SARIF writes the report as a SARIF 2.1.0 log (GitHub code scanning,
// GitLab, Azure DevOps): one run whose tool.driver.rules are the rules
// (patterns and Go checks, see Options.Rules) and whose results are the
// findings. Levels: critical and error → "error", warning → "warning",
// info → "note". Each result's locations are its evidence origins: the
// artifact URI is the bundle path with "!" chains (percent-encoded per
// segment), the region a byteOffset or startLine. A finding without
// evidence points at the first input. partialFingerprints carry id and
// key, so a code-scanning service tracks one finding across runs.
func SARIF(w io.Writer, r *report.Report, opt Options) error {
	rs := rulesOf(r, opt)
	drv := sarifDriver{Name: "exlog", Version: r.Tool.Version, InformationURI: "https://learn.microsoft.com/en-us/mem/intune/protect/exchange-connector-install",
		Rules: []sarifRule{}}
	for _, ru := range rs.rules {
		sr := sarifRule{ID: ru.ID, Name: ruleName(ru.ID), ShortDescription: sarifText{Text: oneLine(ru.Title, 200)},
			DefaultConfiguration: sarifConfig{Level: sarifLevel(ru.Severity)}}
		if ru.Title == "" {
			sr.ShortDescription.Text = ru.ID
		}
		if u, err := url.Parse(ru.Docs); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
			sr.HelpURI = ru.Docs
		}
		if ru.Source != "" {
			sr.Properties = map[string]any{"source": ru.Source}
		}
		drv.Rules = append(drv.Rules, sr)
	}
	fallback := ""
	if len(r.Inputs) > 0 {
		fallback = r.Inputs[0].Path
	}
	run := sarifRun{Tool: sarifTool{Driver: drv}, Results: []sarifResult{}}
	for i := range r.Findings {
		f := &r.Findings[i]
		res := sarifResult{RuleID: f.ID, RuleIndex: rs.index[f.ID], Level: sarifLevel(f.Severity),
			Message:             sarifText{Text: sarifMessage(f)},
			PartialFingerprints: map[string]string{"exlogFinding/v1": f.ID + "|" + f.Key},
			Properties:          map[string]any{"severity": f.Severity.String(), "count": f.Count}}
		if f.Key != "" {
			res.Properties["key"] = f.Key
		}
		if f.First != nil {
			res.Properties["first"] = f.First.UTC()
		}
		if f.Last != nil {
			res.Properties["last"] = f.Last.UTC()
		}
		for _, ev := range f.Evidence {
			if ev.Origin == "" {
				continue
			}
			loc := sarifLocation{Physical: sarifPhysical{Artifact: sarifArtifact{URI: originURI(ev.Origin)}}}
			switch {
			case ev.Line > 0:
				loc.Physical.Region = &sarifRegion{StartLine: ev.Line}
			case ev.Offset != nil && *ev.Offset >= 0:
				off := *ev.Offset
				loc.Physical.Region = &sarifRegion{ByteOffset: &off}
			}
			if ev.Text != "" {
				loc.Message = &sarifText{Text: oneLine(ev.Text, 300)}
			}
			res.Locations = append(res.Locations, loc)
		}
		if len(res.Locations) == 0 && fallback != "" {
			res.Locations = append(res.Locations, sarifLocation{Physical: sarifPhysical{Artifact: sarifArtifact{URI: originURI(fallback)}}})
		}
		run.Results = append(run.Results, res)
	}
	log := sarifLog{Schema: SARIFSchemaURI, Version: SARIFVersion, Runs: []sarifRun{run}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

func sarifLevel(s report.Severity) string {
	switch {
	case s >= report.SeverityError:
		return "error"
	case s == report.SeverityWarning:
		return "warning"
	}
	return "note"
}

func sarifMessage(f *report.Finding) string {
	msg := fmt.Sprintf("%s (%d×)", oneLine(f.Title, 300), f.Count)
	if f.Remedy != "" {
		msg += " What to do: " + oneLine(f.Remedy, 600)
	}
	return msg
}

// ruleName turns "network.proxy-auth" into "NetworkProxyAuth" (SARIF's
// rule name is an identifier-like, human-readable name).
func ruleName(id string) string {
	var b strings.Builder
	up := true
	for _, c := range id {
		if c == '.' || c == '-' || c == '_' {
			up = true
			continue
		}
		if up && c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		up = false
		b.WriteRune(c)
	}
	return b.String()
}

// originURI makes a relative URI reference of an origin path such as
// "case.zip!Logs/Connector3.log": each "/"-separated segment is
// percent-encoded ("!" is kept: it is a valid path character), and a
// first segment holding ":" (a Windows drive) is prefixed with "./" so
// that it is not read as a scheme.
func originURI(p string) string {
	p = strings.ReplaceAll(p, "\\", "/")
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = strings.ReplaceAll(url.PathEscape(s), "%21", "!")
	}
	u := strings.Join(segs, "/")
	if first, _, _ := strings.Cut(u, "/"); strings.Contains(first, ":") {
		u = "./" + u
	}
	return u
}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	HelpURI              string         `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties,omitempty"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

type sarifLocation struct {
	Physical sarifPhysical `json:"physicalLocation"`
	Message  *sarifText    `json:"message,omitempty"`
}

type sarifPhysical struct {
	Artifact sarifArtifact `json:"artifactLocation"`
	Region   *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine  int    `json:"startLine,omitempty"`
	ByteOffset *int64 `json:"byteOffset,omitempty"`
}
