package analyze

import (
	"strconv"

	"exlog/analyze/session"
	"exlog/analyze/unmatched"
	"exlog/event"
	"exlog/patterns"
	"exlog/report"
)

// unmatchedErrors lists the Error, Warning and Critical messages that no
// pattern matched (report.Unmatched). A message is matched when
//   - some pattern's condition matches it (patterns.Explainer: the
//     condition, not the finding: one event of a burst rule that never
//     reached its count is still matched), or
//   - it carries a sync marker ("(full sync)", "(quick sync)"): the sync
//     sessions and their checks (sync.failed, sync.unfinished) judge it.
//
// Other Go checks read exports and config files, not messages. Owned by
// the merge loop's goroutine.
type unmatchedErrors struct {
	x *patterns.Explainer
	c *unmatched.Collector
}

func newUnmatchedErrors(lib *patterns.Library) *unmatchedErrors {
	return &unmatchedErrors{x: lib.NewExplainer(), c: unmatched.NewCollector()}
}

// observe looks at one event of the merged stream.
func (u *unmatchedErrors) observe(e *event.Event) {
	if !unmatched.Wanted(e.Type) || session.HasSyncMarker(e.Message) || u.x.Explains(e) {
		return
	}
	u.c.Add(e)
}

// finish fills r.Unmatched and notes the totals in r.Summary.Extra
// ("unmatched_messages", "unmatched_templates", and
// "unmatched_overflow" when templates beyond the cap were not counted).
func (u *unmatchedErrors) finish(r *report.Report) {
	ts, sum := u.c.Finish()
	if len(ts) == 0 {
		return
	}
	r.Unmatched = ts
	if r.Summary.Extra == nil {
		r.Summary.Extra = map[string]string{}
	}
	r.Summary.Extra["unmatched_messages"] = strconv.Itoa(sum.Events)
	r.Summary.Extra["unmatched_templates"] = strconv.Itoa(sum.Templates)
	if sum.Overflow > 0 {
		r.Summary.Extra["unmatched_overflow"] = strconv.Itoa(sum.Overflow)
	}
}
