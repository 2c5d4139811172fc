#!/usr/bin/env bash
# demo.sh - the whole driftguard loop on loopback, for a first look.
#
#   ./demo.sh [--exchange VENUE]  install what is missing, build, start redis,
#                                 the exchange simulator as VENUE (binance-usdm,
#                                 the default, bybit-linear or okx-swap),
#                                 collectd (reconcile + unixsock +
#                                 write_prometheus) and the executor, inject a
#                                 drift and narrate; Ctrl-C stops all.
#   ./demo.sh drift SYMBOL AMT    (in another terminal) a lost fill: the
#                                 ledger books SYMBOL flat, the exchange holds
#                                 AMT of it (the venue's symbol and unit: OKX
#                                 counts contracts).
#   ./demo.sh --hedge [--exchange VENUE]
#                                 the same on a hedge-mode account: a LONG and
#                                 a SHORT leg per symbol, each healed on its
#                                 own (ledger fields long_amt, short_amt; OKX:
#                                 posMode long_short_mode, in contracts).
#   ./demo.sh drift SYMBOL LONG SHORT   (hedge demo) the ledger books both legs
#                                 flat, the exchange holds LONG and SHORT.
set -uo pipefail
cd "$(dirname "$0")"
top=$(pwd)
state="${TMPDIR:-/tmp}/driftguard-demo"

if [ "${1:-}" = "drift" ] && [ $# -eq 4 ]; then
  [ -f "$state/env" ] || { echo "no demo running (start ./demo.sh --hedge first)" >&2; exit 1; }
  . "$state/env"
  [ "${HEDGE:-0}" = 1 ] || { echo "the running demo is one-way: $0 drift SYMBOL AMT" >&2; exit 2; }
  redis-cli -p "$REDIS_PORT" HSET "quantum:ledger:$2" long_amt 0 short_amt 0 >/dev/null &&
    curl -sf -X POST -d "{\"$2\":{\"LONG\":\"$3\",\"SHORT\":\"$4\"}}" "$SIM_URL/sim/positions" >/dev/null &&
    echo "exchange now holds $2 LONG $3 SHORT $4; the ledger says both flat: watch the demo's terminal"
  exit $?
fi
HEDGE=0
if [ "${1:-}" = "--hedge" ]; then
  HEDGE=1
  shift
fi
venue=binance-usdm
if [ "${1:-}" = "--exchange" ]; then
  venue=${2:-}
  shift 2 || true
fi
# The venue's symbols, the drift the story injects (in the venue's order
# unit) and the path that tells the simulator is up.
case $venue in
binance-usdm | bybit-linear)
  btc=BTCUSDT eth=ETHUSDT amt=0.007 unit=BTC
  probe=/fapi/v1/time
  [ "$venue" = bybit-linear ] && probe=/v5/market/time
  ;;
okx-swap)
  # OKX counts contracts: 7 contracts of 0.01 BTC (ctVal) are 0.07 BTC.
  btc=BTC-USDT-SWAP eth=ETH-USDT-SWAP amt=7 unit="contracts, ctVal 0.01 BTC"
  probe=/api/v5/public/time
  ;;
*)
  echo "usage: $0 [--exchange binance-usdm|bybit-linear|okx-swap] | drift SYMBOL AMOUNT" >&2
  exit 2
  ;;
esac

