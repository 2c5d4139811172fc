#!/usr/bin/env bash
# Several instances on the whole loop: two collectd daemons watch the same
# account (one with a Symbol list, one finding symbols itself) and three
# executors share one consumer group. 200 drifts across
# 20 symbols, in 10 waves (set 20 positions, wait until every one is closed
# and released): exactly one order per drift, no HOLD left behind, all in
# well under two minutes.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
dg_time_limit 170

SYMBOLS=()
for i in $(seq -w 1 20); do SYMBOLS+=("$(sym "E2E$i")"); done
WAVES=10

e2e_setup
# 200 closes in a minute need more than Binance's 2400 weight a minute,
# Bybit's 10 orders a second and OKX's 10 position reads per 2 s (the rate
# limits have their own tests); every symbol is listed up front.
e2e_restart_sim -w 1000000 -r 1000 $(sim_listed "${SYMBOLS[@]}")
ex_start
ok $? "executor exec-1 starts"
# Each executor counts its own closes: on one host they need Hostnames of
# their own, or their PUTVALs overwrite one another's counters.
e2e_start_executor exec-2 'Hostname "dgtest-2"'
ok $? "executor exec-2 starts"
e2e_start_executor exec-3 'Hostname "dgtest-3"'
ok $? "executor exec-3 starts"
# Daemon b finds the symbols itself (no Symbol option: every symbol open
# on either side), daemon a is given the list.
e2e_start_collectd b '    ConfirmPolls 1'
e2e_start_collectd a "$(printf '    Symbol "%s"\n' "${SYMBOLS[@]}")
    ConfirmPolls 1"

# wave_positions W: W's position for every symbol, unique per drift (a
# drift seen again in the same cooldown bucket would rightly get no plan):
# symbol i gets (20 W + i) thousandths, long and short alternating.
wave_positions() {
  local w=$1 i json="" amt
  for i in "${!SYMBOLS[@]}"; do
    amt=$(printf '%d.%03d' $(((20 * w + i + 1) / 1000)) $(((20 * w + i + 1) % 1000)) |
      sed 's/0*$//') # canonical text, as the exchange writes it
    [ $(((w + i) % 2)) -eq 1 ] && amt="-$amt"
    json="$json${json:+,}\"${SYMBOLS[$i]}\":\"$amt\""
  done
  echo "{$json}"
}
# all_settled: every symbol flat on the exchange and no HOLD key left.
all_settled() {
  [ "$(curl -sf "$SIM_URL/sim/positions")" = "{}" ] &&
    [ -z "$(rcli --scan --pattern 'quantum:reconcile:hold*')" ]
}

# The ledger books every symbol flat: each wave is a lost fill.
for s in "${SYMBOLS[@]}"; do ledger "$s" 0; done
start=$(date +%s)
for w in $(seq 0 $((WAVES - 1))); do
  sim_positions "$(wave_positions "$w")" >/dev/null
  if ! dg_wait_for 20 all_settled; then
    ok 1 "wave $w: every drift closed and released"
    diag "positions: $(curl -sf "$SIM_URL/sim/positions")"
    diag "holds: $(rcli --scan --pattern 'quantum:reconcile:hold*' | tr '\n' ' ')"
    break
  fi
  is "$(sim_order_count)" $((20 * (w + 1))) "wave $w: 20 drifts closed and released, 20 more orders"
done
elapsed=$(($(date +%s) - start))
[ "$elapsed" -lt 120 ]
ok $? "$((20 * WAVES)) drifts handled in ${elapsed} s (< 120 s)"

orders=$(sim_orders)
is "$(jq length <<<"$orders")" $((20 * WAVES)) "exactly $((20 * WAVES)) orders"
want=""
for w in $(seq 0 $((WAVES - 1))); do
  want="$want$(wave_positions "$w" | jq -r 'to_entries[] | .key + " " + (if (.value | startswith("-")) then "BUY " + .value[1:] else "SELL " + .value end)')
"
done
is "$(jq -r '.[] | .symbol + " " + .side + " " + .quantity' <<<"$orders" | sort)" \
  "$(printf '%s' "$want" | sort)" "one order per drift: its symbol, side and size, none twice"
is "$(jq '[.[] | select(.reduceOnly != true or .type != "MARKET")] | length' <<<"$orders")" 0 \
  "every order is a reduce-only MARKET order"
is "$(rcli --scan --pattern 'quantum:reconcile:hold*' | wc -l)" 0 "no HOLD left behind"
results=$(ex_results_json)
is "$(jq '[.[] | select(.status == "EXECUTED")] | length' <<<"$results")" $((20 * WAVES)) \
  "$((20 * WAVES)) EXECUTED results"
is "$(jq '[.[] | select(.status == "EXECUTED") | .plan_id] | unique | length' <<<"$results")" \
  $((20 * WAVES)) "each from its own plan"
# A drift that outlives a cooldown bucket edge rightly gets a second plan;
# it must find the drift gone (stale) or the first plan's outcome.
is "$(jq -r '[.[] | select(.status != "EXECUTED") | .status + "/" + .rule] | unique |
    map(select(. != "REJECTED_GUARDRAIL/stale" and . != "REJECTED_GUARDRAIL/hold_key" and
               . != "DROPPED_DUPLICATE/")) | join(" ")' <<<"$results")" "" \
  "any other result is a stale or duplicate plan"
consumers=$(jq -r '[.[] | select(.status == "EXECUTED") | .consumer] | group_by(.) |
    map(.[0] + "=" + (length | tostring)) | join(" ")' <<<"$results")
diag "executions per consumer: $consumers"
[ "$(wc -w <<<"$consumers")" -ge 2 ]
ok $? "the consumer group spreads the plans over the executors ($consumers)"
is "$(rcli XPENDING "$EX_PLAN_STREAM" executor | head -1)" 0 "every plan is ACKed"
# executed_total: close_executed success summed over the three executors.
executed_total() {
  local host sum=0 v
  for host in dgtest dgtest-2 dgtest-3; do
    v=$(E2E_HOST=$host counter all close_executed success)
    sum=$((sum + ${v:-0}))
  done
  echo "$sum"
}
dg_wait_for 5 yields $((20 * WAVES)) executed_total
is "$(executed_total)" $((20 * WAVES)) \
  "prometheus: close_executed success summed over the executors is $((20 * WAVES))"
pa=$(grep -c 'published plan_id=' "$DG_TMP/a-collectd.log")
pb=$(grep -c 'published plan_id=' "$DG_TMP/b-collectd.log")
diag "plans published: collectd a $pa, collectd b $pb"
is "$(rcli XLEN "$EX_PLAN_STREAM")" $((pa + pb)) "every plan in the stream comes from one of the two daemons"
[ $((pa + pb)) -ge $((20 * WAVES)) ] && [ $((pa + pb)) -le $((20 * WAVES + 20)) ]
ok $? "one plan per drift across both daemons ($((pa + pb)); a cooldown bucket edge may add one per symbol)"
dg_done
