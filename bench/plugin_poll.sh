#!/usr/bin/env bash
# plugin_poll.sh - what one poll of the reconcile plugin costs (issue 3,
# "Measured"): collectd CPU time, Redis commands and round trips, and HTTP
# requests per poll, for 1, 50 and 500 symbols in balance (no drift, the
# steady state). A real collectd polls the exchange simulator and a real
# redis-server on loopback; figures are printed, never asserted.
#
#   top_srcdir=... top_builddir=... bench/plugin_poll.sh
# Environment: DG_VENUE (binance-usdm, bybit-linear or okx-swap: the
# simulator's venue and the plugin's driver), BENCH_SYMBOLS ("1 50 500"),
# BENCH_SECONDS per size (20), BENCH_INTERVAL (0.2 s; okx-swap 0.25 s, under
# OKX's 10 position reads per 2 s), BENCH_AUTO=1 also runs the largest size with
# auto-discovery (no Symbol list), BENCH_MALLOC=/path/to/lib.so runs
# collectd with that allocator preloaded (e.g. Debian's libjemalloc2).
#
# Host CPU: the sum over collectd's threads of /proc/PID/task/*/schedstat
# (ns on CPU) across the window, minus an idle collectd's (same config
# without the plugin) over the same time, divided by the polls: the
# plugin's cost to the host, collectd's handling of its values included.
# Reader CPU: the same sum over collectd's read threads only (reader#N,
# which run the plugin's read callback). Own and dispatch CPU: the line
# the plugin logs at shutdown (its thread CPU clock around its work and
# around plugin_dispatch_values of its values). Polls: the GETs of the
# plugin's ban check in Redis (one per poll, on every venue; a venue may
# need more than one position request per poll: Bybit pages 200 positions
# at a time). Redis commands: INFO commandstats deltas (this script's own
# INFO subtracted) over those polls. HTTP: the venue's requests (paths under
# DG_PATH_PREFIX) the simulator served, over the polls.
# Round trips: strace on collectd counts write() calls on the
# plugin's Redis socket over a few polls (every round trip starts with one
# write, a pipeline is one write); see bench/README.md.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/harness.sh"

SIZES=${BENCH_SYMBOLS:-"1 50 500"}
if [ -n "${BENCH_MALLOC:-}" ]; then
  [ -r "$BENCH_MALLOC" ] || bail "BENCH_MALLOC=$BENCH_MALLOC: no such library"
  export DG_COLLECTD_PRELOAD=$BENCH_MALLOC
fi
SECONDS_PER_SIZE=${BENCH_SECONDS:-20}
INTERVAL=${BENCH_INTERVAL:-0.2}
[ "$DG_VENUE" = okx-swap ] && INTERVAL=${BENCH_INTERVAL:-0.25}
dg_time_limit 900

if ldd "$DG_PLUGIN_SO" 2>/dev/null | grep -q libasan; then
  echo "# warning: reconcile.so is built with sanitizers: CPU figures are not representative"
  DG_SAN_CFLAGS=1
fi

dg_start_redis
dg_start_sim -w 100000000
KEYFILE="$DG_TMP/plugin.key"
dg_venue_keyfile "$KEYFILE"

symbol() { sym "$(printf 'S%04d' "$1")"; }

# setup_symbols N: N positions on the simulator and the same amounts in
# the ledger (no drift).
setup_symbols() {
  local n=$1 i json
  rcli FLUSHALL >/dev/null
  curl -sf -X POST "$SIM_URL/sim/reset" >/dev/null || bail "cannot reset the simulator"
  for i in $(seq "$n"); do
    printf 'HSET quantum:ledger:%s position_amt 0.0%d\n' "$(symbol "$i")" $((i % 9 + 1))
  done | rcli >/dev/null
  json=$(for i in $(seq "$n"); do
    printf '"%s":"0.0%d"\n' "$(symbol "$i")" $((i % 9 + 1))
  done | paste -sd, -)
  sim_positions "{$json}" >/dev/null || bail "cannot set $n positions"
}

# plugin_block N auto: the <Plugin reconcile> block (Symbol list unless auto).
plugin_block() {
  local n=$1 auto=$2 i
  echo "LoadPlugin reconcile"
  echo "<Plugin reconcile>"
  echo "  <Account \"bench\">"
  echo "    Exchange \"$DG_VENUE\""
  echo "    URL \"$SIM_URL\""
  echo "    KeyFile \"$KEYFILE\""
  echo "    RedisURL \"$REDIS_URL\""
  echo "    Interval $INTERVAL"
  echo "    Timeout 2"
  if [ "$auto" = 0 ]; then
    for i in $(seq "$n"); do echo "    Symbol \"$(symbol "$i")\""; done
  fi
  echo "  </Account>"
  echo "</Plugin>"
}

