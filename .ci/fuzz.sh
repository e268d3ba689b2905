#!/usr/bin/env bash
# Runs every fuzz target in the repository for a short time each
# (FUZZTIME, default 3s). CI calls it after the tests; for a real campaign
# run it with FUZZTIME=10m (see docs/fuzzing.md).
#   FUZZTIME      time per target (default 3s)
#   FUZZPARALLEL  fuzz workers per target (default 2)
#   FUZZJOBS      targets fuzzed at the same time (default 1)
#   FUZZONLY      extended regexp; only targets whose "pkg Target" matches
#   FUZZLOGS      folder for one log per target (default: print to stdout)
#   FUZZTIMEOUT   go test -timeout (default 5m for FUZZTIME in seconds, else
#                 0: go test's own 10m default would end a 10m campaign)
# New crashers are written by Go under the package's testdata/fuzz/FuzzX/:
# commit them as seeds once the bug is fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"
export FUZZTIME="${FUZZTIME:-3s}" FUZZPARALLEL="${FUZZPARALLEL:-2}" FUZZLOGS="${FUZZLOGS:-}"
jobs="${FUZZJOBS:-1}"
if [ -z "${FUZZTIMEOUT:-}" ]; then
	case "$FUZZTIME" in *s) FUZZTIMEOUT=5m ;; *) FUZZTIMEOUT=0 ;; esac
fi
export FUZZTIMEOUT
# "path/to/file_test.go:12:func FuzzX(f *testing.F) {" → "./path/to FuzzX"
targets=$(grep -rn --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*(' . \
	| grep -v '/bench/testdata/' \
	| sed -E 's#^(.*)/[^/]*_test\.go:[0-9]+:func (Fuzz[A-Za-z0-9_]*)\(.*#\1 \2#' | sort -u)
if [ -n "${FUZZONLY:-}" ]; then targets=$(grep -E "$FUZZONLY" <<<"$targets" || true); fi
if [ -z "$targets" ]; then echo "fuzz: no targets found"; exit 1; fi

# fuzz_one PKG TARGET: exit 1 only when the run wrote a new crashing input.
fuzz_one() {
	local pkg="$1" target="$2"
	if [ -n "$FUZZLOGS" ]; then
		mkdir -p "$FUZZLOGS"
		fuzz_run "$pkg" "$target" >"$FUZZLOGS/$(echo "${pkg#./}" | tr / _)_$target.log" 2>&1
	else
		fuzz_run "$pkg" "$target"
	fi
}
fuzz_run() {
	local pkg="$1" target="$2" corpus before after
	corpus="$pkg/testdata/fuzz/$target"
	{
		echo "== fuzz $pkg $target ($FUZZTIME, $FUZZPARALLEL workers) started $(date -u +%FT%TZ)"
		before=$( (ls "$corpus" 2>/dev/null || true) | wc -l)
		if go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" -timeout "$FUZZTIMEOUT" -parallel "$FUZZPARALLEL" "$pkg" 2>&1; then
			echo "== fuzz $pkg $target ok, ended $(date -u +%FT%TZ)"
			return 0
		fi
		after=$( (ls "$corpus" 2>/dev/null || true) | wc -l)
		if [ "$after" -gt "$before" ]; then
			echo "fuzz: $pkg $target FAILED: new crasher under $corpus/ (commit it as a seed once fixed)"
			return 1
		fi
		# Go's fuzzer sometimes ends a run with "context deadline exceeded"
		# when -fuzztime expires mid-input; no input failed.
		echo "fuzz: $pkg $target ended without a crashing input (fuzzer time-out at the end of the run); not a failure"
	}
}
export -f fuzz_one fuzz_run

if xargs -P "$jobs" -L 1 bash -c 'fuzz_one "$0" "$1"' <<<"$targets"; then
	exit 0
fi
echo "fuzz: at least one target found a crashing input"
exit 1
