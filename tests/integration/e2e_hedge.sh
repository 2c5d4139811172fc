#!/usr/bin/env bash
# Hedge mode, end to end: an account with a LONG and a SHORT leg per symbol
# (in the simulator; each venue's mode switch is harness.sh's
# sim_set_hedge: Binance "dual side position", Bybit per symbol, OKX
# posMode long_short_mode). The reconcile plugin in a real collectd
# reconciles each leg against its own ledger field (long_amt, short_amt),
# one plan per drifting leg under one HOLD; the executor closes each leg
# with one MARKET order on that leg (Binance: positionSide, no reduceOnly;
# Bybit: positionIdx, reduceOnly; OKX: posSide, no reduceOnly, in
# contracts), never more than the leg, never across legs; the HOLD is
# released once both legs are healed. A leg the ledger holds more of is
# held and notified, never traded. A mode switch while a plan waits: the
# plan made under the old mode is refused by rule mode, the next poll
# decides under the new one. Runs on every venue (tests/venues.mk).
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
dg_time_limit 150

SYMS="$BTC $ETH $SOL $XRP $ADA $DOT"
# A leg's close: SIDE LEG QTY and the reduceOnly parameter sent (none when
# absent), the venue's own close shape (sim_orders, dg_use_venue).
SHAPE='"\(.side) \(.leg) \(.quantity) \(.params.reduceOnly // "none")"'
CLOSE_MARK=$DG_HEDGE_CLOSE_REDUCE_ONLY

avoid_bucket_edge 120 60
e2e_setup
# shellcheck disable=SC2046,SC2086 # one word per symbol
e2e_restart_sim $(sim_listed $SYMS)
# shellcheck disable=SC2086
sim_set_hedge on $SYMS
ok $? "the account is in hedge mode ($DG_VENUE)"
ex_start
ok $? "executor starts before any drift"
SYMBOLS="$(symbol_lines BTC ETH SOL XRP ADA DOT)
    ConfirmPolls 2"
e2e_start_collectd a "$SYMBOLS"

# legs_ledger SYMBOL LONG SHORT: the ledger's legs.
legs_ledger() {
  rcli HSET "quantum:ledger:$1" long_amt "$2" short_amt "$3" >/dev/null
}
# sim_legs SYMBOL LONG SHORT: the exchange's legs.
sim_legs() { sim_positions "{\"$1\":{\"LONG\":\"$2\",\"SHORT\":\"$3\"}}" >/dev/null; }
# legs_of SYMBOL: "LONG SHORT" on the exchange ("0 0" when flat).
legs_of() {
  curl -sf "$SIM_URL/sim/legs" |
    jq -r --arg s "$1" '.[$s] // {"LONG":"0","SHORT":"0"} | "\(.LONG) \(.SHORT)"'
}
# legs_settled SYMBOL "LONG SHORT": the exchange holds these legs, no HOLD.
legs_settled() { [ "$(legs_of "$1")" = "$2" ] && [ "$(hold_keys "$1")" = 0 ]; }
# order_shapes SYMBOL: each order as "SIDE POSITIONSIDE QTY reduceOnly-param",
# sorted.
order_shapes() {
  orders_for "$1" | jq -r ".[] | $SHAPE" | sort
}
plans_for() { plans | jq -s --arg s "$1" 'map(select(.symbol == $s)) | length'; }

# heals NAME SYMBOL EX_LONG EX_SHORT LEDGER_LONG LEDGER_SHORT ORDERS: both
# legs end at the ledger's, the HOLD is released, and the orders are
# exactly ORDERS (order_shapes lines, sorted, ";" between them).
heals() {
  local name=$1 symbol=$2 want="$5 $6" orders
  legs_ledger "$symbol" "$5" "$6"
  sim_legs "$symbol" "$3" "$4"
  dg_wait_for 20 legs_settled "$symbol" "$want"
  ok $? "$name: the legs end at the ledger's ($want) and the HOLD is released"
  orders=$(order_shapes "$symbol" | paste -sd ';')
  is "$orders" "$7" "$name: one MARKET order per drifting leg, on its leg, in the venue's close shape"
  is "$(ex_results_json | jq -r --arg s "$symbol" '[.[] | select(.symbol == $s) | .status] | unique | join(",")')" \
    EXECUTED "$name: every result is EXECUTED"
  is "$(grep -c "symbol=$symbol drift gone, HOLD released" "$DG_TMP/a-collectd.log")" 1 \
    "$name: one HOLD, released once"
}

heals "LONG leg only (partial)" "$BTC" 0.5 -0.3 0.2 -0.3 "SELL LONG 0.3 $CLOSE_MARK"
heals "SHORT leg only" "$ETH" 0.5 -0.3 0.5 0 "BUY SHORT 0.3 $CLOSE_MARK"
heals "both legs at once" "$SOL" 0.5 -0.3 0 -0.1 "BUY SHORT 0.2 $CLOSE_MARK;SELL LONG 0.5 $CLOSE_MARK"
grep -q "published plan_id=reconclose:$SOL:[0-9a-f]*:[0-9]*:LONG symbol=$SOL side=SELL " "$DG_TMP/a-collectd.log" &&
  grep -q "published plan_id=reconclose:$SOL:[0-9a-f]*:[0-9]*:SHORT symbol=$SOL side=BUY " "$DG_TMP/a-collectd.log"
