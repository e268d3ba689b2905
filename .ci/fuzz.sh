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
	if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -parallel "$parallel" "$pkg"; then
		echo "fuzz: $pkg $target FAILED (crasher written under $pkg/testdata/fuzz/$target/)"
		failed=1
	fi
done <<<"$targets"
exit $failed
