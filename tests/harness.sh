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
  diag "DG_VENUE=$DG_VENUE, ${SECONDS} s" # which venue, how long: for the suite's budget
  echo "1..$DG_TAP_N"
  [ "$DG_TAP_FAILED" -eq 0 ]
}

# --- venue ------------------------------------------------------------------------
# DG_VENUE: the exchange a test runs against, one of DG_VENUES; the
# simulator speaks it and the plugin and the executor use its driver. A test
# run through a link NAME@VENUE.sh (make check makes one per venue for the
# scenarios in tests/venues.mk) takes VENUE from its name; otherwise
# DG_VENUE comes from the environment, binance-usdm by default.
DG_VENUES="binance-usdm bybit-linear okx-swap"

# dg_use_venue VENUE: the test speaks VENUE from now on: DG_VENUE, the
# venue's REST paths (DG_PATH_QUERY: every path an order is looked up by
# its client id on, in the order a driver asks them; DG_PATH_PREFIX: shared
# by all of them) and the symbols $BTC, $ETH, ... (sym).
dg_use_venue() {
  local c
  case $1 in
  binance-usdm)
    DG_PATH_PREFIX=/fapi/ DG_PATH_TIME=/fapi/v1/time
    DG_PATH_POSITIONS=/fapi/v3/positionRisk
    DG_PATH_ORDER=/fapi/v1/order DG_PATH_QUERY=/fapi/v1/order
    ;;
  bybit-linear)
    DG_PATH_PREFIX=/v5/ DG_PATH_TIME=/v5/market/time
    DG_PATH_POSITIONS=/v5/position/list
    DG_PATH_ORDER=/v5/order/create DG_PATH_QUERY="/v5/order/realtime /v5/order/history"
    ;;
  okx-swap)
    DG_PATH_PREFIX=/api/v5/ DG_PATH_TIME=/api/v5/public/time
    DG_PATH_POSITIONS=/api/v5/account/positions
    DG_PATH_ORDER=/api/v5/trade/order DG_PATH_QUERY=/api/v5/trade/order
    ;;
  *) bail "unknown venue \"$1\" (known: $DG_VENUES)" ;;
  esac
  DG_VENUE=$1
  # DG_BAN_NO_END_MS: how long a driver keeps off after a ban its venue
  # gives no end for (Bybit's 403: "wait at least 10 minutes").
  DG_BAN_NO_END_MS=""
  [ "$1" = bybit-linear ] && DG_BAN_NO_END_MS=600000
  # DG_HEDGE_CLOSE_REDUCE_ONLY: the reduceOnly parameter of a hedge-mode
  # close as the venue wants it (none: not sent; Binance refuses it in
  # hedge mode, OKX implies it by posSide). DG_PATH_MODE: where the
  # account's position mode is read (none on Bybit: it is each symbol's,
  # in its position rows).
  DG_HEDGE_CLOSE_REDUCE_ONLY=none DG_PATH_MODE=""
  case $1 in
  binance-usdm) DG_PATH_MODE=/fapi/v1/positionSide/dual ;;
  bybit-linear) DG_HEDGE_CLOSE_REDUCE_ONLY=true ;;
  okx-swap) DG_PATH_MODE=/api/v5/account/config ;;
  esac
  for c in BTC ETH SOL XRP ADA DOT LINK; do
    printf -v "$c" '%s' "$(sym "$c")"
  done
}

