# harness.sh - shared helpers for driftguard's shell integration tests.
#
# Source it from a test script run by automake (top_srcdir/top_builddir set).
# It speaks TAP, starts real servers (redis-server, the exchange simulator,
# collectd) on loopback ports of its own, bounds the test's time and kills
# every process it started, by pid, on exit.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
DG_SIM="$top_builddir/sim/driftguard-exchange-sim"
DG_EXECUTOR="$top_builddir/executor/driftguard-executor"
DG_PLUGIN_SO="$top_builddir/plugins/.libs/reconcile.so"
# Tests talk to loopback only: never through a proxy from the environment.
export no_proxy="127.0.0.1,localhost,::1" NO_PROXY="127.0.0.1,localhost,::1"
DG_TMP=$(mktemp -d "${TMPDIR:-/tmp}/dgtest.XXXXXX")
DG_PIDS=""
DG_TAP_N=0
DG_TAP_FAILED=0

# --- TAP --------------------------------------------------------------------
ok() { # ok CONDITION_EXIT_STATUS NAME...  (use: some_check; ok $? "name")
  local status=$1
  shift
  DG_TAP_N=$((DG_TAP_N + 1))
  if [ "$status" -eq 0 ]; then
    echo "ok $DG_TAP_N - $*"
  else
    DG_TAP_FAILED=$((DG_TAP_FAILED + 1))
    echo "not ok $DG_TAP_N - $*"
  fi
  return "$status"
}
is() { # is GOT WANT NAME...
  local got=$1 want=$2
  shift 2
  if [ "$got" = "$want" ]; then ok 0 "$@"; else
    ok 1 "$@"
    echo "#   got '$got', want '$want'"
  fi
}
diag() { echo "# $*"; }
skip_all() {
  echo "1..0 # SKIP $*"
  exit 0
}
bail() {
  echo "Bail out! $*"
  exit 1
}
dg_done() {
  echo "1..$DG_TAP_N"
  [ "$DG_TAP_FAILED" -eq 0 ]
}

