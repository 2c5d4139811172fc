#!/usr/bin/env bash
# A reply to an order is never a reason to send it again without asking
# the exchange. A hostile gateway executes the order, then answers each
# error the venue can send: -1021 (HTTP 400 and 200), a gateway's HTML
# page, a truncated body, 502, a bad signature, ReduceOnly rejected, 503
# "Service Unavailable.", 429, 418. Every time: exactly one order reaches
# the exchange and the position moves by the plan's quantity only (0.014
# -> 0.007 for a plan of 0.007, never to 0). An answer that is not a
# documented refusal with a well-formed error body is resolved by asking
# for the client order id: the result is EXECUTED with the order's id.
# And a position read that lists the symbol twice sends no order.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
. "$top_srcdir/tests/integration/executor_chaos_lib.sh"
dg_time_limit 120

ex_setup # Timeout 2, RecvWindow 1000
ex_start
ok $? "executor starts"

half='{"qty":"0.007","ledger_amt":"0.007"}'
# after_fill NAME FAULT: the gateway applies the order, then answers FAULT
# (a JSON object: the fault's status, code, msg, body...).
after_fill() {
  run_case "$1" 0.014 \
    "[$(jq -c '. + {path: "/fapi/v1/order", method: "POST", apply: true}' <<<"$2")]" "$half"
  one_order "$1" 0.007
  is "$(sim_position BTCUSDT)" 0.007 "$1: the position moved by the plan's 0.007 only"
}

after_fill "-1021, HTTP 400" '{"status":400,"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}'
executed "-1021, HTTP 400" 0.007
grep -q "event=order_fate_unknown plan_id=$id .* code=-1021" "$EX_LOG"
ok $? "-1021, HTTP 400: the fate is resolved by asking, and logged"
after_fill "-1021, HTTP 200" '{"status":200,"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}'
executed "-1021, HTTP 200" 0.007
after_fill "HTML page, HTTP 400" '{"status":400,"body":"<html><body>400 Bad Request</body></html>"}'
executed "HTML page, HTTP 400" 0.007
after_fill "truncated body, HTTP 200" '{"status":200,"body":"{\"orderId\":12,"}'
executed "truncated body, HTTP 200" 0.007
after_fill "HTML page, HTTP 502" '{"status":502,"body":"<html>502 Bad Gateway</html>"}'
executed "HTML page, HTTP 502" 0.007
after_fill "-2022 in an HTTP 200" '{"status":200,"code":-2022,"msg":"ReduceOnly Order is rejected."}'
executed "-2022 in an HTTP 200" 0.007

# The fresh position read lists BTCUSDT twice, one row flat: the reply is
# refused, no order is sent.
twice='[{"symbol":"BTCUSDT","positionSide":"BOTH","positionAmt":"0.014"},{"symbol":"BTCUSDT","positionSide":"BOTH","positionAmt":"0"}]'
run_case "positionRisk listing BTCUSDT twice" 0.014 \
  "$(jq -cn --arg b "$twice" '[{path: "/fapi/v3/positionRisk", status: 200, body: $b}]')" "$half"
is "$(sim_order_count)" "$orders0" "positionRisk listing BTCUSDT twice: no order"
is "$(ex_result status "$id")" ERROR "positionRisk listing BTCUSDT twice: ERROR"
ex_result error "$id" | grep -q "listed twice"
ok $? "positionRisk listing BTCUSDT twice: the result says why"

# Documented refusals with a well-formed body are believed (no query): the
# gateway lied, but nothing is ever sent twice.
after_fill "-1022 bad signature" '{"status":400,"code":-1022}'
is "$(ex_result status "$id")" REJECTED_EXCHANGE "-1022 bad signature: REJECTED_EXCHANGE, as the venue said"
after_fill "-2022 ReduceOnly rejected" '{"status":400,"code":-2022,"msg":"ReduceOnly Order is rejected."}'
after_fill "503 Service Unavailable." '{"status":503,"code":-1001,"msg":"Service Unavailable."}'
after_fill "429" '{"status":429,"code":-1003,"msg":"Too many requests.","retry_after":1}'
is "$(ex_result status "$id")" RETRYABLE_RATE_LIMIT "429: RETRYABLE_RATE_LIMIT"
sleep 1.2 # the shared back-off of the 429
after_fill "418" '{"status":418,"ban_ms":1000}'
is "$(ex_result status "$id")" RETRYABLE_RATE_LIMIT "418: RETRYABLE_RATE_LIMIT"

is "$(chaos_pending)" 0 "every entry is ACKed"
dg_done
