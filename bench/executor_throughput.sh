#!/usr/bin/env bash
# executor_throughput.sh - plans per second through driftguard-executor
# (issue 4, "Measured") draining a backlog that waits in the plan stream
# when it starts, per class of plan, and the Redis commands and round trips
# each plan costs. A real redis-server and the exchange simulator on
# loopback; figures are printed, never asserted.
#
#   top_srcdir=... top_builddir=... bench/executor_throughput.sh
# Environment: BENCH_PLANS (100000: reject, duplicate and mixed backlogs),
# BENCH_CLOSES (2000: valid closes), BENCH_COUNT_PLANS (2000: the smaller
# backlog the round trips are counted on), BENCH_BATCH (BatchSize, 128: the default),
# BENCH_CLASSES ("reject duplicate valid mixed").
#
# Classes (bench/plan_backlog.c): reject = signed plans whose symbol has no
# HOLD (rule hold_key); duplicate = replays of plans whose dedupe record is
# final; valid = one close per symbol with its HOLD and a simulator
# position (an order each); mixed = 2% valid, 49% each of the others.
# Plans/s: entries handled between the first and the last result entry
# (their stream ids are Redis's clock), so start-up is not counted. Redis
# commands: INFO commandstats deltas, commands run inside the executor's
# Lua scripts included. Round trips: on a second, smaller backlog, the
# commands MONITOR shows from the executor's own connection (it never
# pipelines, so one command is one round trip).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/harness.sh"

PLANS=${BENCH_PLANS:-100000}
CLOSES=${BENCH_CLOSES:-2000}
COUNT_PLANS=${BENCH_COUNT_PLANS:-2000}
BATCH=${BENCH_BATCH:-128}
GEN="$top_builddir/bench/dg-bench-plans"
PLAN_STREAM=quantum:stream:reconcile.close
RESULT_STREAM=quantum:stream:reconcile.close.result
GROUP=executor
dg_time_limit 1200

[ -x "$GEN" ] || bail "not built: $GEN (make bench builds it)"
[ -x "$DG_EXECUTOR" ] || bail "not built: $DG_EXECUTOR"
if ldd "$DG_EXECUTOR" 2>/dev/null | grep -q libasan; then
  echo "# warning: the executor is built with sanitizers: figures are not representative"
fi

dg_start_redis
dg_start_sim -w 100000000
KEYFILE="$DG_TMP/trade.key"
dg_keyfile "$KEYFILE" "$DG_API_KEY" "$DG_API_SECRET"
PLAN_KEYFILE="$DG_TMP/plan.key"
(umask 077 && printf '%s\n' "bench-plan-key-0123456789" >"$PLAN_KEYFILE")
CONF="$DG_TMP/executor.conf"
cat >"$CONF" <<CONF
URL "$SIM_URL"
KeyFile "$KEYFILE"
RedisURL "$REDIS_URL"
PlanKeyFile "$PLAN_KEYFILE"
Group "$GROUP"
Consumer "bench-1"
CollectdSocket ""
BatchSize $BATCH
CONF

cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
cmd_calls() { rcli INFO commandstats | awk -F'[=,:]' '/^cmdstat_/ { s += $3 } END { print s + 0 }'; }
redis_cpu_us() { rcli INFO cpu | tr -d '\r' | awk -F: '/^used_cpu_(sys|user):/ { s += $2 } END { printf "%.0f\n", s * 1e6 }'; }
results() { rcli XLEN "$RESULT_STREAM"; }
# handled: plans the group has delivered and acknowledged (the result stream
# is capped at ~100,000 entries, so a longer backlog is counted here).
handled() {
  rcli XINFO GROUPS "$PLAN_STREAM" | awk '
    prev == "entries-read" { read = $0 } prev == "pending" { pend = $0 }
    prev == "lag" { lag = $0 } { prev = $0 }
    END { print (pend == 0 && lag == 0) ? read + 0 : 0 }'
}
# entry_ms XRANGE|XREVRANGE: the Redis time (ms) of the first|last result.
entry_ms() {
  if [ "$1" = XRANGE ]; then set -- XRANGE "$RESULT_STREAM" - +; else set -- XREVRANGE "$RESULT_STREAM" + -; fi
  rcli --raw "$@" COUNT 1 | head -n 1 | cut -d- -f1
}

