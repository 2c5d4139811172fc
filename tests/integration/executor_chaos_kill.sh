#!/usr/bin/env bash
# kill -9 of driftguard-executor between each pair of its steps, then a
# restart: every time the plan ends with exactly ONE order on the exchange,
# one result entry, the entry ACKed and the position closed. The kill
# points: the entry delivered but not yet claimed; claimed, with the fresh
# position read in flight; the order submitted but not applied by the
# exchange; the order applied with its reply in flight (also with the HOLD
# released meanwhile); a second crash during the recovery; the order filled and
# answered but the result + ACK (one script) not yet written. The last one
# is recovered by another consumer through XAUTOCLAIM, the others by a
# restart under the same consumer name (its own pending entries). Last, in
# hedge mode: a LONG leg's close applied with its reply in flight ends
# with one order on that leg, the SHORT leg untouched, and the plan
# delivered again is a duplicate.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
. "$top_srcdir/tests/integration/executor_chaos_lib.sh"
dg_time_limit 180

# A long HTTP timeout: the kills below must land while a request hangs.
# ClaimIdle 4: a restart under the same name waits less for the dead
# process's consumer lease.
ex_setup "Timeout 10
ClaimIdle 4"
ex_start
ok $? "executor starts"

step=0
# begin_step: a fresh long position and HOLD, a new plan (not published).
begin_step() {
  step=$((step + 1))
  sim_positions "$BTC" 0.007 >/dev/null
  ex_hold "$BTC"
  id="reconclose:$BTC:416d86940859:$step$RANDOM"
  plan=$(EX_PLAN_ID=$id ex_plan_json "$BTC" 0.007)
  orders0=$(sim_order_count)
}
no_pending() { [ "$(chaos_pending)" = 0 ]; }

# killed_in NAME STATE ORDERS: what the kill left: record STATE, ORDERS new
# orders, no result, the entry still pending.
killed_in() {
  is "$(chaos_state "$id")" "$2" "$1: the dedupe record is left '$2'"
  is "$(sim_order_count)" $((orders0 + $3)) "$1: $3 order(s) on the exchange at the kill"
  is "$(chaos_plan_results "$id")" 0 "$1: no result entry at the kill"
  is "$(chaos_pending)" 1 "$1: the entry is still pending"
}

# one_fill NAME: after the restart, the plan ends with exactly one fill.
one_fill() {
  local name=$1 coid
  dg_wait_for 40 chaos_has_result "$id"
  ok $? "$name: the plan gets a result after the restart"
  dg_wait_for 10 no_pending
  ok $? "$name: the entry is ACKed (XPENDING empty)"
  is "$(chaos_plan_results "$id")" 1 "$name: exactly one result entry for the plan"
  is "$(ex_result status "$id")" EXECUTED "$name: status EXECUTED"
  is "$(sim_order_count)" $((orders0 + 1)) "$name: exactly one order reached the exchange"
  coid=$(ex_result client_order_id "$id")
  is "$(sim_orders | jq --arg c "$coid" 'map(select(.clientOrderId == $c)) | length')" 1 \
    "$name: that order carries the plan's client order id"
  is "$(ex_result order_id "$id")" "$(sim_last_order_id)" \
    "$name: the result names that order"
  is "$(ex_result executed_qty "$id")" 0.007 "$name: executed_qty 0.007"
  is "$(sim_position $BTC)" 0 "$name: the position is closed"
  is "$(chaos_state "$id")" final "$name: the dedupe record is final"
}

# 1. Delivered, before the claim. The entry is read for consumer exec-1 the
# way the executor reads it (XREADGROUP), as if it died right after.
begin_step
chaos_kill9
ex_publish "$plan" >/dev/null
rcli XREADGROUP GROUP executor exec-1 COUNT 1 STREAMS "$EX_PLAN_STREAM" '>' >/dev/null
killed_in "delivered" "" 0
chaos_restart
ok $? "delivered: executor restarts as exec-1"
one_fill "delivered"

# 2. Claimed: the fresh position read hangs on the exchange.
begin_step
sim_faults "[$(fault_at positions '{"delay_ms":8000,"apply":true}')]" >/dev/null
ex_publish "$plan" >/dev/null
dg_wait_for 15 chaos_state_is "$id" claimed && dg_wait_for 10 chaos_faults_taken
ok $? "claimed: record claimed and the position read in flight"
chaos_kill9
killed_in "claimed" claimed 0
chaos_restart
ok $? "claimed: executor restarts as exec-1"
one_fill "claimed"
grep -q "event=recovering plan_id=$id state=claimed" "$EX_LOG"
ok $? "claimed: the restart recovers the claimed record"

# 3. Submitted: the order request hangs and the exchange has NOT acted.
begin_step
sim_faults "[$(fault_at order '{"delay_ms":8000}')]" >/dev/null
ex_publish "$plan" >/dev/null
dg_wait_for 15 chaos_state_is "$id" submitted && dg_wait_for 10 chaos_faults_taken
ok $? "sent, not applied: record submitted and the order request in flight"
chaos_kill9
killed_in "sent, not applied" submitted 0
chaos_restart
ok $? "sent, not applied: executor restarts as exec-1"
one_fill "sent, not applied"
grep -q "event=recovering plan_id=$id state=submitted" "$EX_LOG"
ok $? "sent, not applied: the restart asks the exchange before resending"

# 4. Submitted: the exchange applied the order, its reply hangs.
begin_step
sim_faults "[$(fault_at order '{"delay_ms":8000,"apply":true}')]" >/dev/null
ex_publish "$plan" >/dev/null
dg_wait_for 15 chaos_order_count_is $((orders0 + 1)) && dg_wait_for 5 chaos_state_is "$id" submitted
ok $? "sent and applied: the exchange has the order, the reply hangs"
chaos_kill9
killed_in "sent and applied" submitted 1
chaos_restart
ok $? "sent and applied: executor restarts as exec-1"
one_fill "sent and applied"

