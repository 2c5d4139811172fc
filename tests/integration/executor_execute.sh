#!/usr/bin/env bash
# driftguard-executor end to end against a real Redis and the simulator:
# a plan is executed once (reduce-only MARKET, client order id from the
# plan_id), the HOLD lease is renewed, the audit line is written, the
# dedupe record is final, and a replay is DROPPED_DUPLICATE with the
# original outcome and no second order. Exchange refusals: -2022 is
# REJECTED_EXCHANGE with its code, -1021 re-syncs the clock, asks, retries.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
dg_time_limit 60

ex_setup
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
ex_hold BTCUSDT
ex_start
ok $? "executor starts and joins the consumer group"

id="reconclose:BTCUSDT:416d86940859:14744826"
plan=$(EX_PLAN_ID=$id ex_plan_json BTCUSDT 0.007)
ex_publish "$plan" >/dev/null
ex_wait_results 1
ok $? "one result entry appears"
is "$(ex_result status "$id")" EXECUTED "the plan is EXECUTED"
is "$(ex_result dedupe_hit "$id")" false "first handling is not a dedupe hit"
order_id=$(ex_result order_id "$id")
[ -n "$order_id" ] && [ "$order_id" != 0 ]
ok $? "the result carries the order id ($order_id)"
is "$(ex_result executed_qty "$id")" 0.007 "executed_qty 0.007"
coid=$(ex_result client_order_id "$id")
[[ "$coid" =~ ^dgrc-[0-9a-f]{31}$ ]]
ok $? "client order id derives from the plan_id ($coid)"

orders=$(sim_orders)
is "$(jq length <<<"$orders")" 1 "the exchange received exactly one order"
is "$(jq -r '.[0].side' <<<"$orders")" SELL "order side SELL"
is "$(jq -r '.[0].type' <<<"$orders")" MARKET "order type MARKET"
is "$(jq -r '.[0].reduceOnly | tostring' <<<"$orders")" true "order is reduce-only"
is "$(jq -r '.[0].newClientOrderId // .[0].clientOrderId' <<<"$orders")" "$coid" \
  "order carries the client order id"
is "$(sim_position BTCUSDT)" 0 "the exchange position is closed"

ttl=$(rcli TTL "$EX_PREFIX:reconcile:hold:BTCUSDT")
[ "$ttl" -gt 800 ]
ok $? "HOLD lease renewed to HoldLease (ttl $ttl)"
ttl=$(rcli TTL "$EX_PREFIX:reconcile:hold_sig:BTCUSDT")
[ "$ttl" -gt 800 ]
ok $? "hold_sig lease renewed too (ttl $ttl)"
grep -q "event=hold_lease_renewed symbol=BTCUSDT ttl=900" "$EX_LOG"
ok $? "lease renewal logged"

grep -qF "[RECONCILE_CLOSE_AUDIT] reconcile_close=true symbol=BTCUSDT qty=0.007 side=SELL order_id=$order_id plan_id=$id hold_key=$EX_PREFIX:reconcile:hold:BTCUSDT exchange_amt=0.007" "$EX_LOG"
ok $? "audit line in the SPEC format"

rec=$(rcli GET "$EX_PREFIX:apply:dedupe:$id")
is "$(jq -r .state <<<"$rec")" final "dedupe record is final"
is "$(jq -r .status <<<"$rec")" EXECUTED "dedupe record keeps the outcome"
is "$(jq -r .order_id <<<"$rec")" "$order_id" "dedupe record keeps the order id"
ttl=$(rcli TTL "$EX_PREFIX:apply:dedupe:$id")
[ "$ttl" -gt 86000 ] && [ "$ttl" -le 86400 ]
ok $? "dedupe record expires after a day (ttl $ttl)"

# The same plan again (a replay of the stream).
ex_publish "$plan" >/dev/null
ex_wait_results 2
is "$(ex_result status)" DROPPED_DUPLICATE "replay is DROPPED_DUPLICATE"
is "$(ex_result dedupe_hit)" true "replay has dedupe_hit=true"
is "$(ex_result original_status)" EXECUTED "replay reports the original outcome"
is "$(ex_result order_id)" "$order_id" "replay reports the original order id"
is "$(sim_order_count)" 1 "still exactly one order"

# The exchange refuses the order: REJECTED_EXCHANGE with its code.
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
sim_faults '[{"path":"/fapi/v1/order","status":400,"code":-2022,"msg":"ReduceOnly Order is rejected."}]' >/dev/null
ex_publish "$(ex_plan_json BTCUSDT 0.007)" >/dev/null
ex_wait_results 3
is "$(ex_result status)" REJECTED_EXCHANGE "-2022 -> REJECTED_EXCHANGE"
ex_result error | grep -q -- "code -2022: POST /fapi/v1/order: ReduceOnly Order is rejected."
ok $? "the result carries the exchange's code, the request and the message"
is "$(sim_order_count)" 1 "no order accepted"

# -1021 (timestamp outside recvWindow): re-sync the clock, ask the exchange
# for the client order id, and only then send once more.
sim_faults '[{"path":"/fapi/v1/order","status":400,"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}]' >/dev/null
ex_publish "$(ex_plan_json BTCUSDT 0.007)" >/dev/null
ex_wait_results 4
is "$(ex_result status)" EXECUTED "-1021 -> time re-sync, query, then EXECUTED"
grep -q "event=order_fate_unknown .* code=-1021" "$EX_LOG"
ok $? "the refusal is logged before the exchange is asked"
is "$(sim_order_count)" 2 "one order for that plan"

is "$(rcli XPENDING "$EX_PLAN_STREAM" executor | head -1)" 0 "every entry is ACKed"
kill -TERM "$EX_PID"
wait "$EX_PID"
is "$?" 0 "SIGTERM: exit status 0"
dg_done