# --- processes ----------------------------------------------------------------
dg_track() { DG_PIDS="$DG_PIDS $1"; }
dg_stop_pid() { # dg_stop_pid PID: TERM, wait up to 5 s, then KILL
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}
dg_cleanup() {
  local pid
  for pid in $DG_PIDS; do dg_stop_pid "$pid"; done
  if [ -n "${DG_WATCHDOG:-}" ]; then
    pkill -P "$DG_WATCHDOG" 2>/dev/null
    kill "$DG_WATCHDOG" 2>/dev/null
  fi
  if [ "$DG_TAP_FAILED" -ne 0 ] || [ -n "${DG_KEEP_TMP:-}" ]; then
    # Keep the logs of a failed test next to its .log for the reader.
    for f in "$DG_TMP"/*.log; do
      [ -f "$f" ] && { echo "# ---- $f"; tail -n 40 "$f" | sed 's/^/# /'; }
    done
  fi
  rm -rf "$DG_TMP"
}
trap dg_cleanup EXIT
trap 'exit 130' INT TERM

# dg_time_limit SECONDS: the whole test fails (and cleans up) past this.
dg_time_limit() {
  local self=$$
  # sleep must not hold the test's output open after the watchdog is killed.
  (sleep "$1" >/dev/null 2>&1 </dev/null && echo "Bail out! time limit of $1 s reached" &&
    kill -TERM "$self") &
  DG_WATCHDOG=$!
}

# dg_wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
dg_wait_for() {
  local limit=$1 i
  shift
  for i in $(seq $((limit * 10))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

# dg_free_port: a loopback TCP port nobody listens on right now, below the
# kernel's ephemeral range (a client connection's local port there would
# make a later bind of the same port fail).
dg_free_port() {
  local p low=32768
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null
  [ "$low" -gt 21000 ] 2>/dev/null || low=32768
  while :; do
    p=$((20000 + RANDOM % (low - 20000)))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || {
      echo "$p"
      return
    }
  done
}

# --- redis ----------------------------------------------------------------------
# dg_start_redis: sets REDIS_PORT, REDIS_PID, REDIS_URL; rcli runs redis-cli on it.
dg_start_redis() {
  local try
  command -v redis-server >/dev/null || bail "redis-server not installed"
  for try in 1 2 3 4 5; do
    REDIS_PORT=$(dg_free_port)
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' \
      --appendonly no --daemonize no --dir "$DG_TMP" \
      --logfile "$DG_TMP/redis-$REDIS_PORT.log" "$@" &
    REDIS_PID=$!
    if dg_wait_for 5 redis-cli -p "$REDIS_PORT" ping; then
      dg_track "$REDIS_PID"
      REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
      return 0
    fi
    dg_stop_pid "$REDIS_PID"
  done
  bail "redis-server did not start"
}
# dg_restart_redis_empty: stop Redis and start a new one on the same port,
# without persistence: what a restart does to a Redis that keeps nothing.
dg_restart_redis_empty() {
  dg_stop_pid "$REDIS_PID"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' \
    --appendonly no --daemonize no --dir "$DG_TMP" \
    --logfile "$DG_TMP/redis-$REDIS_PORT-again.log" &
  REDIS_PID=$!
  dg_track "$REDIS_PID"
  dg_wait_for 5 redis-cli -p "$REDIS_PORT" ping >/dev/null
}
rcli() { redis-cli -p "$REDIS_PORT" "$@"; }
# ledger SYMBOL AMT: the trading system books AMT for SYMBOL (a symbol it
# never booked has no entry: "ledger unknown", never flat).
ledger() { rcli HSET "quantum:ledger:$1" position_amt "$2" >/dev/null; }

# --- key files ------------------------------------------------------------------
# dg_keyfile PATH API_KEY SECRET: a 0600 exchange key file.
dg_keyfile() {
  (umask 077 && printf '%s\n%s\n' "$2" "$3" >"$1")
}
DG_API_KEY="dgTestApiKey0123456789abcdefABCDEF"
DG_API_SECRET="dgTestSecret0123456789abcdefABCDEF0123456789"

# --- exchange simulator ---------------------------------------------------------
# dg_start_sim [ARGS...]: sets SIM_PORT, SIM_PID, SIM_URL, SIM_KEYFILE.
dg_start_sim() {
  local try
  [ -x "$DG_SIM" ] || bail "simulator not built: $DG_SIM"
  SIM_KEYFILE="$DG_TMP/sim.key"
  dg_keyfile "$SIM_KEYFILE" "$DG_API_KEY" "$DG_API_SECRET"
  for try in 1 2 3 4 5; do
    SIM_PORT=$(dg_free_port)
    "$DG_SIM" -l "127.0.0.1:$SIM_PORT" -k "$SIM_KEYFILE" "$@" \
      >>"$DG_TMP/sim.log" 2>&1 &
    SIM_PID=$!
    SIM_URL="http://127.0.0.1:$SIM_PORT"
    if dg_wait_for 5 curl -sf "$SIM_URL/fapi/v1/time"; then
      dg_track "$SIM_PID"
      return 0
    fi
    dg_stop_pid "$SIM_PID"
  done
  bail "simulator did not start"
}
# sim_positions JSON: set positions, e.g. sim_positions '{"BTCUSDT":"0.007"}'
sim_positions() { curl -sf -X POST -d "$1" "$SIM_URL/sim/positions"; }
sim_faults() { curl -sf -X POST -d "$1" "$SIM_URL/sim/faults"; }
sim_orders() { curl -sf "$SIM_URL/sim/orders"; }

# --- collectd --------------------------------------------------------------------
# dg_collectd_plugindir: one directory with reconcile.so and the stock plugins
# (collectd refuses symlinks, so these are copies).
dg_collectd_plugindir() {
  local dir="$DG_TMP/plugins" p
  # Shared by every collectd of the test: a running collectd has these
  # mapped, so copy each once and never overwrite it.
  mkdir -p "$dir"
  if [ ! -f "$dir/reconcile.so" ]; then
    cp "$DG_PLUGIN_SO" "$dir/reconcile.so.tmp" && mv "$dir/reconcile.so.tmp" "$dir/reconcile.so" ||
      bail "plugin not built: $DG_PLUGIN_SO"
  fi
  for p in unixsock logfile write_prometheus; do
    [ -f "/usr/lib/collectd/$p.so" ] && [ ! -f "$dir/$p.so" ] && cp "/usr/lib/collectd/$p.so" "$dir/"
  done
  echo "$dir"
}

# dg_start_collectd NAME PLUGIN_CONFIG_TEXT: start collectd in the foreground
# with unixsock at $DG_TMP/NAME.sock and a log at $DG_TMP/NAME-collectd.log.
# Sets COLLECTD_PID and COLLECTD_SOCK. When the tree is built with sanitizers,
# the ASan runtime is preloaded so collectd can dlopen the instrumented plugin.
dg_start_collectd() {
  local name=$1 extra=$2 dir conf
  command -v collectd >/dev/null || [ -x /usr/sbin/collectd ] || bail "collectd not installed"
  dir=$(dg_collectd_plugindir)
  conf="$DG_TMP/$name-collectd.conf"
  COLLECTD_SOCK="$DG_TMP/$name.sock"
  # DG_COLLECTD_HOSTNAME_LINES: how collectd names the host; set empty for
  # collectd's own default (gethostname, then its FQDN).
  cat >"$conf" <<CONF
${DG_COLLECTD_HOSTNAME_LINES-Hostname "dgtest"
FQDNLookup false}
Interval 1
PluginDir "$dir"
BaseDir "$DG_TMP"
PIDFile "$DG_TMP/$name-collectd.pid"
TypesDB "/usr/share/collectd/types.db"
LoadPlugin logfile
<Plugin logfile>
  LogLevel "info"
  File "$DG_TMP/$name-collectd.log"
  Timestamp true
</Plugin>
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "$COLLECTD_SOCK"
  SocketPerms "0600"
  DeleteSocket true
</Plugin>
$extra
CONF
  # DG_COLLECTD_PRELOAD: a library preloaded into collectd besides
  # (benchmarks: another malloc); DG_COLLECTD_ASAN_OPTIONS: more ASan
  # options (disable_coredump=0 for a test that makes a core).
  local preload=${DG_COLLECTD_PRELOAD:-}
  if [ -n "${DG_SAN_CFLAGS:-}" ]; then
    preload="$(gcc -print-file-name=libasan.so)${preload:+ $preload}"
  fi
  LD_PRELOAD="$preload" \
    ASAN_OPTIONS="detect_leaks=0:verify_asan_link_order=0${DG_COLLECTD_ASAN_OPTIONS:+:$DG_COLLECTD_ASAN_OPTIONS}" \
    /usr/sbin/collectd -f -C "$conf" >>"$DG_TMP/$name-collectd.out" 2>&1 &
  COLLECTD_PID=$!
  dg_track "$COLLECTD_PID"
  dg_wait_for 10 test -S "$COLLECTD_SOCK" || bail "collectd $name did not start"
}
# cd_getval SOCK IDENT: the values collectd holds for IDENT, e.g.
# cd_getval "$COLLECTD_SOCK" dgtest/reconcile-BTCUSDT/hold_active
cd_getval() {
  printf 'GETVAL "%s"\n' "$2" | socat -t 2 - "UNIX-CONNECT:$1" 2>/dev/null
}

# --- write_prometheus -------------------------------------------------------------
# dg_prometheus_block PORT: config text for write_prometheus on loopback only.
# collectd 5.12's write_prometheus fails to bind an IPv4 Host, so it listens
# on [::1]; without Host it would listen on every interface.
dg_prometheus_block() {
  printf 'LoadPlugin write_prometheus\n<Plugin write_prometheus>\n  Host "::1"\n  Port "%s"\n</Plugin>\n' "$1"
}
# prom_scrape PORT: the metrics page.
prom_scrape() { curl -sf "http://[::1]:$1/metrics"; }
