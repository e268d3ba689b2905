#!/usr/bin/env bash
# Runs every fuzz target in the repository for a short time each
# (FUZZTIME, default 3s), one after the other. CI calls it after the tests;
# for a real campaign run it with FUZZTIME=10m (see docs/fuzzing.md).
# New crashers are written by Go under the package's testdata/fuzz/FuzzX/:
# commit them as seeds once the bug is fixed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"
fuzztime="${FUZZTIME:-3s}"
parallel="${FUZZPARALLEL:-2}"
failed=0
# "path/to/file_test.go:12:func FuzzX(f *testing.F) {" → "./path/to FuzzX"
targets=$(grep -rn --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*(' . \
	| grep -v '/bench/testdata/' \
	| sed -E 's#^(.*)/[^/]*_test\.go:[0-9]+:func (Fuzz[A-Za-z0-9_]*)\(.*#\1 \2#' | sort -u)
if [ -z "$targets" ]; then echo "fuzz: no targets found"; exit 1; fi
while read -r pkg target; do
	echo "== fuzz $pkg $target ($fuzztime)"
	corpus="$pkg/testdata/fuzz/$target"
	before=$( (ls "$corpus" 2>/dev/null || true) | wc -l)
	if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -parallel "$parallel" "$pkg"; then
		after=$( (ls "$corpus" 2>/dev/null || true) | wc -l)
		if [ "$after" -gt "$before" ]; then
			echo "fuzz: $pkg $target FAILED: new crasher under $corpus/ (commit it as a seed once fixed)"
			failed=1
		else
			# Go's fuzzer sometimes ends a short run with "context deadline
			# exceeded" when -fuzztime expires mid-input; no input failed.
			echo "fuzz: $pkg $target ended without a crashing input (fuzzer time-out at the end of the run); not a failure"
		fi
	fi
done <<<"$targets"
exit $failed
