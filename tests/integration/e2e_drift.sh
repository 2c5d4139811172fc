#!/usr/bin/env bash
# The whole loop, end to end: the reconcile plugin in a real collectd
# (unixsock + write_prometheus) detects drift between the simulator and the
# ledger in Redis, HOLDs the symbol and publishes a plan; the executor
# closes it with exactly one reduce-only order; the next poll releases the
# HOLD. Full, partial and short drift heal; a ledger larger than the
# exchange is held and notified, never traded; a drift below the step size
# is no drift. Counters are checked through GETVAL and write_prometheus.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
dg_time_limit 110

# Each drift here lasts about a second: keep it inside one cooldown bucket,
# where the plugin publishes one plan per drift.
avoid_bucket_edge 120 30
e2e_setup
e2e_restart_sim $(sim_listed "$BTC" "$ETH" "$SOL" "$XRP" "$ADA" "$DOT" "$LINK")
ex_start
ok $? "executor starts before any drift"
e2e_start_collectd a "$(symbol_lines BTC ETH SOL XRP ADA DOT LINK)
    ConfirmPolls 2"

# plans_for SYMBOL: how many plans were published for SYMBOL.
plans_for() { plans | jq -s --arg s "$1" 'map(select(.symbol == $s)) | length'; }

# heals NAME SYMBOL EXCHANGE LEDGER SIDE QTY: the drift is closed by one
# order of SIDE QTY, the exchange ends at the ledger, the HOLD is released
# and the counters say so.
heals() {
  local name=$1 symbol=$2 exchange=$3 want=$4 side=$5 qty=$6 orders
  ledger "$symbol" "$want"
  sim_positions "{\"$symbol\":\"$exchange\"}" >/dev/null
  dg_wait_for 15 settled "$symbol" "$want"
  ok $? "$name: the exchange ends at the ledger ($want) and the HOLD is released"
  grep -q "published plan_id=reconclose:$symbol:.* side=$side exchange_amt=$exchange ledger_amt=$want" \
    "$DG_TMP/a-collectd.log" &&
    grep -q "symbol=$symbol drift gone, HOLD released" "$DG_TMP/a-collectd.log"
  ok $? "$name: the plugin logged the plan and the release of the HOLD"
  orders=$(orders_for "$symbol")
  is "$(jq length <<<"$orders")" 1 "$name: exactly one order"
  is "$(jq -r '.[0] | [.side, .type, .quantity, (.reduceOnly | tostring)] | join(" ")' <<<"$orders")" \
    "$side MARKET $qty true" "$name: the order is a reduce-only MARKET $side $qty"
  is "$(plans_for "$symbol")" 1 "$name: one plan published"
  is "$(ex_results_json | jq -r --arg s "$symbol" 'map(select(.symbol == $s)) | map(.status) | join(",")')" \
    EXECUTED "$name: its result is EXECUTED"
  dg_wait_for 5 yields 1 counter "$symbol" close_executed success
  is "$(counter "$symbol" close_executed success)" 1 \
    "$name: prometheus close_executed_total{reconcile=\"$symbol\",type=\"success\"} 1"
  is "$(counter "$symbol" close_consumed)" 1 "$name: prometheus close_consumed_total 1"
  is "$(counter "$symbol" close_published)" 1 "$name: prometheus close_published_total 1"
  cd_has "$COLLECTD_SOCK" "reconcile-$symbol/close_executed-success" &&
    cd_has "$COLLECTD_SOCK" "reconcile-$symbol/close_published"
  ok $? "$name: GETVAL knows close_executed-success and close_published"
  dg_wait_for 3 yields 0.000000e+00 getval "reconcile-$symbol/hold_active"
  is "$(getval "reconcile-$symbol/hold_active")" 0.000000e+00 "$name: GETVAL hold_active 0"
  is "$(getval "reconcile-$symbol/drift")" 0.000000e+00 "$name: GETVAL drift 0"
}

heals "full drift" "$BTC" 0.007 0 SELL 0.007
heals "partial drift" "$ETH" 0.5 0.3 SELL 0.2
heals "short drift" "$SOL" -2.5 -1 BUY 1.5

# The ledger holds more than the exchange: no reduce-only order can fix it.
ledger "$XRP" 0.5
sim_positions "$XRP" 0.2 >/dev/null
dg_wait_for 10 yields 3 hold_keys "$XRP"
ok $? "ledger larger: $XRP is put on HOLD"
dg_wait_for 5 grep -q "severity = WARNING.*plugin_instance = $XRP.*unfixable drift" \
  "$DG_TMP/a-collectd.log"