# sym COIN: the symbol of COIN's USDT perpetual on DG_VENUE (BTC: BTCUSDT,
# BTC-USDT-SWAP). The coins tests use have theirs in $BTC, $ETH, ...
sym() {
  case $DG_VENUE in
  okx-swap) echo "$1-USDT-SWAP" ;;
  *) echo "$1USDT" ;;
  esac
}
# coin SYMBOL: the base coin of a venue symbol.
coin() {
  local c=${1%-USDT-SWAP}
  echo "${c%USDT}"
}
# symbol_lines COIN...: the plugin's Symbol lines for these coins.
symbol_lines() {
  local c
  for c in "$@"; do printf '    Symbol "%s"\n' "$(sym "$c")"; done
}
case ${0##*/} in
*@*.sh)
  DG_VENUE=${0##*@}
  DG_VENUE=${DG_VENUE%.sh}
  dg_scenario=${0##*/}
  dg_scenario=${dg_scenario%@*}
  # tests/venues.mk: scenarios whose other venues run only on request.
  case " ${DG_VENUE_SCENARIOS_ALL_ONLY:-} " in
  *" $dg_scenario "*)
    [ "${DG_ALL_VENUES:-}" = 1 ] ||
      skip_all "$dg_scenario on $DG_VENUE runs with DG_ALL_VENUES=1 (see tests/venues.mk)"
    ;;
  esac
  ;;
esac
dg_use_venue "${DG_VENUE:-binance-usdm}"

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
# dg_keyfile PATH API_KEY SECRET [PASSPHRASE]: a 0600 exchange key file.
dg_keyfile() {
  (umask 077 && printf '%s\n' "$2" "$3" ${4:+"$4"} >"$1")
}
DG_API_KEY="dgTestApiKey0123456789abcdefABCDEF"
DG_API_SECRET="dgTestSecret0123456789abcdefABCDEF0123456789"
DG_API_PASSPHRASE="dgTestPassphrase-01"
# dg_venue_keyfile PATH: the test's credentials for DG_VENUE (OKX: with
# the passphrase as the third line).
dg_venue_keyfile() {
  if [ "$DG_VENUE" = okx-swap ]; then
    dg_keyfile "$1" "$DG_API_KEY" "$DG_API_SECRET" "$DG_API_PASSPHRASE"
  else
    dg_keyfile "$1" "$DG_API_KEY" "$DG_API_SECRET"
  fi
}

# --- exchange simulator ---------------------------------------------------------
# Quantities: tests speak the venue's order unit. On okx-swap that is
# contracts, and every symbol a test lists trades in steps of 0.001
# contracts (lotSz and minSz) with a contract value other than 1 (OKX's own
# for BTC and ETH), so the amounts of a scenario mean the same on every
# venue and a driver that turned contracts into coins would be caught.
# sim_lot_args [-m MAX] SYMBOL...: simulator arguments listing each symbol
# with step and minimum 0.001, market maximum MAX (1000; Binance
# MARKET_LOT_SIZE maxQty, Bybit maxMktOrderQty, OKX maxMktSz) and on OKX
# its contract value.
sim_lot_args() {
  local s ct max=1000
  [ "${1:-}" = -m ] && max=$2 && shift 2
  for s in "$@"; do
    if [ "$DG_VENUE" = okx-swap ]; then
      case $(coin "$s") in
      BTC) ct=0.01 ;;
      ETH) ct=0.1 ;;
      XRP | ADA) ct=100 ;;
      *) ct=10 ;;
      esac
      printf -- '-s %s=0.001:0.001:%s:%s ' "$s" "$max" "$ct"
    else
      printf -- '-s %s=0.001:0.001:%s ' "$s" "$max"
    fi
  done
}

