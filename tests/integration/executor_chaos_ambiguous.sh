#!/usr/bin/env bash
# Orders of unknown fate never become a second fill. The exchange applies
# the order but the reply times out, or says 503 "Unknown error" / the
# venue's fate-unknown code (Binance -1007, Bybit 10000, OKX 50004);
# the exchange does NOT apply it and the reply times out (then one resend
# with the same client order id is the only order); the order query answers
# "not found" for a while after the order was applied (Binance's -2013
# lag; Bybit's empty lists, OKX's 51603), shorter
# and longer than the executor's resolve wait. Also a partial close
# (exchange 0.010, ledger 0.006): 0.004 is sold once, never twice, even
# when its reply is lost and when a later plan still names the old amount.
# Also: a duplicate client order id (Binance -4116, Bybit 110072, OKX
# 51016) and a clock refusal (-1021, 10002, 50102).
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
. "$top_srcdir/tests/integration/executor_chaos_lib.sh"
dg_time_limit 150

ex_setup # Timeout 2, RecvWindow 1000
ex_start
ok $? "executor starts"

# Applied, reply timed out (delay 4 s > Timeout 2 s).
run_case "timeout, applied" 0.007 \
  "[$(fault_at order '{"delay_ms":4000,"apply":true}')]"
one_order "timeout, applied" 0.007
executed "timeout, applied" 0.007
grep -q "event=order_fate_unknown plan_id=$id" "$EX_LOG"
ok $? "timeout, applied: the unknown fate is logged"
is "$(sim_position $BTC)" 0 "timeout, applied: position closed"

# Applied, then 503 "Unknown error" and the venue's fate-unknown code.
run_case "503 Unknown error, applied" 0.007 \
  "[$(fault_at order '{"status":503,"apply":true}')]"
one_order "503 Unknown error, applied" 0.007
executed "503 Unknown error, applied" 0.007
run_case "fate unknown, applied" 0.007 \
  "[$(fault_at order "$(venue_error unknown | jq -c '. + {apply: true}')")]"
one_order "fate unknown, applied" 0.007
executed "fate unknown, applied" 0.007

# NOT applied, reply timed out: the exchange does not know the order even
# after the recvWindow has passed and the position has not moved: the one
# order is the resend, with the same client order id.
run_case "timeout, not applied" 0.007 \
  "[$(fault_at order '{"delay_ms":4000}')]"
one_order "timeout, not applied" 0.007
executed "timeout, not applied" 0.007
grep -q "event=resolve_wait plan_id=$id" "$EX_LOG"
ok $? "timeout, not applied: it waited out the recvWindow before resending"

# Applied, reply lost, the query says "not found" once (shorter than the
# wait).
run_case "not-found lag, short" 0.007 \
  "[$(fault_at order '{"status":503,"apply":true}'),
    $(fault_not_found 1)]"
one_order "not-found lag, short" 0.007
executed "not-found lag, short" 0.007

# Applied, reply lost, the query says "not found" longer than the executor
# waits.
# The position has moved: never a second order; the result says what is
# known (not executed by this executor's knowledge, and why).
run_case "not-found lag, long" 0.007 \
  "[$(fault_at order '{"status":503,"apply":true}'),
    $(fault_not_found 2)]"
one_order "not-found lag, long" 0.007
is "$(sim_position $BTC)" 0 "not-found lag, long: position closed by the one order"
status=$(ex_result status "$id")
[ "$status" != EXECUTED ] || [ -n "$(ex_result order_id "$id")" ]
ok $? "not-found lag, long: no EXECUTED without an order id (status $status)"
[ -n "$(ex_result error "$id")" ] || [ "$status" = EXECUTED ]
ok $? "not-found lag, long: a non-EXECUTED result says why: $(ex_result error "$id")"
diag "not-found lag, long: status=$status rule=$(ex_result rule "$id") error=$(ex_result error "$id")"

# The exchange says the client order id is a duplicate: an order
# with it exists, so it is looked up, never sent under another id.
run_case "duplicate client id" 0.007 \
  "[$(fault_at order "$(venue_error duplicate | jq -c '. + {apply: true}')")]"
one_order "duplicate client id" 0.007
executed "duplicate client id" 0.007

# A clock-skew refusal (not applied): resync, one order.
run_case "clock skew once" 0.007 "[$(fault_at order "$(venue_error skew)")]"
one_order "clock skew once" 0.007
executed "clock skew once" 0.007

# Partial drift, reply timed out after the exchange applied it.
over='{"qty":"0.004","ledger_amt":"0.006"}'
run_case "partial 0.010 -> 0.006, timeout" 0.010 \
  "[$(fault_at order '{"delay_ms":4000,"apply":true}')]" "$over"
one_order "partial 0.010 -> 0.006, timeout" 0.004
executed "partial 0.010 -> 0.006, timeout" 0.004
is "$(sim_position $BTC)" 0.006 "partial: the position is the ledger's 0.006"
orders_partial=$(sim_order_count)
plan=$(EX_PLAN_ID=$id ex_plan_json "$BTC" 0.010 "$over")
results=$(ex_results_count)
ex_publish "$plan" >/dev/null
ex_wait_results $((results + 1))
is "$(ex_result status)" DROPPED_DUPLICATE "partial: the same plan again is DROPPED_DUPLICATE"
# The next cooldown bucket's plan, published before the poll saw the fill.
ex_hold "$BTC"
next="reconclose:$BTC:416d86940859:next$RANDOM"
ex_publish "$(EX_PLAN_ID=$next ex_plan_json $BTC 0.010 "$over")" >/dev/null
dg_wait_for 20 chaos_has_result "$next"
is "$(ex_result status "$next")/$(ex_result rule "$next")" REJECTED_GUARDRAIL/stale \
  "partial: a later plan naming 0.010 is stale"
is "$(sim_order_count)" "$orders_partial" "partial: never a second 0.004"
is "$(sim_position $BTC)" 0.006 "partial: the position stays 0.006"
is "$(chaos_pending)" 0 "every entry is ACKed"
dg_done