ok $? "ledger larger: a WARNING notification in the collectd log"
sleep 3
is "$(hold_keys $XRP)" 3 "ledger larger: the HOLD stays"
is "$(plans_for $XRP)" 0 "ledger larger: no plan"
is "$(orders_for $XRP | jq length)" 0 "ledger larger: no order"
is "$(sim_position $XRP)" 0.2 "ledger larger: the exchange is untouched"
is "$(getval reconcile-$XRP/hold_active)" 1.000000e+00 "ledger larger: GETVAL hold_active 1"
is "$(metric "collectd_reconcile_hold_active{reconcile=\"$XRP\",instance=\"$E2E_HOST\"}")" 1 \
  "ledger larger: prometheus hold_active 1"
is "$(grep -c "plugin_instance = $XRP.*unfixable drift" "$DG_TMP/a-collectd.log")" 1 \
  "ledger larger: notified once, not on every poll"
# The trading system books the real position: the HOLD goes, still no order.
ledger "$XRP" 0.2
dg_wait_for 5 settled "$XRP" 0.2
ok $? "ledger larger, then booked: the HOLD is released"
is "$(orders_for $XRP | jq length)" 0 "ledger larger, then booked: still no order"

# A difference below the step size (0.001) is no drift.
ledger "$ADA" 10.0004
sim_positions "$ADA" 10 >/dev/null
sleep 3.5
is "$(hold_keys $ADA)" 0 "below the step size: no HOLD"
is "$(plans_for $ADA)" 0 "below the step size: no plan"
is "$(orders_for $ADA | jq length)" 0 "below the step size: no order"
is "$(getval reconcile-$ADA/position-ledger)" 1.000040e+01 "below the step size: GETVAL sees the ledger"
is "$(getval reconcile-$ADA/hold_active)" 0.000000e+00 "below the step size: GETVAL hold_active 0"

# Short on the exchange, long in the ledger: the close only goes to flat
# (never flips), then the ledger is larger than the exchange: HOLD kept.
ledger "$DOT" 0.3
sim_positions "$DOT" -0.2 >/dev/null
dg_wait_for 15 yields 0 sim_position "$DOT"
ok $? "opposite signs: the exchange is closed to flat"
dg_wait_for 5 grep -q "plugin_instance = $DOT.*unfixable drift.*exchange_amt=0 ledger_amt=0.3" \
  "$DG_TMP/a-collectd.log"
ok $? "opposite signs: then the ledger is larger: a WARNING notification"
is "$(orders_for $DOT | jq -r 'map(.side + " " + .quantity) | join(",")')" "BUY 0.2" \
  "opposite signs: one reduce-only BUY 0.2, no order opening a long"
is "$(hold_keys $DOT)" 3 "opposite signs: the HOLD stays"
is "$(rcli GET quantum:reconcile:hold_sig:$DOT)" "$(drift_sig $DOT 0 0.3)" \
  "opposite signs: the HOLD now names the remaining drift"
ledger "$DOT" 0
dg_wait_for 5 settled "$DOT" 0
ok $? "opposite signs, then booked flat: the HOLD is released"

# A fill the ledger books one poll late is not drift (ConfirmPolls 2).
polled_since() { # polled_since LINE: a position read after sim.log line LINE
  tail -n +"$(($1 + 1))" "$DG_TMP/sim.log" | grep -q "path=$DG_PATH_POSITIONS"
}
mark=$(wc -l <"$DG_TMP/sim.log")
sim_positions "$LINK" 0.3 >/dev/null
dg_wait_for 3 polled_since "$mark"
ok $? "unbooked fill: a poll sees the exchange ahead of the ledger"
ledger "$LINK" 0.3
sleep 3
is "$(hold_keys $LINK)" 0 "unbooked fill, booked before the next poll: no HOLD"
is "$(plans_for $LINK)" 0 "unbooked fill: no plan"
is "$(orders_for $LINK | jq length)" 0 "unbooked fill: no order"

# The totals over the whole run.
is "$(sim_order_count)" 4 "four orders in all"
dg_wait_for 5 yields 4 counter all close_executed success
is "$(counter all close_executed success)" 4 "prometheus: 4 executed in all"
is "$(counter all close_rejected guardrails)" 0 "prometheus: no guardrail rejection"
is "$(counter all close_rejected duplicate)" 0 "prometheus: no duplicate"
is "$(rcli XPENDING "$EX_PLAN_STREAM" executor | head -1)" 0 "every plan is ACKed"
is "$(counter main poll_errors exchange)" 0 \
  "no failed exchange poll"

# Secrets never reach logs, metrics, plans, results or argv.
leaks=$( (cat "$DG_TMP/a-collectd.log" "$EX_LOG"
  prom_scrape "$PROM_PORT"
  rcli --raw XRANGE "$EX_PLAN_STREAM" - +
  rcli --raw XRANGE "$EX_RESULT_STREAM" - +
  tr '\0' ' ' <"/proc/$COLLECTD_PID/cmdline"
  tr '\0' ' ' <"/proc/$EX_PID/cmdline") |
  grep -cF -e "$DG_API_SECRET" -e "$DG_API_KEY" -e "$PLAN_KEY")
is "$leaks" 0 "no API key, API secret or plan key in logs, metrics, plans, results or argv"
dg_done
