package analyze

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"exlog/report"
)

// The connector's circular log rotated in the middle of a full sync's
// completion record (domain.md §3): Connector1.log ends with its first
// bytes, Connector2.log begins with the rest. Joined, the sync completed;
// left apart, it looked unfinished (blind round 3, hostile bundle).
const (
	splitStart = "Handling command: Getting the mobile device list without a time filter (full sync) for 342 users"
	splitDone  = "Getting the mobile device list without a time filter (full sync) for 342 users completed successfully. Details: Inventory command result - Devices synced: 1504 Commmand ID: 5415e69b-670a-4af3-bca6-bb348499cffa&apos; Exchange health: &apos;Server health &apos;Name: &apos;PowerShellExchangeServer: &lt;Name=CAS-BER-01.fabrikam.de&gt;&apos; Status: Connected&apos;,&apos;"
	splitPoll  = "Received 0 commands from the Intune service."
)

// splitFiles returns the two files: the records before the split record,
// the first cut bytes of split; the rest of split, the records after.
func splitFiles(split string, cut int, after ...string) (a, b string) {
	a = svcTraceRec("2023-10-17T02:03:00.0000001Z", splitStart) +
		svcTraceRec("2023-10-17T02:28:43.0000001Z", strings.Replace(splitDone, "1504", "1505", 1)) +
		svcTraceRec("2023-10-17T10:00:00.0000001Z", splitPoll) +
		svcTraceRec("2023-10-18T02:03:00.0000001Z", splitStart) +
		svcTraceRec("2023-10-18T02:17:03.0000001Z", splitPoll) +
		split[:cut]
	b = split[cut:] + strings.Join(after, "")
	return a, b
}

var splitAfter = []string{
	svcTraceRec("2023-10-18T02:32:19.0000001Z", splitPoll),
	svcTraceRec("2023-10-18T23:47:21.0000001Z", splitPoll),
}

