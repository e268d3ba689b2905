# Sourced by .ci/run before `go test ./...`: installs VictoriaLogs, starts
# it on a free loopback port with a temporary storage directory, waits
# until it answers, and exports EXLOG_TEST_VL_URL for the TestVictoriaLogs_*
# tests and BenchmarkIndex_VictoriaLogs, and EXLOG_TEST_VL_BIN for the
# crash tests (index/vlcrash_test.go), which start a VictoriaLogs of their
# own on another loopback port, kill -9 it mid-run and start it again.
# The server is stopped and its storage removed when the sourcing shell
# exits.
#
# Retention is 100 years: VictoriaLogs silently drops records older than
# -retentionPeriod (7 days by default), and connector bundles are old.

VL_VERSION="${VL_VERSION:-v1.52.1}"
echo "== victorialogs $VL_VERSION"
go install "github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@$VL_VERSION"
vl_bin="$(go env GOPATH)/bin/victoria-logs"
vl_dir="$(mktemp -d)"

vl_stop() {
  if [ -n "${vl_pid:-}" ]; then kill "$vl_pid" 2>/dev/null || true; wait "$vl_pid" 2>/dev/null || true; fi
  rm -rf "$vl_dir"
}
trap vl_stop EXIT

# A port nobody listens on: try random high ports until a connect fails.
vl_free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

vl_started=""
for attempt in 1 2 3; do
  vl_port="$(vl_free_port)"
  "$vl_bin" -storageDataPath="$vl_dir/data" -httpListenAddr="127.0.0.1:$vl_port" \
    -retentionPeriod=100y -futureRetention=1y -loggerLevel=WARN >"$vl_dir/log" 2>&1 &
  vl_pid=$!
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$vl_port/health" >/dev/null 2>&1; then vl_started=1; break; fi
    if ! kill -0 "$vl_pid" 2>/dev/null; then break; fi   # exited: port taken after all
    sleep 0.1
  done
  [ -n "$vl_started" ] && break
  kill "$vl_pid" 2>/dev/null || true; wait "$vl_pid" 2>/dev/null || true; vl_pid=""
done
if [ -z "$vl_started" ]; then
  echo "victoria-logs did not start:"; cat "$vl_dir/log"; exit 1
fi
export EXLOG_TEST_VL_URL="http://127.0.0.1:$vl_port"
export EXLOG_TEST_VL_BIN="$vl_bin"
echo "victoria-logs listening at $EXLOG_TEST_VL_URL (pid $vl_pid)"