# load CLASS COUNT: an empty Redis and simulator, the group (at 0, as if
# the executor had run before), then the backlog through redis-cli --pipe.
load() {
  rcli FLUSHALL >/dev/null
  curl -sf -X POST "$SIM_URL/sim/reset" >/dev/null || bail "cannot reset the simulator"
  rcli XGROUP CREATE "$PLAN_STREAM" "$GROUP" 0 MKSTREAM >/dev/null
  "$GEN" "$1" "$2" "$PLAN_KEYFILE" "$DG_TMP/positions.json" |
    redis-cli -p "$REDIS_PORT" --pipe >"$DG_TMP/pipe.out" 2>&1 ||
    bail "loading the backlog failed: $(tail -n 2 "$DG_TMP/pipe.out")"
  [ "$(wc -c <"$DG_TMP/positions.json")" -le 3 ] ||
    sim_positions "@$DG_TMP/positions.json" >/dev/null ||
    bail "cannot set the positions"
  [ "$(rcli XLEN "$PLAN_STREAM")" = "$2" ] || bail "backlog has $(rcli XLEN "$PLAN_STREAM") entries, want $2"
}

# drain COUNT [WRAPPER...]: start the executor (under WRAPPER, e.g.
# strace, whose child it then is), wait for COUNT results, stop it.
# Sets EX_CPU_NS and WALL_MS.
drain() {
  local n=$1 t0 pid
  shift
  t0=$(date +%s%3N)
  # As under the shipped systemd unit (see its GNUTLS_NO_IMPLICIT_INIT).
  GNUTLS_NO_IMPLICIT_INIT=1 "$@" "$DG_EXECUTOR" -C "$CONF" >"$DG_TMP/executor.log" 2>&1 &
  EX_PID=$!
  dg_track "$EX_PID"
  RSS_FIRST="" RSS_MAX=0 FIRST_MS=""
  while [ "$(results)" -lt "$n" ] && [ "$(handled)" -lt "$n" ]; do
    kill -0 "$EX_PID" 2>/dev/null || bail "executor died: $(tail -n 3 "$DG_TMP/executor.log")"
    # The first result's time, taken before the capped stream trims it.
    [ -n "$FIRST_MS" ] || { [ "$(results)" -ge 1 ] && FIRST_MS=$(entry_ms XRANGE); }
    # Resident set (kB) once past start-up, to see whether it grows.
    if [ $# -eq 0 ] && [ "$(results)" -ge 1000 ]; then
      RSS_LAST=$(awk '/^VmRSS:/ { print $2 }' "/proc/$EX_PID/status" 2>/dev/null)
      [ -n "$RSS_FIRST" ] || RSS_FIRST=$RSS_LAST
      [ "${RSS_LAST:-0}" -gt "$RSS_MAX" ] && RSS_MAX=$RSS_LAST
    fi
    sleep 0.05
  done
  WALL_MS=$(($(date +%s%3N) - t0))
  pid=$EX_PID
  [ $# -eq 0 ] || pid=$(ps -o pid= --ppid "$EX_PID" | head -n 1)
  EX_CPU_NS=$(cpu_ns "$pid")
  dg_stop_pid "$pid"
  dg_stop_pid "$EX_PID"
  DG_PIDS=${DG_PIDS/ $EX_PID/}
}
# statuses: "STATUS:count ..." over the result stream.
statuses() {
  rcli --raw XRANGE "$RESULT_STREAM" - + | awk 'prev == "status" { n[$0]++ } { prev = $0 }
    END { for (s in n) printf "%s:%d ", s, n[s] }'
}

# round_trips CLASS COUNT: "ROUND_TRIPS COMMAND=N..." per plan on a
# backlog of COUNT. Round trips: strace counts the executor's write()s on
# its Redis socket (a round trip begins with one write; hiredis sends a
# whole pipeline in one). Commands by type: what MONITOR shows from the
# executor's connection (the one that sent XREADGROUP; script commands
# show as [0 lua] and are left out).
round_trips() {
  local mon="$DG_TMP/monitor.out" st="$DG_TMP/strace.out" mpid writes
  load "$1" "$2"
  redis-cli -p "$REDIS_PORT" MONITOR >"$mon" 2>/dev/null &
  mpid=$!
  dg_track "$mpid"
  sleep 0.2
  if command -v strace >/dev/null; then
    drain "$2" strace -f -qq -yy -e trace=write,writev,sendto,sendmsg -o "$st"
    writes=$(grep -c "127.0.0.1:$REDIS_PORT\]>" "$st")
  else
    drain "$2"
    writes=-1
  fi
  sleep 0.2
  dg_stop_pid "$mpid"
  DG_PIDS=${DG_PIDS/ $mpid/}
  awk -v n="$2" -v writes="$writes" '
    !addr && /"XREADGROUP"/ { match($0, /\[[0-9]+ [0-9.:]+\]/); addr = substr($0, RSTART, RLENGTH) }
    { lines[NR] = $0 }
    END {
      for (i = 1; i <= NR; i++)
        if (index(lines[i], addr) > 0) {
          split(lines[i], f, "\""); c[toupper(f[2])]++
        }
      if (writes < 0) printf "-"; else printf "%.2f", writes / n
      for (k in c) if (c[k] / n >= 0.01) printf " %s=%.2f", k, c[k] / n
      printf "\n"
    }' "$mon"
}

run_class() {
  local cls=$1 n=$2 r0 r1 first last rc rt wall cpu u0 u1
  load "$cls" "$n"
  r0=$(cmd_calls)
  u0=$(redis_cpu_us)
  drain "$n"
  u1=$(redis_cpu_us)
  r1=$(cmd_calls)
  wall=$WALL_MS cpu=$EX_CPU_NS
  first=${FIRST_MS:-$(entry_ms XRANGE)}
  last=$(entry_ms XREVRANGE)
  rc=$(statuses)
  rt=$(round_trips "$cls" $((n < COUNT_PLANS ? n : COUNT_PLANS)))
  awk -v cls="$cls" -v n="$n" -v ms=$((last - first)) -v wall="$wall" \
    -v cpu="$cpu" -v rcpu=$((u1 - u0)) -v rc=$((r1 - r0 - 1)) -v st="$rc" -v rt="$rt" 'BEGIN {
      split(rt, t, " ")
      printf "%-10s %7d %9.0f %7.2f %10.1f %10.1f %11.2f %12s  %s\n", cls, n,
        (ms > 0 ? (n - 1) * 1000 / ms : 0), wall / 1000, cpu / n / 1000,
        rcpu / n, rc / n, t[1], st
      sub(/^[^ ]* ?/, "", rt)
      printf "#   commands sent by the executor, per plan: %s\n", rt }'
  echo "#   executor RSS after 1,000 plans ${RSS_FIRST:-?} kB, at the end ${RSS_LAST:-?} kB, peak $RSS_MAX kB"
}

echo "# $(nproc) CPUs, load average before the run: $(cut -d" " -f1-3 /proc/loadavg) (other work on the machine skews every figure)"
echo "# driftguard-executor ($top_builddir), BatchSize $BATCH, log level info to a file,"
echo "# redis-server $(redis-server --version | sed "s/.*v=\([^ ]*\).*/\1/"); executor, redis-server and simulator share the CPUs"
printf '%-10s %7s %9s %7s %10s %10s %11s %12s  %s\n' class plans "plans/s" "wall s" \
  "exec us/p" "redis us/p" "redis cmd/p" "round trip/p" "statuses"
for cls in ${BENCH_CLASSES:-reject duplicate valid mixed}; do
  if [ "$cls" = valid ]; then run_class valid "$CLOSES"; else run_class "$cls" "$PLANS"; fi
done
exit 0
