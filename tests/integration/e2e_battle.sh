#!/usr/bin/env bash
# The reference report's battle test, on the whole loop: the plugin puts
# $BTC on HOLD with a short 60 s lease and publishes its plan behind a
# backlog of 10 unrelated plans (forged, unsigned, duplicated). The
# executor, started only then, rejects the backlog, renews the HOLD lease
# to its own HoldLease before it executes, and closes the drift once; the
# plugin's next poll releases the HOLD.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
dg_time_limit 90

avoid_bucket_edge 120 40
e2e_setup
e2e_restart_sim $(sim_listed "$BTC" "$ETH" "$SOL")
HOLD_BTC=quantum:reconcile:hold:$BTC

# The group exists before anything is published, so the backlog waits for
# the executor instead of being skipped by a group created at "$".
rcli XGROUP CREATE "$EX_PLAN_STREAM" executor '$' MKSTREAM >/dev/null
dup=$(EX_PLAN_ID=reconclose:$ETH:416d86940859:1 ex_plan_json "$ETH" 0.5)
backlog_rules=""
backlog() { # backlog RULE PLAN [MAC]: one more unrelated plan in the stream
  ex_publish "${@:2}" >/dev/null
  backlog_rules="$backlog_rules $1"
}
backlog hold_key "$(ex_plan_json $ETH 0.5)"
backlog hold_key "$(ex_plan_json $SOL -3)"
backlog hold_key "$dup"
backlog hold_key "$dup"
backlog hold_key "$dup"
backlog auth "$(ex_plan_json $ETH 0.5)" ""
backlog auth "$(ex_plan_json $ETH 0.5)" "$(ex_mac forged)"
backlog source "$(ex_plan_json $BTC 0.007 '{"source":"attacker","qty":"100.0"}')"
backlog decision "$(ex_plan_json $BTC 0.007 '{"decision":"OPEN"}')"
backlog malformed "not a plan"
is "$(rcli XLEN "$EX_PLAN_STREAM")" 10 "a backlog of 10 unrelated plans"

ledger "$BTC" 0
sim_positions "$BTC" 0.007 >/dev/null
e2e_start_collectd a "$(symbol_lines BTC)
    ConfirmPolls 1
    HoldLease 60"
dg_wait_for 10 yields 11 rcli XLEN "$EX_PLAN_STREAM"
ok $? "the plugin publishes the real plan behind the backlog"
# Freeze the plugin: from now on only the executor touches the HOLD lease.
kill -STOP "$COLLECTD_PID"
real=$(rcli --raw XREVRANGE "$EX_PLAN_STREAM" + - COUNT 1 | sed -n 3p)
real_id=$(jq -r .plan_id <<<"$real")
is "$(jq -r '[.symbol, .side, .qty] | join(" ")' <<<"$real")" "$BTC SELL 0.007" \
  "the real plan closes $BTC 0.007"
sleep 2
ttl=$(rcli TTL "$HOLD_BTC")
[ "$ttl" -gt 0 ] && [ "$ttl" -le 58 ]
ok $? "the HOLD runs on its short initial lease (ttl=$ttl)"

ex_start
ok $? "the executor starts with the backlog waiting"
ex_wait_results 11 30
ok $? "11 results"
statuses=$(ex_results_json | jq -r 'map(.status + "/" + .rule) | join(" ")')
want=""
for r in $backlog_rules; do want="$want REJECTED_GUARDRAIL/$r"; done
is "$statuses" "${want# } EXECUTED/" "the backlog is rejected in order, then the real plan is EXECUTED"
is "$(ex_result status "$real_id")" EXECUTED "the real plan_id is the one executed"
for k in hold hold_reason hold_sig; do
  ttl=$(rcli TTL "quantum:reconcile:$k:$BTC")
  [ "$ttl" -gt 880 ] && [ "$ttl" -le 900 ]
  ok $? "$k lease renewed to the executor's HoldLease 900 (ttl=$ttl)"
done
grep -q "event=hold_lease_renewed symbol=$BTC ttl=900 plan_id=$real_id" "$EX_LOG"
ok $? "the renewal is logged for the real plan"
renew_line=$(grep -n "event=hold_lease_renewed" "$EX_LOG" | head -1 | cut -d: -f1)
audit_line=$(grep -n "RECONCILE_CLOSE_AUDIT" "$EX_LOG" | head -1 | cut -d: -f1)
[ -n "$renew_line" ] && [ -n "$audit_line" ] && [ "$renew_line" -lt "$audit_line" ]
ok $? "the lease is renewed before the order is sent"
is "$(sim_order_count)" 1 "exactly one order"
is "$(orders_for $BTC | jq -r '.[0] | .side + " " + .quantity')" "SELL 0.007" "the order is SELL 0.007"
is "$(sim_position $BTC)" 0 "the exchange is flat again"
is "$(hold_keys $BTC)" 3 "the frozen plugin has not released the HOLD yet"

kill -CONT "$COLLECTD_PID"
dg_wait_for 10 settled "$BTC" 0
ok $? "the plugin's next poll releases the HOLD"
is "$(rcli XLEN "$EX_PLAN_STREAM")" 11 "no further plan"
is "$(sim_order_count)" 1 "still exactly one order"
# The real plan was handled last: once it is counted, everything is.
dg_wait_for 5 yields 1 counter "$BTC" close_executed success
is "$(counter all close_rejected guardrails)" 10 "prometheus: 10 guardrail rejections"
is "$(counter $BTC close_executed success)" 1 "prometheus: $BTC close executed once"
is "$(counter all close_consumed)" 11 "prometheus: 11 plans consumed"
is "$(counter $ETH close_guardrail_fail hold_key)" 4 "prometheus: 4 $ETH hold_key failures"
dg_done