if [ "${1:-}" = "drift" ]; then
  [ $# -eq 3 ] || { echo "usage: $0 drift SYMBOL AMOUNT   e.g. $0 drift ETHUSDT 0.25 (OKX: ETH-USDT-SWAP 3)" >&2; exit 2; }
  [ -f "$state/env" ] || { echo "no demo running (start ./demo.sh first)" >&2; exit 1; }
  . "$state/env"
  # A symbol the ledger has no entry for is "ledger unknown": held, never
  # closed. The lost fill the demo shows is a ledger that says flat.
  redis-cli -p "$REDIS_PORT" HSET "quantum:ledger:$2" position_amt 0 >/dev/null &&
    curl -sf -X POST -d "{\"$2\":\"$3\"}" "$SIM_URL/sim/positions" >/dev/null &&
    echo "exchange now holds $3 $2; the ledger says flat: watch the demo's terminal"
  exit $?
fi

say() { printf '%s  %s\n' "$(date +%H:%M:%S.%3N)" "$*"; }
die() { say "error: $*" >&2; exit 1; }

say "installing what is missing (Debian packages)"
scripts/install-deps.sh || die "could not install dependencies"
build="$top/build-demo"
if [ ! -x "$build/executor/driftguard-executor" ] || [ -n "$(find lib plugins executor sim include -newer "$build/executor/driftguard-executor" -name '*.[ch]' 2>/dev/null | head -1)" ]; then
  say "building (log: $build/build.log)"
  mkdir -p "$build"
  { ./autogen.sh && (cd "$build" && ../configure --prefix=/usr --sysconfdir=/etc \
      --localstatedir=/var && make -j"$(nproc)"); } >"$build/build.log" 2>&1 ||
    { tail -n 30 "$build/build.log"; die "build failed"; }
fi

rm -rf "$state"
mkdir -p "$state/plugins"
pids=()
cleanup() {
  trap - EXIT INT TERM
  echo
  say "stopping everything this demo started"
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[$i]}" 2>/dev/null
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  rm -rf "$state"
  say "done"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}
