#!/usr/bin/env bash
# The whole loop against the simulator as Bybit v5 linear: the reconcile
# plugin in a real collectd (Exchange "bybit-linear") detects drift between
# the simulator and the ledger in Redis, HOLDs the symbol and publishes a
# plan; the executor (Exchange "bybit-linear") closes it with exactly one
# reduce-only Market order on /v5/order/create, signed as Bybit checks it;
# the next poll releases the HOLD. A drift above maxMktOrderQty heals in
# orders of at most that size, never an order Bybit would split.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
. "$top_srcdir/tests/integration/sim_lib.sh"
. "$top_srcdir/tests/integration/sim_venue_lib.sh"
dg_time_limit 110

avoid_bucket_edge 120 30
dg_start_redis
# The plugin's and the executor's Exchange follow the simulator's venue.
sim_start_venue bybit-linear $(sim_listed BTCUSDT ETHUSDT) -s SOLUSDT=0.1:0.1:2
e2e_setup
ex_start
ok $? "executor starts as bybit-linear"
e2e_start_collectd a '    Symbol "BTCUSDT"
    Symbol "ETHUSDT"
    Symbol "SOLUSDT"
    ConfirmPolls 2'

# heals NAME SYMBOL EXCHANGE LEDGER SIDE QTY: one order of SIDE QTY in
# Bybit's shape, the exchange ends at the ledger, the HOLD is released.
heals() {
  local name=$1 symbol=$2 exchange=$3 want=$4 side=$5 qty=$6 orders
  ledger "$symbol" "$want"
  sim_positions "{\"$symbol\":\"$exchange\"}" >/dev/null
  dg_wait_for 15 settled "$symbol" "$want"
  ok $? "$name: the exchange ends at the ledger ($want) and the HOLD is released"
  orders=$(orders_for "$symbol")
  is "$(jq length <<<"$orders")" 1 "$name: exactly one order"
  is "$(jq -c '.[0].params | del(.orderLinkId)' <<<"$orders")" \
    "{\"category\":\"linear\",\"symbol\":\"$symbol\",\"side\":\"$side\",\"orderType\":\"Market\",\"qty\":\"$qty\",\"reduceOnly\":true,\"positionIdx\":0}" \
    "$name: a reduce-only Market $side $qty on positionIdx 0"
  [[ $(jq -r '.[0].params.orderLinkId' <<<"$orders") =~ ^dgrc-[0-9a-f]{31}$ ]]
  ok $? "$name: orderLinkId dgrc- + 31 hex"
  is "$(ex_results_json | jq -r --arg s "$symbol" 'map(select(.symbol == $s)) | map(.status) | join(",")')" \
    EXECUTED "$name: its result is EXECUTED"
  [[ $(ex_results_json | jq -r --arg s "$symbol" 'map(select(.symbol == $s)) | .[0].order_id') =~ ^[0-9a-f-]{36}$ ]]
  ok $? "$name: the result carries Bybit's UUID order id"
}

heals "full drift" BTCUSDT 0.007 0 Sell 0.007
heals "short drift" ETHUSDT -2.5 -1 Buy 1.5

# 5 SOL to close, 2 at most per market order: orders of 2, 2 and 1 over
# the next plans, each one order (Bybit would split a larger one).
ledger SOLUSDT 0
sim_positions '{"SOLUSDT":"5"}' >/dev/null
dg_wait_for 60 settled SOLUSDT 0
ok $? "above maxMktOrderQty: the exchange ends flat"
is "$(orders_for SOLUSDT | jq -r 'map(.params.qty) | join(",")')" "2,2,1" \
  "above maxMktOrderQty: closed by orders of at most 2"
is "$(orders_for SOLUSDT | jq -r 'map(.params.orderLinkId) | unique | length')" 3 \
  "above maxMktOrderQty: each order its own plan's orderLinkId"

# driftguard-ctl on the executor's configuration, as an operator runs it.
CTL="$top_builddir/ctl/driftguard-ctl"
sim_positions '{"ETHUSDT":"-1"}' >/dev/null
out=$("$CTL" -C "$EX_CONF" check 2>&1)
grep -Eq '^OK +api_key ' <<<"$out" &&
  grep -Eq '^OK +position_mode +one-way mode for each of the 1 symbol' <<<"$out"
ok $? "ctl check: the key, and the mode of each symbol with a position (Bybit's is per symbol)" ||
  diag "$out"
curl -sf -X POST -d '{"dualSidePosition":true,"symbol":"ETHUSDT"}' "$SIM_URL/sim/dual" >/dev/null
out=$("$CTL" -C "$EX_CONF" check 2>&1)
grep -Eq '^OK +position_mode +hedge mode for ETHUSDT' <<<"$out"
ok $? "ctl check: a symbol in hedge mode is named" || diag "$out"
curl -sf -X POST -d '{"dualSidePosition":false,"symbol":"ETHUSDT"}' "$SIM_URL/sim/dual" >/dev/null
out=$("$CTL" -C "$EX_CONF" status ETHUSDT SOLUSDT 2>&1)
grep -Eq '^ETHUSDT +-1 +-1 ' <<<"$out" && grep -Eq '^SOLUSDT +0 +0 ' <<<"$out"
ok $? "ctl status: exchange amounts read from Bybit" || diag "$out"
! grep -qF -e "$DG_API_SECRET" -e "$DG_API_KEY" <<<"$out"
ok $? "ctl: no secret printed"

is "$(counter main poll_errors exchange)" 0 "no failed exchange poll"
is "$(rcli XPENDING "$EX_PLAN_STREAM" executor | head -1)" 0 "every plan is ACKed"
leaks=$( (cat "$DG_TMP/a-collectd.log" "$EX_LOG"
  rcli --raw XRANGE "$EX_PLAN_STREAM" - +
  rcli --raw XRANGE "$EX_RESULT_STREAM" - +) |
  grep -cF -e "$DG_API_SECRET" -e "$DG_API_KEY")
is "$leaks" 0 "no API key or secret in logs, plans or results"
dg_done
