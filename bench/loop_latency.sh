#!/usr/bin/env bash
# loop_latency.sh - how long the whole driftguard loop takes, from a drift
# appearing on the exchange to the closing order and to the HOLD's
# release, over DRIFTS drifts (default 100) at Interval 1, ConfirmPolls
# CONFIRM_POLLS (default 1).
# Prints median and p99 per stage; asserts nothing (see bench/README.md).
#
# Runs the real thing on loopback, like the end-to-end tests (and with
# their set-up, tests/integration/e2e_lib.sh): Redis, the simulator, the
# plugin inside collectd, one executor. Every timestamp comes from one
# host clock:
#   inject   the simulator's log line of our POST /sim/positions
#   poll     its log line of the next GET /fapi/v3/positionRisk
#   plan     the plan's "ts" (the plugin, when it built the plan)
#   renew    the executor's hold_lease_renewed log line for the plan_id
#            (after consume, dedupe claim, guardrails, fresh position read)
#   order    the simulator's order "time"
#   result   the result entry's "ts"
#   release  a Redis keyspace "del" event of the HOLD key (this script
#            timestamps each event as it arrives)
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
DRIFTS=${DRIFTS:-100}
CONFIRM_POLLS=${CONFIRM_POLLS:-1}
dg_time_limit $((60 + DRIFTS * 4))

e2e_setup
e2e_restart_sim -w 1000000 $(sim_listed BTCUSDT)
ex_start || bail "executor did not start"
rcli CONFIG SET notify-keyspace-events Kg >/dev/null
EVENTS="$DG_TMP/events.txt"
# HOLD key events, each stamped with this host's clock in microseconds
# (the subscriber ends when Redis is stopped at exit).
(stdbuf -oL redis-cli -p "$REDIS_PORT" --csv PSUBSCRIBE \
  '__keyspace@0__:quantum:reconcile:hold:*' 2>/dev/null |
  while IFS= read -r line; do
    printf '%s %s\n' "${EPOCHREALTIME/./}" "$line"
  done >"$EVENTS") &
SUB_PID=$!
dg_track "$SUB_PID"
ledger BTCUSDT 0 # every drift is a lost fill against a flat ledger
e2e_start_collectd a "    Symbol \"BTCUSDT\"
    ConfirmPolls $CONFIRM_POLLS"
sleep 1

echo "# $DRIFTS drifts on BTCUSDT, Interval 1, ConfirmPolls $CONFIRM_POLLS (build: $top_builddir)" >&2
for i in $(seq 1 "$DRIFTS"); do
  # A unique size per drift (one cooldown bucket may hold them all), long
  # and short in turn, at a random phase of the poll interval.
  amt=$(printf '0.%03d' "$i" | sed 's/0*$//')
  [ $((i % 2)) -eq 0 ] && amt="-$amt"
  sleep "0.$((RANDOM % 900 + 100))"
  sim_positions "{\"BTCUSDT\":\"$amt\"}" >/dev/null
  dg_wait_for 10 settled BTCUSDT 0 || bail "drift $i ($amt) not closed and released in 10 s"
  [ $((i % 20)) -eq 0 ] && echo "# $i drifts done" >&2
done
sleep 0.5

# --- the timestamps, one line per drift -----------------------------------
ms() { date -d "$1" +%s%3N; } # ISO-8601 with milliseconds -> epoch ms
injects=($(awk '/method=POST path=\/sim\/positions/ { sub("ts=", "", $1); print $1 }' "$DG_TMP/sim.log"))
polls=$(awk '/path=\/fapi\/v3\/positionRisk/ { sub("ts=", "", $1); print $1 }' "$DG_TMP/sim.log")
releases=$(awk '/"del"$/ { print substr($1, 1, length($1) - 3) }' "$EVENTS") # us -> ms
results=$(ex_results_json | jq -r '.[] | select(.status == "EXECUTED") | [.plan_id, .order_id, .ts] | join(" ")')
[ "$(wc -l <<<"$results")" -eq "$DRIFTS" ] || bail "expected $DRIFTS executed results"
declare -A plan_ts order_ts
while read -r id ts; do plan_ts[$id]=$ts; done < <(plans | jq -r '.plan_id + " " + (.ts | tostring)')
while read -r id ts; do order_ts[$id]=$ts; done < <(sim_orders | jq -r '.[] | (.orderId | tostring) + " " + (.time | tostring)')

ROWS="$DG_TMP/rows.txt"
i=0
while read -r plan_id order_id result_ts; do
  inject=${injects[$i]}
  poll=$(awk -v t="$inject" '$1 >= t { print; exit }' <<<"$polls")
  renew=$(ms "$(grep -m1 "event=hold_lease_renewed .*plan_id=$plan_id\$" "$EX_LOG" | cut -d' ' -f1)")
  order=${order_ts[$order_id]}
  release=$(awk -v t="$order" '$1 >= t { print; exit }' <<<"$releases")
  plan=${plan_ts[$plan_id]}
  echo "$((poll - inject)) $((plan - poll)) $((renew - plan)) $((order - renew)) $((order - inject)) $((result_ts - order)) $((release - order)) $((release - inject))"
  i=$((i + 1))
done <<<"$results" >"$ROWS"

# --- the table ----------------------------------------------------------------
stage() { # stage COLUMN LABEL: median and p99 (nearest rank) of a column
  cut -d' ' -f"$1" "$ROWS" | sort -n | awk -v label="$2" '
    { v[NR] = $1 }
    END {
      med = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      r = int(0.99 * NR); if (r < 0.99 * NR) r++
      printf "%-52s %8.1f %8d\n", label, med, v[r]
    }'
}
printf '%-52s %8s %8s\n' "stage ($DRIFTS drifts, ms)" median p99
stage 1 "poll wait      drift on exchange -> next poll"
stage 2 "detection      poll -> plan built (+ confirm polls)"
stage 3 "publish->consume  plan -> executor renews the lease"
stage 4 "execution      lease renewed -> order filled"
stage 5 "= drift -> order"
stage 6 "  order -> result entry written"
stage 7 "  order -> HOLD released (next poll)"
stage 8 "= drift -> HOLD released"