# cpu_ns PID: nanoseconds on CPU of every thread of PID.
cpu_ns() {
  cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'
}
# reader_cpu_ns PID: nanoseconds on CPU of collectd's read threads
# ("reader#N"). They run the read callbacks, and reconcile is the only read
# plugin here: this is the plugin's own CPU, up to handing its values to
# collectd's write queue (what the "writer#N" threads then do with them,
# cache update and write_prometheus, is not in it).
reader_cpu_ns() {
  local t s=0 v
  for t in /proc/"$1"/task/*; do
    case "$(cat "$t/comm" 2>/dev/null)" in
    reader#*)
      v=$(cut -d" " -f1 "$t/schedstat" 2>/dev/null) && s=$((s + ${v:-0}))
      ;;
    esac
  done
  echo "$s"
}
# cmdstat_calls: "ALL GET": the calls of every command in INFO commandstats,
# and of GET (the plugin's shared-ban check: one per poll, before its
# positionRisk request).
cmdstat_calls() {
  rcli INFO commandstats | awk -F'[=,:]' '/^cmdstat_/ { s += $3 } /^cmdstat_get:/ { g = $3 }
    END { print s + 0, g + 0 }'
}
commands_seen() { rcli INFO commandstats | awk -F'[=,:]' '/^cmdstat_/ { print $1, $3 }' | sed 's/cmdstat_//'; }
# http_counts: "REQUESTS POSITION_READS" from one /sim/stats: every
# exchange request (DG_PATH_PREFIX) the simulator served, and its position
# reads.
http_counts() {
  curl -sf "$SIM_URL/sim/stats" | jq -r --arg pre "$DG_PATH_PREFIX" --arg pos "$DG_PATH_POSITIONS" \
    '[.paths // {} | to_entries[] | select(.key | startswith($pre))] |
    "\(map(.value) | add // 0) \(map(select(.key == $pos) | .value) | add // 0)"'
}
polls_now() { http_counts | cut -d" " -f2; }
# sync_poll: return half an Interval after a poll began (its first position
# request), so that snapshots never cut a poll in two.
sync_poll() {
  local p0
  p0=$(polls_now)
  while [ "$(polls_now)" = "$p0" ]; do sleep 0.01; done
  sleep "$(awk -v i="$INTERVAL" 'BEGIN { print i / 2 }')"
}
# snapshot: "CPU_NS REDIS_CALLS REDIS_GETS FAPI_REQUESTS POLLS TIME_NS
# READER_CPU_NS" now.
snapshot() {
  echo "$(cpu_ns "$COLLECTD_PID") $(cmdstat_calls) $(http_counts) $(date +%s%N) $(reader_cpu_ns "$COLLECTD_PID")"
}

stop_collectd() {
  dg_stop_pid "$COLLECTD_PID"
  DG_PIDS=${DG_PIDS/ $COLLECTD_PID/}
}

# round_trips SECONDS: write() calls collectd makes on its Redis socket,
# and polls (ban-check GETs), while strace watches for SECONDS.
round_trips() {
  local out="$DG_TMP/strace.out" p0 p1
  command -v strace >/dev/null || {
    echo "- -"
    return
  }
  p0=$(cmdstat_calls | cut -d" " -f2)
  timeout -s INT "$1" strace -f -qq -yy -e trace=write,writev,sendto,sendmsg \
    -p "$COLLECTD_PID" -o "$out" 2>/dev/null
  p1=$(cmdstat_calls | cut -d" " -f2)
  echo "$(grep -c "127.0.0.1:$REDIS_PORT\]>" "$out") $((p1 - p0))"
}

# The values go somewhere, as in production: write_prometheus (without
# any write plugin collectd logs a line for every value dispatched).
writer_block() { dg_prometheus_block "$(dg_free_port)"; }

# baseline_ns_per_s SECONDS: CPU ns per second of a collectd without the
# reconcile plugin.
baseline_ns_per_s() {
  local c0 c1
  dg_start_collectd idle "$(writer_block)"
  sleep 1
  c0=$(cpu_ns "$COLLECTD_PID")
  sleep "$1"
  c1=$(cpu_ns "$COLLECTD_PID")
  stop_collectd
  echo $(((c1 - c0) / $1))
}

IDLE_NS_PER_S=$(baseline_ns_per_s "$SECONDS_PER_SIZE")
echo "# $(nproc) CPUs, load average before the run: $(cut -d" " -f1-3 /proc/loadavg) (other work on the machine skews every figure)"
echo "# collectd 5.12 + reconcile.so ($top_builddir) + write_prometheus, Interval $INTERVAL s,"
echo "# malloc: ${BENCH_MALLOC:-glibc (default)}"
echo "# ${SECONDS_PER_SIZE} s per size; idle collectd without the plugin: $((IDLE_NS_PER_S / 1000)) us CPU/s, subtracted"
echo "# per poll: host = collectd's CPU beyond idle; reader = its read threads' CPU (the"
echo "# plugin's poll + handing values to collectd); own / dispatch = the plugin's"
echo "# thread CPU clock around its work / around plugin_dispatch_values (from its log);"
echo "# exch. = the part of own spent on the position requests and their parsing;"
echo "# HTTP = requests to the venue ($DG_VENUE) per poll"
printf '%-8s %-6s %6s %10s %10s %10s %10s %10s %10s %8s %6s\n' symbols mode polls "host ms" \
  "reader ms" "own ms" "exch. ms" "disp. ms" "redis cmd" "rtrip" "HTTP"

run_size() {
  local n=$1 auto=$2 s0 s1 rt
  setup_symbols "$n"
  dg_start_collectd "poll$n" "$(writer_block)
$(plugin_block "$n" "$auto")"
  # Warm up: exchangeInfo is fetched and cached by the first polls.
  dg_wait_for 10 grep -q "account=bench" "$DG_TMP/poll$n-collectd.log"
  sleep 2
  sync_poll
  s0=$(snapshot)
  sleep "$SECONDS_PER_SIZE"
  sync_poll
  s1=$(snapshot)
  stop_collectd
  # The plugin's own account of its polls, logged at shutdown: "OWN_US
  # DISPATCH_US EXCHANGE_US" per poll (every poll but the first).
  own=$(sed -n 's/.*account=bench .* cpu_us_per_poll=\([0-9.]*\) exchange_cpu_us_per_poll=\([0-9.]*\) dispatch_cpu_us_per_poll=\([0-9.]*\).*/\1 \3 \2/p' \
    "$DG_TMP/poll$n-collectd.log" | tail -n 1)
  # Round trips in a run of their own: strace slows every system call,
  # which must not reach the CPU figures above.
  dg_start_collectd "trace$n" "$(writer_block)
$(plugin_block "$n" "$auto")"
  dg_wait_for 10 grep -q "account=bench" "$DG_TMP/trace$n-collectd.log"
  sleep 1
  rt=$(round_trips 5)
  stop_collectd
  # Between the two INFO commandstats, the first one itself ran.
  awk -v n="$n" -v mode="$([ "$auto" = 1 ] && echo auto || echo list)" \
    -v s0="$s0" -v s1="$s1" -v idle="$IDLE_NS_PER_S" \
    -v rt="$rt" -v own="${own:--1 -1 -1}" 'BEGIN {
      split(s0, a, " "); split(s1, b, " "); split(rt, t, " "); split(own, o, " ")
      polls = b[3] - a[3]
      if (polls == 0) { print n, mode, "no polls seen"; exit }
      printf "%-8d %-6s %6d %10.3f %10.3f %10.3f %10.3f %10.3f %10.1f %8s %6.2f\n", n, mode, polls,
        (b[1] - a[1] - idle * (b[6] - a[6]) / 1e9) / polls / 1e6,
        (b[7] - a[7]) / polls / 1e6, o[1] / 1e3, o[3] / 1e3, o[2] / 1e3,
        (b[2] - a[2] - 1) / polls,
        (t[2] > 0 ? sprintf("%.2f", t[1] / t[2]) : "-"), (b[4] - a[4]) / polls }'
  if grep -q "poll failed" "$DG_TMP/poll$n-collectd.log"; then
    echo "#   warning: the plugin logged failed polls:"
    grep "poll failed" "$DG_TMP/poll$n-collectd.log" | head -n 3 | sed 's/^/#   /'
  fi
}

for n in $SIZES; do run_size "$n" 0; done
if [ "${BENCH_AUTO:-1}" = 1 ]; then
  largest=${SIZES##* }
  run_size "$largest" 1
fi
echo "# Redis commands by type over the whole bench:"
commands_seen | grep -v '^info ' | sed 's/^/#   /'
exit 0