# dg_start_sim [ARGS...]: the simulator as DG_VENUE on a free port (on
# okx-swap with $BTC and $ETH in steps of 0.001 contracts, sim_lot_args,
# where OKX's own are 0.01); sets SIM_PORT, SIM_PID, SIM_URL and
# SIM_KEYFILE (the venue's key file, dg_venue_keyfile).
dg_start_sim() {
  local lots=""
  [ "$DG_VENUE" = okx-swap ] && lots=$(sim_lot_args "$BTC" "$ETH")
  # shellcheck disable=SC2086 # one word per argument
  dg_run_sim $lots "$@"
}
# dg_run_sim [ARGS...]: the same with only ARGS (the simulator's defaults).
dg_run_sim() {
  local try
  [ -x "$DG_SIM" ] || bail "simulator not built: $DG_SIM"
  SIM_KEYFILE="$DG_TMP/sim-$DG_VENUE.key"
  dg_venue_keyfile "$SIM_KEYFILE"
  for try in 1 2 3 4 5; do
    SIM_PORT=$(dg_free_port)
    "$DG_SIM" --exchange "$DG_VENUE" -l "127.0.0.1:$SIM_PORT" -k "$SIM_KEYFILE" \
      "$@" >>"$DG_TMP/sim.log" 2>&1 &
    SIM_PID=$!
    SIM_URL="http://127.0.0.1:$SIM_PORT"
    if dg_wait_for 5 curl -sf "$SIM_URL$DG_PATH_TIME"; then
      dg_track "$SIM_PID"
      return 0
    fi
    dg_stop_pid "$SIM_PID"
  done
  bail "simulator ($DG_VENUE) did not start"
}
# sim_positions JSON | SYMBOL AMT...: set positions, in the venue's
# symbols and units: sim_positions "$BTC" 0.007 "$ETH" -1, or a JSON object.
sim_positions() {
  local json=$1
  if [ $# -ge 2 ]; then
    json=$(jq -cn '$ARGS.positional | [range(0; length; 2) as $i | {key: .[$i], value: .[$i + 1]}] | from_entries' --args "$@")
  fi
  curl -sf -X POST -d "$json" "$SIM_URL/sim/positions"
}
sim_faults() { curl -sf -X POST -d "$1" "$SIM_URL/sim/faults"; }
# sim_orders: every order the simulator accepted, a JSON list in one shape
# on every venue: side BUY or SELL, type MARKET, quantity in the venue's
# unit, clientOrderId the venue's client id, orderId the simulator's number
# (venue_order_id gives the id the venue's API reports), leg the position
# leg it trades: LONG or SHORT in hedge mode (Binance positionSide, Bybit
# positionIdx 1/2, OKX posSide long/short), BOTH in one-way mode; params
# the request's own parameters, as the venue spells them.
sim_orders() {
  curl -sf "$SIM_URL/sim/orders" | jq -c 'map(.side |= ascii_upcase | .type |= ascii_upcase |
    .leg = ({"LONG": "LONG", "long": "LONG", "1": "LONG",
             "SHORT": "SHORT", "short": "SHORT", "2": "SHORT"}[.positionSide] // "BOTH"))'
}
# sim_set_hedge on|off [SYMBOL...]: the simulated account's position mode,
# set as DG_VENUE sets it: Binance the account's dualSidePosition
# (/sim/dual), Bybit each SYMBOL's (/sim/dual with the symbol), OKX the
# account's posMode long_short_mode or net_mode (/sim/account).
sim_set_hedge() {
  local dual=false s
  [ "$1" = on ] && dual=true
  shift
  case $DG_VENUE in
  bybit-linear)
    for s in "$@"; do
      curl -sf -X POST -d "{\"dualSidePosition\":$dual,\"symbol\":\"$s\"}" \
        "$SIM_URL/sim/dual" >/dev/null || return 1
    done
    ;;
  okx-swap)
    curl -sf -X POST -d "{\"posMode\":\"$([ $dual = true ] && echo long_short_mode || echo net_mode)\"}" \
      "$SIM_URL/sim/account" >/dev/null
    ;;
  *) curl -sf -X POST -d "{\"dualSidePosition\":$dual}" "$SIM_URL/sim/dual" >/dev/null ;;
  esac
}
# venue_order_id SIM_ORDER_ID: the order id DG_VENUE's API reports for the
# simulator's order number (Bybit: a UUID made from it, as sim/routes_bybit.c
# does; bash's 64-bit arithmetic wraps as uint64_t does).
venue_order_id() {
  if [ "$DG_VENUE" = bybit-linear ]; then
    local h=$(($1 * 0x9E3779B97F4A7C15))
    printf '%08x-%04x-4%03x-a%03x-%012x\n' $(((h >> 32) & 0xffffffff)) \
      $(((h >> 16) & 0xffff)) $(((h >> 4) & 0xfff)) $((h & 0xfff)) $(($1 & 0xffffffffffff))
  else
    echo "$1"
  fi
}
# sim_last_order_id: the venue's id of the newest order.
sim_last_order_id() { venue_order_id "$(sim_orders | jq -r 'last.orderId')"; }

