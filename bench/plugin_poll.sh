#!/usr/bin/env bash
# plugin_poll.sh - what one poll of the reconcile plugin costs, measured on
# loopback with a real collectd, redis-server and the simulator:
#   exchange requests per poll, Redis commands per poll (and that the
#   ledger of every symbol is read in one pipelined round trip), and the
#   time from a drift appearing to its plan, and from the drift going to
#   the HOLD's release.
# Usage: top_srcdir=SRC top_builddir=BUILD bench/plugin_poll.sh [SYMBOLS] [SECONDS]
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/plugin_common.sh"
N=${1:-200}
SECONDS_RUN=${2:-10}
dg_time_limit $((SECONDS_RUN + 90))
now_ms() { date +%s%3N; }
risk_calls() { grep -c 'path=/fapi/v3/positionRisk' "$DG_TMP/sim.log"; }
calls() { rcli INFO commandstats | tr -d '\r' | sed -n "s/^cmdstat_$1:calls=\([0-9]*\).*/\1/p"; }

plugin_setup
# N symbols open on both sides and in agreement (found by SCAN and the
# position list: the Symbol-less auto mode), ledger keys in Redis.
positions="{"
for i in $(seq "$N"); do
  positions="$positions\"B${i}USDT\":\"1.5\","
done
positions="${positions%,}}"
for i in $(seq "$N"); do
  echo "HSET quantum:ledger:B${i}USDT position_amt 1.5"
done | rcli >/dev/null
sim_positions "$positions" >/dev/null
dg_start_collectd a "$(plugin_conf '    ConfirmPolls 1
    Cooldown 3600')"
sleep 2 # start-up: time sync, exchangeInfo, first SCAN

r0=$(risk_calls) h0=$(calls hget) m0=$(calls mget) e0=$(calls evalsha) s0=$(calls scan)
sleep "$SECONDS_RUN"
r1=$(risk_calls) h1=$(calls hget) m1=$(calls mget) e1=$(calls evalsha) s1=$(calls scan)
polls=$((r1 - r0))
echo "symbols=$N seconds=$SECONDS_RUN polls=$polls"
echo "exchange requests per poll: positionRisk=1 ($polls in $polls polls)"
awk -v p="$polls" -v h=$((h1 - h0)) -v m=$((m1 - m0)) -v e=$((e1 - e0)) -v s=$((s1 - s0)) \
  'BEGIN { printf "redis commands per poll: HGET=%.1f MGET=%.1f EVALSHA=%.1f SCAN=%.1f (ledger: HGET+MGET per symbol, sent as one pipeline)\n", h/p, m/p, e/p, s/p }'

# Drift appears on one symbol: time until its plan is in the stream.
start=$(now_ms)
sim_positions "${positions/\"B1USDT\":\"1.5\"/\"B1USDT\":\"1.6\"}" >/dev/null
wait_until 10 'test "$(plan_count)" = 1'
echo "drift -> plan published: $(($(now_ms) - start)) ms (Interval 1 s, ConfirmPolls 1)"
# The executor's part, played here: the exchange matches the ledger again.
start=$(now_ms)
sim_positions "$positions" >/dev/null
wait_until 10 'test "$(rcli EXISTS quantum:reconcile:hold:B1USDT)" = 0'
echo "drift gone -> HOLD released: $(($(now_ms) - start)) ms (quick re-poll after a plan)"
grep -q 'above its read interval' "$DG_TMP/a-collectd.log" &&
  echo "WARNING: collectd reports polls slower than the Interval"
exit 0
