package output

import (
	"encoding/xml"
	"exlog/internal/words"
	"fmt"
	"io"
	"strings"

	"exlog/report"
)

// JUnit writes the report as JUnit XML (the Jenkins junit-10.xsd shape,
// which GitLab and GitHub test reporters also read): one <testsuite> per
// analysis, one <testcase> per rule (library or user pattern, Go check),
// classname = the rule's category. A test case fails when the rule
// produced a finding at or above the threshold: opt.FailOn, or warning
// (CIFailOn) when --fail-on is never. Findings below the threshold are
// listed in <system-out> of a passing case. Unmatched-message templates
// make one more case, "unmatched", which is skipped (informational) when
// there are any.
func JUnit(w io.Writer, r *report.Report, opt Options) error {
	th := ciThreshold(opt)
	rs := rulesOf(r, opt)
	title := opt.Title
	if title == "" {
		title = "bundle"
	}
	suite := junitSuite{Name: "exlog analyze " + title, Timestamp: timestampOf(r), Time: "0"}
	for _, ru := range rs.rules {
		cat, _, _ := strings.Cut(ru.ID, ".")
		tc := junitCase{Name: ru.ID, ClassName: "exlog." + cat, Time: "0"}
		fs := rs.byRule[ru.ID]
		var failing, below []string
		for _, f := range fs {
			line := findingLine(f)
			if f.Severity >= th {
				failing = append(failing, line)
			} else {
				below = append(below, line)
			}
		}
		if len(failing) > 0 {
			tc.Failure = &junitText{Type: ru.ID, Message: fmt.Sprintf("%s at or above %s", words.Count(len(failing), "finding", ""), th),
				Text: strings.Join(failing, "\n")}
			suite.Failures++
		}
		if len(below) > 0 || (len(failing) > 0 && ru.Docs != "") {
			out := strings.Join(below, "\n")
			if ru.Docs != "" {
				out = strings.TrimSpace(out + "\ndocs: " + ru.Docs)
			}
			tc.SystemOut = out
		}
		suite.Cases = append(suite.Cases, tc)
		suite.Tests++
	}
	um := junitCase{Name: "unmatched", ClassName: "exlog.unmatched", Time: "0"}
	if len(r.Unmatched) > 0 {
		var lines []string
		for _, u := range r.Unmatched {
			lines = append(lines, fmt.Sprintf("%d × %s: %s (e.g. %s)", u.Count, u.Type, u.Template, u.Origin))
		}
		um.Skipped = &junitText{Type: "unmatched", Message: fmt.Sprintf("%s no pattern matches: exlog patterns suggest", words.Count(len(r.Unmatched), "message template", "")),
			Text: strings.Join(lines, "\n")}
		suite.Skipped++
	}
	suite.Cases = append(suite.Cases, um)
	suite.Tests++
	out := junitSuites{Name: "exlog", Tests: suite.Tests, Failures: suite.Failures, Errors: 0, Time: "0", Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func findingLine(f *report.Finding) string {
	s := fmt.Sprintf("%s %s: %s (%d×", strings.ToUpper(f.Severity.String()), f.ID, f.Title, f.Count)
	if f.First != nil {
		s += ", first " + f.First.UTC().Format("2006-01-02T15:04:05Z")
	}
	s += ")"
	for _, ev := range f.Evidence {
		s += "\n    " + evidenceOrigin(ev) + " " + oneLine(ev.Text, 200)
	}
	return s
}

func timestampOf(r *report.Report) string {
	if r.Summary.Last != nil {
		return r.Summary.Last.UTC().Format("2006-01-02T15:04:05")
	}
	return ""
}

// The element and attribute names follow junit-10.xsd (Jenkins xUnit).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Time     string       `xml:"time,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string     `xml:"name,attr"`
	ClassName string     `xml:"classname,attr"`
	Time      string     `xml:"time,attr"`
	Skipped   *junitText `xml:"skipped,omitempty"`
	Failure   *junitText `xml:"failure,omitempty"`
	SystemOut string     `xml:"system-out,omitempty"`
}

type junitText struct {
	Type    string `xml:"type,attr"`
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// TestCase is one test case of a JUnit run that is not an analysis (the
// pattern examples of `exlog patterns test`): Suite groups cases; Failure
// is "" for a case that passed.
type TestCase struct {
	Suite, Name, ClassName string
	Failure, FailureType   string // message attribute and type of <failure>
	FailureText            string
}

// JUnitCases writes cases as JUnit XML in the same junit-10.xsd shape as
// JUnit, one <testsuite> per Suite in order of first appearance.
func JUnitCases(w io.Writer, name string, cases []TestCase) error {
	out := junitSuites{Name: name, Time: "0"}
	index := map[string]int{}
	for _, c := range cases {
		i, ok := index[c.Suite]
		if !ok {
			i = len(out.Suites)
			index[c.Suite] = i
			out.Suites = append(out.Suites, junitSuite{Name: c.Suite, Time: "0"})
		}
		s := &out.Suites[i]
		tc := junitCase{Name: c.Name, ClassName: c.ClassName, Time: "0"}
		if c.Failure != "" {
			tc.Failure = &junitText{Type: c.FailureType, Message: c.Failure, Text: c.FailureText}
			s.Failures++
			out.Failures++
		}
		s.Cases = append(s.Cases, tc)
		s.Tests++
		out.Tests++
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
