#!/usr/bin/env bash
# A drift larger than the market maximum (exchangeInfo's MARKET_LOT_SIZE
# maxQty, Bybit's maxMktOrderQty, OKX's maxMktSz) is closed by several
# plans, each one order of at most that maximum: a venue would otherwise
# split the order (children of unknown client ids) or refuse it. The HOLD
# stays until the last close, then goes.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
dg_time_limit 90

e2e_setup
e2e_restart_sim $(sim_lot_args -m 0.005 "$BTC")
ex_start
ok $? "executor starts"
e2e_start_collectd a "$(symbol_lines BTC)
    ConfirmPolls 1"

ledger "$BTC" 0
sim_positions "$BTC" 0.012 >/dev/null
dg_wait_for 30 settled "$BTC" 0
ok $? "the exchange ends flat and the HOLD is released"
orders=$(orders_for "$BTC")
is "$(jq -r 'map(.quantity) | join(",")' <<<"$orders")" "0.005,0.005,0.002" \
  "three orders: two at the maximum 0.005, then the rest"
is "$(jq -r 'map(select(.side == "SELL" and (.reduceOnly | tostring) == "true")) | length' <<<"$orders")" 3 \
  "each a reduce-only SELL"
is "$(plans | jq -s 'map(.qty) | join(",")' -r)" "0.005,0.005,0.002" \
  "one plan per order, none above the maximum"
is "$(ex_results_json | jq -r 'map(.status) | unique | join(",")')" EXECUTED \
  "every plan EXECUTED"

dg_done
