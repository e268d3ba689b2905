package analyze

import (
	"exlog/internal/words"
	"fmt"
	"sort"
	"strings"

	"exlog/parse/bundle"
	"exlog/report"
)

// capped is what the archive caps kept out of the analysis: files refused
// whole, and files whose read a cap stopped part-way.
type capped struct {
	refused, stopped []string
	flags            []string // "--max-depth=1", in flag order, each once
}

func (c capped) none() bool { return len(c.refused)+len(c.stopped) == 0 }

// files is how many files the caps kept out in whole or in part.
func (c capped) files() int { return len(c.refused) + len(c.stopped) }

// capped collects what the caps kept out of this run.
func (a *run) capped() capped {
	var c capped
	seen := map[bundle.Limit]bool{}
	note := func(l bundle.Limit) {
		if !seen[l] {
			seen[l] = true
			c.flags = append(c.flags, string(l)+"="+a.opt.Limits.Value(l))
		}
	}
	for _, s := range a.skips {
		if s.Limit != "" {
			c.refused = append(c.refused, s.Path)
			note(s.Limit)
		}
	}
	for _, in := range a.inputs {
		if in.limit != "" {
			c.stopped = append(c.stopped, in.rep.Path)
			note(in.limit)
		}
	}
	sort.Strings(c.flags)
	return c
}

// nothingRead reports an analysis in which the caps kept out every piece
// of evidence: no input gave a record or was read to its end, and a cap
// refused or stopped something. Such a run is a usage error naming the
// flags, not a report.
func (a *run) nothingRead() error {
	c := a.capped()
	if c.none() {
		return nil
	}
	for _, in := range a.inputs {
		if in.rep.Records > 0 || !in.rep.Partial {
			return nil
		}
	}
	return &ErrCapped{Flags: c.flags, Files: c.files()}
}

// ErrCapped means the archive caps kept every piece of evidence out.
type ErrCapped struct {
	Flags []string // "--max-total=1KiB"
	Files int      // files refused or cut short
}

func (e *ErrCapped) Error() string {
	return fmt.Sprintf("nothing read: %s kept out %s; raise %s (or extract the archive and pass the folder) and run again",
		strings.Join(e.Flags, ", "), words.Count(e.Files, "file", ""), flagNames(e.Flags))
}

func flagNames(flags []string) string {
	names := make([]string, len(flags))
	for i, f := range flags {
		names[i], _, _ = strings.Cut(f, "=")
	}
	return strings.Join(names, " or ")
}

// capVerdict keeps a bundle read only in part from being called healthy:
// what was not read could hold the problem. The verdict becomes "unknown"
// and says first what the caps left out and which flag to raise.
func capVerdict(v *report.Verdict, c capped) {
	if c.none() {
		return
	}
	what := fmt.Sprintf("%s not read because of %s", words.Count(len(c.refused), "file", ""), strings.Join(c.flags, ", "))
	if len(c.refused) == 0 {
		what = fmt.Sprintf("%s read only in part because of %s", words.Count(len(c.stopped), "file", ""), strings.Join(c.flags, ", "))
	} else if len(c.stopped) > 0 {
		what += fmt.Sprintf(", %d more read only in part", len(c.stopped))
	}
	if strings.Contains(what, string(bundle.LimitFiles)) {
		// The --max-files refusal is one Skip for all the files past the cap.
		what = "some files not read because of " + strings.Join(c.flags, ", ")
	}
	files := append(append([]string(nil), c.refused...), c.stopped...)
	if len(files) > 3 {
		files = append(files[:3], "…")
	}
	step := fmt.Sprintf("Run exlog again with a higher %s (or extract the archive and pass the folder) so that every file is read.", flagNames(c.flags))
	if v.State != report.StateHealthy && v.State != report.StateUnknown {
		// A problem was found in what was read; it stands, and the
		// verdict says the rest was not looked at.
		v.Reasons = append(v.Reasons, "and "+what+" ("+strings.Join(files, ", ")+"): the rest of the bundle was not looked at")
		v.NextSteps = append([]string{step}, v.NextSteps...)
		return
	}
	v.State = report.StateUnknown
	reasons := []string{"can't tell: " + what + " (" + strings.Join(files, ", ") + "), and nothing wrong was found in the rest"}
	for _, r := range v.Reasons {
		// What the cap explains goes: the files it kept out (bundle.unreadable)
		// and "no trace record of the connector" when the traces were among them.
		if r == "no warning or error findings" || r == "the problems found are no longer happening at the end of the logs" ||
			strings.HasPrefix(r, "bundle.unreadable:") || strings.HasPrefix(r, "can't tell: the bundle holds no trace record") {
			continue
		}
		reasons = append(reasons, r)
	}
	v.Reasons = reasons
	steps := []string{step}
	for _, s := range v.NextSteps {
		if !strings.HasPrefix(s, "Collect the named files again") {
			steps = append(steps, s)
		}
	}
	v.NextSteps = steps
}