func runSplit(t *testing.T, a, b string) *report.Report {
	t.Helper()
	dir := t.TempDir()
	pa, pb := filepath.Join(dir, "Connector1.log"), filepath.Join(dir, "Connector2.log")
	if err := os.WriteFile(pa, []byte(a), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pb, []byte(b), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Run([]string{pa, pb}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func splitKinds(rep *report.Report) map[string]int {
	kinds := map[string]int{}
	for _, in := range rep.Inputs {
		for _, w := range in.Warnings {
			kinds[w.Kind]++
		}
	}
	return kinds
}

func hasFinding(rep *report.Report, id string) bool {
	for _, f := range rep.Findings {
		if f.ID == id {
			return true
		}
	}
	return false
}

func TestJoinSplitRecord(t *testing.T) {
	split := svcTraceRec("2023-10-18T02:28:42.0000007Z", splitDone)
	want := time.Date(2023, 10, 18, 2, 28, 42, 700, time.UTC)
	cuts := map[string]int{
		"in the start tag's attributes": len("<E2ETraceEvent") + 10,
		"in the header":                 strings.Index(split, "<Level>") + 3,
		"in the time":                   strings.Index(split, `SystemTime="`) + 20,
		"in the message":                strings.Index(split, "completed successfully") + 5,
		"before the end tag":            strings.Index(split, "</E2ETraceEvent>"),
		"in the end tag":                strings.Index(split, "</E2ETraceEvent>") + 7,
		"one byte before the end":       strings.Index(split, "</E2ETraceEvent>") + len("</E2ETraceEvent>") - 1,
	}
	for name, cut := range cuts {
		t.Run(name, func(t *testing.T) {
			a, b := splitFiles(split, cut, splitAfter...)
			rep := runSplit(t, a, b)
			if hasFinding(rep, "sync.unfinished") || hasFinding(rep, IDTruncatedRecord) {
				t.Errorf("findings %v", findingIDs(rep))
			}
			if v := rep.Verdict; v == nil || v.LastFullSync == nil || !v.LastFullSync.Equal(want) {
				t.Errorf("last full sync %v, want %v", v.LastFullSync, want)
			}
			kinds := splitKinds(rep)
			if kinds["truncated-record"] != 0 || kinds["joined-record"] != 1 {
				t.Errorf("warnings %v, want one joined-record and no truncated-record", kinds)
			}
			records := 0
			for _, in := range rep.Inputs {
				records += in.Records
				if in.Broken != 0 {
					t.Errorf("%s: %d broken", in.Path, in.Broken)
				}
				if strings.HasSuffix(in.Path, "Connector1.log") && (in.Records != 6 || in.Last == nil || !in.Last.Equal(want)) {
					t.Errorf("%s: %d records, last %v; want 6 (the joined one counted here), last %v", in.Path, in.Records, in.Last, want)
				}
			}
			if records != 8 {
				t.Errorf("%d records, want 8", records)
			}
		})
	}
}

// The rest of the record is longer than the head exlog reads to order
// the files (parse.HeadSize): the next file's first time is unknown
// before it is read, and the halves still join. (Cut inside the header:
// a head of only message text is not recognised as a trace log at all,
// trace.Detect.)
func TestJoinSplitLongRest(t *testing.T) {
	split := svcTraceRec("2023-10-18T02:28:42.0000007Z", splitDone+strings.Repeat(" Status: Connected", 500))
	a, b := splitFiles(split, strings.Index(split, "<Level>"), splitAfter...)
	rep := runSplit(t, a, b)
	if hasFinding(rep, "sync.unfinished") || splitKinds(rep)["joined-record"] != 1 {
		t.Errorf("findings %v, warnings %v", findingIDs(rep), splitKinds(rep))
	}
}

// Halves that are not one record stay as they were: both cut-record
// warnings, the full sync unfinished, the last one completed a day before.
func TestJoinSplitNegative(t *testing.T) {
	split := svcTraceRec("2023-10-18T02:28:42.0000007Z", splitDone)
	other := svcTraceRec("2023-10-18T02:30:00.0000001Z", splitPoll)
	late := svcTraceRec("2023-10-18T02:40:00.0000007Z", splitDone)  // after Connector2.log's first record
	early := svcTraceRec("2023-10-18T02:10:00.0000007Z", splitDone) // before Connector1.log's last record
	msgCut := strings.Index(split, "completed successfully")
	cases := map[string]func() (string, string){
		"halves of two records": func() (string, string) {
			a, _ := splitFiles(split, msgCut, splitAfter...)
			return a, other[strings.Index(other, "<Level>"):] + strings.Join(splitAfter, "")
		},
		"halves of two records, both in the header": func() (string, string) {
			a, _ := splitFiles(split, strings.Index(split, "<Level>"), splitAfter...)
			return a, other[strings.Index(other, "</System>"):] + strings.Join(splitAfter, "")
		},
		"time after the next file's first record": func() (string, string) {
			return splitFiles(late, msgCut, splitAfter...)
		},
		"time before the file's last record": func() (string, string) {
			return splitFiles(early, msgCut, splitAfter...)
		},
		"another writer": func() (string, string) {
			a, _ := splitFiles(split, msgCut)
			var after string
			for _, r := range splitAfter {
				after += strings.Replace(r, "<Computer>EXCONN01</Computer>", "<Computer>EXCONN02</Computer>", 1)
			}
			return a, split[msgCut:] + after
		},
		"a lone tail": func() (string, string) {
			a, _ := splitFiles(split, msgCut)
			return a, strings.Join(splitAfter, "")
		},
	}
	dayBefore := time.Date(2023, 10, 17, 2, 28, 43, 100, time.UTC)
	for name, files := range cases {
		t.Run(name, func(t *testing.T) {
			a, b := files()
			rep := runSplit(t, a, b)
			if !hasFinding(rep, "sync.unfinished") {
				t.Errorf("no sync.unfinished: %v", findingIDs(rep))
			}
			if v := rep.Verdict; v == nil || v.LastFullSync == nil || !v.LastFullSync.Equal(dayBefore) {
				t.Errorf("last full sync %v, want %v", v.LastFullSync, dayBefore)
			}
			kinds := splitKinds(rep)
			wantCut := 2
			if name == "a lone tail" {
				wantCut = 1
			}
			if kinds["truncated-record"] != wantCut || kinds["joined-record"] != 0 {
				t.Errorf("warnings %v, want %d truncated-record and no joined-record", kinds, wantCut)
			}
		})
	}
}

func findingIDs(rep *report.Report) []string {
	var ids []string
	for _, f := range rep.Findings {
		ids = append(ids, f.ID)
	}
	return ids
}