# --- faults, venue-neutral ----------------------------------------------------------
# fault_at PLACE [MEMBERS]: the fault (a JSON object; more than one,
# comma-separated, when the venue has several paths for PLACE) aimed at
# PLACE on DG_VENUE: order (placing an order), query (asking for an order
# by its client id: the first path a driver asks), positions (the position
# read). MEMBERS: the fault's other members as a JSON object, e.g.
# '{"delay_ms":4000,"apply":true}' or "$(venue_error unknown)".
fault_at() {
  local members=${2:-'{}'} method=GET path
  case $1 in
  order) method=POST path=$DG_PATH_ORDER ;;
  query) path=${DG_PATH_QUERY%% *} ;;
  positions) path=$DG_PATH_POSITIONS ;;
  *) bail "fault_at: unknown place $1" ;;
  esac
  jq -c --arg p "$path" --arg m "$method" '{path: $p, method: $m} + .' <<<"$members"
}
# fault_not_found COUNT: faults making the next COUNT queries by client id
# answer "no such order" as DG_VENUE does: Binance -2013, Bybit an empty
# list on each of its query paths, OKX 51603.
fault_not_found() {
  local p out=""
  case $DG_VENUE in
  bybit-linear)
    for p in $DG_PATH_QUERY; do
      out="$out${out:+,}$(jq -cn --arg p "$p" --argjson n "$1" \
        '{path: $p, method: "GET", count: $n, status: 200,
          body: ({retCode: 0, retMsg: "OK", result: {category: "linear", list: [], nextPageCursor: ""},
                  retExtInfo: {}, time: (now * 1000 | floor)} | tojson)}')"
    done
    echo "$out"
    ;;
  *) fault_at query "$(jq -cn --argjson n "$1" --argjson e "$(venue_error not_found)" '$e + {count: $n}')" ;;
  esac
}
# venue_error KIND: the members of a fault answering as DG_VENUE does for
# KIND (its HTTP status and code): unknown (the order's fate is unknown:
# Binance -1007, Bybit 10000, OKX 50004), skew (timestamp outside the
# window: -1021, 10002, 50102), duplicate (the client id exists: -4116,
# 110072, 51016), reduce_only (the reduce-only close refused: -2022,
# 110017, 51169), signature (a bad signature: -1022, 10004, 50113),
# unavailable (503 Service Unavailable: -1001, 10016, 50001), rate_limit
# (the key or IP over its request limit: HTTP 429 -1003; 10006 in an HTTP
# 200, Bybit's documented refusal, where its HTTP 429 10429 "system level
# frequency protection" leaves an order's fate unknown; HTTP 429 50011),
# not_found (no such order: -2013, -, 51603).
venue_error() {
  local kind=$1 row
  row=$(awk -v v="$DG_VENUE" -v k="$kind" '$1 == k { print $(v == "binance-usdm" ? 2 : v == "bybit-linear" ? 3 : 4) }' <<'TABLE'
unknown     503:-1007  200:10000   400:50004
skew        400:-1021  200:10002   401:50102
duplicate   400:-4116  200:110072  200:51016
reduce_only 400:-2022  200:110017  200:51169
signature   400:-1022  200:10004   401:50113
unavailable 503:-1001  503:10016   503:50001
rate_limit  429:-1003  200:10006   429:50011
not_found   400:-2013  -           200:51603
TABLE
  )
  case $row in
  *:*) echo "{\"status\":${row%%:*},\"code\":${row#*:}}" ;;
  *) bail "venue_error: no $kind on $DG_VENUE" ;;
  esac
}

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