ok $? "both legs at once: a plan per leg, each named by its leg"
grep -q "\[RECONCILE_CLOSE_AUDIT\] .*symbol=$SOL .*side=SELL .*exchange_amt=0.5 position_side=LONG$" "$EX_LOG" &&
  grep -q "\[RECONCILE_CLOSE_AUDIT\] .*symbol=$SOL .*side=BUY .*exchange_amt=-0.3 position_side=SHORT$" "$EX_LOG"
ok $? "both legs at once: an audit line per order, naming its leg"

# Metrics per leg.
dg_wait_for 5 yields 5.000000e-01 getval "reconcile-$ETH/position-exchange_long"
ok $? "GETVAL position-exchange_long of a hedge symbol"
is "$(getval "reconcile-$ETH/position-ledger_short")" 0.000000e+00 "GETVAL position-ledger_short"
is "$(getval "reconcile-$ETH/drift-long")" 0.000000e+00 "GETVAL drift-long"

# The ledger holds more of a leg than the exchange: nothing may fix it.
legs_ledger "$XRP" 0.5 0
sim_legs "$XRP" 0.2 0
dg_wait_for 10 yields 3 hold_keys "$XRP"
ok $? "ledger holds more of the LONG leg: $XRP is put on HOLD"
dg_wait_for 5 grep -q "severity = WARNING.*plugin_instance = $XRP.*unfixable drift" \
  "$DG_TMP/a-collectd.log"
ok $? "ledger holds more: a WARNING notification"
sleep 3
is "$(hold_keys "$XRP")" 3 "ledger holds more: the HOLD stays"
is "$(plans_for "$XRP")" 0 "ledger holds more: no plan"
is "$(orders_for "$XRP" | jq length)" 0 "ledger holds more: no order"

# A leg the exchange holds more of than its ledger, whose other leg the
# ledger does not know: the known leg is closed, the unknown one held.
rcli HSET quantum:ledger:"$ADA" long_amt 0 >/dev/null
sim_legs "$ADA" 0.4 -0.2
dg_wait_for 15 yields "0 -0.2" legs_of "$ADA"
ok $? "missing SHORT ledger leg: the LONG leg is still closed to its ledger"
sleep 2
is "$(hold_keys "$ADA")" 3 "missing SHORT ledger leg: the symbol stays held"
is "$(order_shapes "$ADA" | paste -sd ';')" "SELL LONG 0.4 $CLOSE_MARK" \
  "missing SHORT ledger leg: no order on the unknown leg"

# Mode switch while a plan waits: the plan of the hedge-mode LONG leg is
# refused by rule mode once the account is one-way; the next poll decides.
dg_stop_pid "$EX_PID"
legs_ledger "$DOT" 0 0
rcli HSET quantum:ledger:"$DOT" position_amt 0 >/dev/null
sim_legs "$DOT" 0.4 0
dg_wait_for 10 yields 1 plans_for "$DOT"
ok $? "mode switch: a LONG leg plan waits for the executor"
dg_stop_pid "$COLLECTD_PID"
# shellcheck disable=SC2086
sim_set_hedge off $SYMS && sim_positions "$DOT" 0.4 >/dev/null
ok $? "the account switches to one-way mode, $DOT long 0.4"
ex_start
dg_wait_for 10 yields mode ex_result rule
ok $? "mode switch: the hedge-mode plan is refused by rule mode"
is "$(ex_result status)" REJECTED_GUARDRAIL "mode switch: REJECTED_GUARDRAIL"
is "$(orders_for "$DOT" | jq length)" 0 "mode switch: no order from the old plan"
e2e_start_collectd a "$SYMBOLS"
dg_wait_for 20 settled "$DOT" 0
ok $? "mode switch: the next poll decides in one-way mode and heals"
is "$(orders_for "$DOT" | jq -r ".[] | $SHAPE" | cut -d' ' -f1,2,4)" \
  "SELL BOTH true" "mode switch: one reduce-only one-way order"
# An account-wide mode (DG_PATH_MODE) is read and logged; Bybit's is each
# symbol's.
if [ -n "$DG_PATH_MODE" ]; then
  grep -q "position mode switched to one-way" "$DG_TMP/a-collectd.log" ||
    grep -q "position mode one-way" "$DG_TMP/a-collectd.log"
else
  grep -q "sets the position mode per symbol" "$DG_TMP/a-collectd.log"
fi
ok $? "mode switch: the plugin logged the mode (or that the venue sets it per symbol)"

# The plugin does not ask the account's mode on every poll (Binance: weight
# 30): over 4 polls without a plan, at most the one read every 60 s may
# fall in (every poll would be 4).
if [ -n "$DG_PATH_MODE" ]; then
  mode_reads() { grep -c "path=$DG_PATH_MODE" "$DG_TMP/sim.log"; }
  before=$(mode_reads)
  sleep 4.5
  [ $(($(mode_reads) - before)) -le 1 ]
  ok $? "at most one mode read in 4 polls (asked every 60 s, or on a contradiction)"
fi

dg_done