# 4a. As 4, and while the executor is down the plugin sees the fill and
# releases the HOLD: the restart still records the fill (no hold_key
# rejection of an order that exists).
begin_step
sim_faults "[$(fault_at order '{"delay_ms":8000,"apply":true}')]" >/dev/null
ex_publish "$plan" >/dev/null
dg_wait_for 15 chaos_order_count_is $((orders0 + 1)) && dg_wait_for 5 chaos_state_is "$id" submitted
ok $? "HOLD released: the exchange has the order, the reply hangs"
chaos_kill9
rcli DEL "$EX_PREFIX:reconcile:hold:$BTC" "$EX_PREFIX:reconcile:hold_reason:$BTC" \
  "$EX_PREFIX:reconcile:hold_sig:$BTC" >/dev/null
killed_in "HOLD released" submitted 1
chaos_restart
ok $? "HOLD released: executor restarts as exec-1"
one_fill "HOLD released"

# 4b. Killed again during the recovery itself: the order request hung
# unapplied; the restart asks the exchange for the client order id and
# dies while that query hangs. The next start still ends with one order.
begin_step
sim_faults "[$(fault_at order '{"delay_ms":8000}')]" >/dev/null
ex_publish "$plan" >/dev/null
dg_wait_for 15 chaos_state_is "$id" submitted && dg_wait_for 10 chaos_faults_taken
ok $? "crash in recovery: record submitted and the order request in flight"
chaos_kill9
sim_faults "[$(fault_at query '{"delay_ms":8000,"apply":true}')]" >/dev/null
# Not chaos_restart: this start never gets to log event=started.
ex_start >/dev/null
dg_wait_for 30 chaos_faults_taken
ok $? "crash in recovery: the restart's order query is in flight"
chaos_kill9
killed_in "crash in recovery" submitted 0
chaos_restart
ok $? "crash in recovery: executor restarts as exec-1"
one_fill "crash in recovery"

# 5. Filled and answered (audit line written), but Redis writes are paused:
# the result, the final record and the ACK (one script) are not written.
# Another consumer takes the entry over with XAUTOCLAIM.
begin_step
chaos_hold_result "$id" "$plan"
ok $? "filled: the executor got the fill (audit line) while Redis writes are paused"
chaos_kill9
rcli CLIENT UNPAUSE >/dev/null
killed_in "filled, no result" submitted 1
EX_CONF=$(chaos_conf_for exec-2 1)
chaos_restart
ok $? "filled, no result: consumer exec-2 starts with ClaimIdle 1"
one_fill "filled, no result"
is "$(ex_result consumer "$id")" exec-2 "filled, no result: exec-2 took the entry over"
grep -q "event=entries_claimed" "$EX_LOG"
ok $? "filled, no result: taken over through XAUTOCLAIM"

# 6. Hedge mode: the LONG leg's close applied, its reply in flight.
dg_stop_pid "$EX_PID"
EX_CONF=$(chaos_conf_for exec-1 4)
sim_set_hedge on "$BTC"
chaos_restart
ok $? "hedge: executor restarts on a hedge-mode account"
step=$((step + 1))
sim_positions "{\"$BTC\":{\"LONG\":\"0.007\",\"SHORT\":\"-0.002\"}}" >/dev/null
ex_hold "$BTC"
id="reconclose:$BTC:416d86940859:$step$RANDOM:LONG"
plan=$(EX_PLAN_ID=$id ex_plan_json "$BTC" 0.007 '{"position_side":"LONG"}')
orders0=$(sim_order_count)
sim_faults "[$(fault_at order '{"delay_ms":8000,"apply":true}')]" >/dev/null
ex_publish "$plan" >/dev/null
dg_wait_for 15 chaos_order_count_is $((orders0 + 1)) && dg_wait_for 5 chaos_state_is "$id" submitted
ok $? "hedge: the exchange has the LONG leg's close, the reply hangs"
chaos_kill9
killed_in "hedge" submitted 1
chaos_restart
ok $? "hedge: executor restarts as exec-1"
dg_wait_for 40 chaos_has_result "$id"
is "$(ex_result status "$id")" EXECUTED "hedge: status EXECUTED after the restart"
is "$(sim_order_count)" $((orders0 + 1)) "hedge: exactly one order reached the exchange"
is "$(sim_orders | jq -r 'last | "\(.side) \(.leg) \(.params.reduceOnly // "none")"')" \
  "SELL LONG $DG_HEDGE_CLOSE_REDUCE_ONLY" \
  "hedge: the order closed the LONG leg in the venue's shape"
is "$(curl -sf "$SIM_URL/sim/legs" | jq -r --arg s "$BTC" '.[$s] | "\(.LONG) \(.SHORT)"')" "0 -0.002" \
  "hedge: the LONG leg is closed, the SHORT leg untouched"
n=$(ex_results_count)
ex_publish "$plan" >/dev/null
ex_wait_results $((n + 1))
is "$(ex_result status)" DROPPED_DUPLICATE "hedge: the plan again is a duplicate"
is "$(sim_order_count)" $((orders0 + 1)) "hedge: still one order"

missing=0
for oid in $(sim_orders | jq -r '.[].orderId'); do
  oid=$(venue_order_id "$oid")
  grep -q "\[RECONCILE_CLOSE_AUDIT\] .* order_id=$oid " "$EX_LOG" || missing=$((missing + 1))
done
is "$missing" 0 "every order has its audit line, across all crashes"
dg_done