wait_for() {
  local n=$1; shift
  for _ in $(seq $((n * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}

# Credentials for the simulator only: generated, mode 0600, never printed
# (OKX: a passphrase on the third line).
umask 077
printf 'demo%s\n%s\n' "$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')" \
  "$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')" >"$state/exchange.key"
[ "$venue" = okx-swap ] &&
  printf 'Demo%s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" >>"$state/exchange.key"
od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$state/plan.key"
umask 022

REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  --dir "$state" --logfile "$state/redis.log" &
pids+=($!)
wait_for 5 redis-cli -p "$REDIS_PORT" ping || die "redis-server did not start"
say "redis-server      127.0.0.1:$REDIS_PORT (pid ${pids[-1]})"
rcli() { redis-cli -p "$REDIS_PORT" "$@"; }

SIM_PORT=$(free_port)
SIM_URL="http://127.0.0.1:$SIM_PORT"
"$build/sim/driftguard-exchange-sim" --exchange "$venue" -l "127.0.0.1:$SIM_PORT" \
  -k "$state/exchange.key" >"$state/sim.log" 2>&1 &
pids+=($!)
wait_for 5 curl -sf "$SIM_URL$probe" || die "simulator did not start"
say "exchange simulator $SIM_URL as $venue (pid ${pids[-1]})"
if [ "$HEDGE" = 1 ]; then
  # Binance: the account's mode; Bybit: the symbol's; OKX: the account's
  # posMode (legs in contracts).
  mode='{"dualSidePosition":true}' mode_path=/sim/dual
  [ "$venue" = bybit-linear ] && mode="{\"dualSidePosition\":true,\"symbol\":\"$btc\"}"
  [ "$venue" = okx-swap ] && mode='{"posMode":"long_short_mode"}' mode_path=/sim/account
  curl -sf -X POST -d "$mode" "$SIM_URL$mode_path" >/dev/null ||
    die "could not switch the simulator to hedge mode"
  say "the account is in hedge mode: a LONG and a SHORT leg per symbol"
fi

PROM_PORT=$(free_port)
HOLD_LEASE=900
cp "$build/plugins/.libs/reconcile.so" "$state/plugins/" || die "plugin not built"
for p in unixsock logfile write_prometheus; do cp "/usr/lib/collectd/$p.so" "$state/plugins/"; done
cat >"$state/collectd.conf" <<EOF
Hostname "demo"
FQDNLookup false
Interval 1
PluginDir "$state/plugins"
BaseDir "$state"
PIDFile "$state/collectd.pid"
TypesDB "/usr/share/collectd/types.db"
LoadPlugin logfile
<Plugin logfile>
  LogLevel "info"
  File "$state/collectd.log"
  Timestamp true
</Plugin>
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "$state/collectd.sock"
  SocketPerms "0600"
  DeleteSocket true
</Plugin>
LoadPlugin write_prometheus
<Plugin write_prometheus>
  Host "::1"
  Port "$PROM_PORT"
</Plugin>
LoadPlugin reconcile
<Plugin reconcile>
  <Account "demo">
    Exchange "$venue"
    URL "$SIM_URL"
    KeyFile "$state/exchange.key"
    Interval 1
    Timeout 2
    ConfirmPolls 2
    RedisURL "redis://127.0.0.1:$REDIS_PORT/0"
    KeyPrefix "quantum"
    LedgerKey "quantum:ledger:{symbol}"
    LedgerField "position_amt"
    LedgerFieldLong "long_amt"
    LedgerFieldShort "short_amt"
    HoldLease $HOLD_LEASE
    Cooldown 120
    PlanKeyFile "$state/plan.key"
  </Account>
</Plugin>
EOF
/usr/sbin/collectd -f -C "$state/collectd.conf" >"$state/collectd.out" 2>&1 &
pids+=($!)
wait_for 10 test -S "$state/collectd.sock" || { cat "$state/collectd.out"; die "collectd did not start"; }
say "collectd          pid ${pids[-1]}, unixsock $state/collectd.sock"
say "write_prometheus  http://[::1]:$PROM_PORT/metrics"

cat >"$state/executor.conf" <<EOF
Exchange "$venue"
URL "$SIM_URL"
KeyFile "$state/exchange.key"
RedisURL "redis://127.0.0.1:$REDIS_PORT/0"
KeyPrefix "quantum"
PlanKeyFile "$state/plan.key"
Group "driftguard"
Consumer "demo-1"
CollectdSocket "$state/collectd.sock"
Hostname "demo"
MetricsInterval 1
HoldLease 900
Timeout 2
EOF
"$build/executor/driftguard-executor" -C "$state/executor.conf" >"$state/executor.log" 2>&1 &
pids+=($!)
sleep 0.3
kill -0 "${pids[-1]}" 2>/dev/null || { cat "$state/executor.log"; die "executor did not start"; }
say "executor          pid ${pids[-1]} (log $state/executor.log)"
printf 'SIM_URL=%q\nREDIS_PORT=%q\nHEDGE=%q\n' "$SIM_URL" "$REDIS_PORT" "$HEDGE" >"$state/env"

# --- the story -------------------------------------------------------------
metric() { # metric NAME LABEL: the value write_prometheus exports
  curl -sf "http://[::1]:$PROM_PORT/metrics" |
    awk -v n="$1" -v l="$2" '$1 ~ "^"n"[{]" && index($1, l) { print $2; exit }'
}
echo
if [ "$HEDGE" = 1 ]; then
  say "injecting drift on both legs: the exchange holds $btc LONG 0.5 and SHORT -0.3,"
  say "the ledger LONG 0.2 and SHORT -0.1: two plans, two orders (SELL LONG 0.3, BUY SHORT 0.2), one HOLD"
  rcli HSET "quantum:ledger:$btc" long_amt 0.2 short_amt -0.1 >/dev/null
  curl -sf -X POST -d "{\"$btc\":{\"LONG\":\"0.5\",\"SHORT\":\"-0.3\"}}" "$SIM_URL/sim/positions" >/dev/null
  say "inject another any time, from another terminal:  $0 drift $btc 0.25 -0.1"
else
  say "injecting a drift: the exchange holds $btc $amt ($unit), the ledger says flat"
  rcli HSET "quantum:ledger:$btc" position_amt 0 >/dev/null
  curl -sf -X POST -d "{\"$btc\":\"$amt\"}" "$SIM_URL/sim/positions" >/dev/null
  say "inject another any time, from another terminal:  $0 drift $eth $([ "$venue" = okx-swap ] && echo 3 || echo 0.25)"
fi
echo

declare -A held
last_plan=0-0
last_result=0-0
audit_lines=0
# stream_new KEY LAST: entries after LAST, one per line, as "id<TAB>k=v k=v ...".
stream_new() {
  rcli --csv XRANGE "$1" "($2" + 2>/dev/null |
    awk -F'","' '{ gsub(/^"|"$/, ""); s = $1 "\t"; for (i = 2; i < NF; i += 2) s = s " " $i "=" $(i + 1); print s }'
}
seen_lines=0
while :; do
  # Snapshot the later stages first (results, orders, plans, HOLDs), then
  # tell them in the story's order: a whole loop can pass between two polls
  # of this script, and the story must not run backwards.
  new_results=$(stream_new quantum:stream:reconcile.close.result "$last_result")
  n_audit=$(grep -c RECONCILE_CLOSE_AUDIT "$state/executor.log" 2>/dev/null)
  new_plans=$(stream_new quantum:stream:reconcile.close "$last_plan")
  holds_now=$(rcli --scan --pattern 'quantum:reconcile:hold:*')
  n_seen=$(grep -c 'reconcile plugin: .* drift seen' "$state/collectd.log" 2>/dev/null)

  # 1. Drift the plugin saw (collectd's log).
  if [ "${n_seen:-0}" -gt "$seen_lines" ]; then
    while read -r line; do
      say "drift seen      $(grep -o "symbol=[^ ]*" <<<"$line") ${line#*drift seen }"
    done < <(grep 'reconcile plugin: .* drift seen' "$state/collectd.log" | sed -n "$((seen_lines + 1)),${n_seen}p")
    seen_lines=$n_seen
  fi
  # 2. HOLDs, and the plans published with them (one script sets both).
  while IFS=$'\t' read -r id fields; do
    [ -n "$id" ] || continue
    last_plan=$id
    plan=$(rcli --raw XRANGE quantum:stream:reconcile.close "$id" "$id" | sed -n 3p)
    sym=$(jq -r .symbol <<<"$plan" 2>/dev/null)
    if [ -n "$sym" ] && [ -z "${held[$sym]:-}" ]; then
      held[$sym]=1
      say "HOLD set        $sym  (reason reconcile_drift, lease ${HOLD_LEASE}s)"
    fi
    say "plan published  $(jq -r '"plan_id=\(.plan_id) side=\(.side)\(if .position_side then " position_side=" + .position_side else "" end) qty=\(.qty) exchange_amt=\(.exchange_amt) ledger_amt=\(.ledger_amt)"' <<<"$plan" 2>/dev/null)"
  done <<<"$new_plans"
  for key in $holds_now; do
    sym=${key##*:}
    if [ -z "${held[$sym]:-}" ]; then
      held[$sym]=1
      say "HOLD set        $sym  (lease $(rcli TTL "$key") s, reason $(rcli GET "quantum:reconcile:hold_reason:$sym"))"
    fi
  done
  # 3. Orders: the executor's audit lines.
  if [ "${n_audit:-0}" -gt "$audit_lines" ]; then
    while read -r line; do
      say "order placed    [RECONCILE_CLOSE_AUDIT]${line#*\[RECONCILE_CLOSE_AUDIT\]}"
    done < <(grep RECONCILE_CLOSE_AUDIT "$state/executor.log" | sed -n "$((audit_lines + 1)),${n_audit}p")
    audit_lines=$n_audit
  fi
  # 4. Results the executor recorded.
  while IFS=$'\t' read -r id fields; do
    [ -n "$id" ] || continue
    last_result=$id
    say "plan result     $(tr ' ' '\n' <<<"$fields" | grep -E '^(symbol|status|rule|order_id|executed_qty|error)=.' | paste -sd' ')"
  done <<<"$new_results"
  # 5. HOLDs released.
  for sym in "${!held[@]}"; do
    if [ "$(rcli EXISTS "quantum:reconcile:hold:$sym")" = "0" ]; then
      unset "held[$sym]"
      say "HOLD released   $sym  (a fresh poll shows exchange = ledger); trading may resume"
      sleep 1.2 # one collectd interval, so the metrics below are the new ones
      if [ "$HEDGE" = 1 ]; then
        positions="position{exchange_long}=$(metric collectd_reconcile_position "reconcile=\"$sym\",type=\"exchange_long\"")"
        positions="$positions position{exchange_short}=$(metric collectd_reconcile_position "reconcile=\"$sym\",type=\"exchange_short\"")"
      else
        positions="position{exchange}=$(metric collectd_reconcile_position "reconcile=\"$sym\",type=\"exchange\"")"
      fi
      say "  metrics: hold_active=$(metric collectd_reconcile_hold_active "reconcile=\"$sym\"")" \
        "close_published=$(metric collectd_reconcile_close_published_total "reconcile=\"$sym\"")" \
        "close_executed{success}=$(metric collectd_reconcile_close_executed_total "reconcile=\"$sym\",type=\"success\"")" \
        "$positions"
    fi
  done
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || die "process $pid died; logs in $state"
  done
  sleep 0.2
done
