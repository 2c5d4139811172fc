#!/usr/bin/env bash
# The hostile table, on the whole loop: with the plugin and the executor
# running and a real HOLD in place, plans forged against each invariant of
# SPEC section 4 (XADDed straight into the plan stream), a plan injected
# with source=attacker qty=100.0 and a replay of an executed plan produce
# zero orders; each is rejected with its own rule and counted.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
dg_time_limit 90

avoid_bucket_edge 120 30
e2e_setup
e2e_restart_sim $(sim_listed "$BTC" "$ETH" "$SOL")
ex_start
ok $? "executor starts"
e2e_start_collectd a "$(symbol_lines BTC ETH SOL)
    ConfirmPolls 1"

# A real drift on $ETH, closed by the loop: its entry is replayed below.
ledger "$ETH" 0
sim_positions "$ETH" 0.5 >/dev/null
dg_wait_for 15 settled "$ETH" 0
ok $? "a real $ETH drift is closed and released"
is "$(sim_order_count)" 1 "one legitimate order"
executed=$(rcli --raw XRANGE "$EX_PLAN_STREAM" - + COUNT 1)
executed_plan=$(sed -n 3p <<<"$executed")
executed_mac=$(sed -n 5p <<<"$executed")
executed_id=$(jq -r .plan_id <<<"$executed_plan")
is "$(ex_result status "$executed_id")" EXECUTED "its plan was executed"

# $BTC: the ledger holds more than the exchange, so the plugin keeps a
# real HOLD and publishes nothing. $SOL: no drift, no HOLD.
ledger "$BTC" 0.01
ledger "$SOL" 1
sim_positions "$BTC" 0.007 "$SOL" 1 >/dev/null
dg_wait_for 10 yields 3 hold_keys "$BTC"
ok $? "$BTC is on a real HOLD (unfixable drift, no plan)"

# btc_plan AMT [JQ OVERRIDES]: a plan for $BTC that names the real
# HOLD's drift (signature and plan_id), so later rules are reached.
sig=$(rcli GET quantum:reconcile:hold_sig:$BTC)
btc_plan() {
  EX_PLAN_ID="reconclose:$BTC:$sig:$RANDOM$RANDOM" ex_plan_json "$BTC" "$1" \
    "$(jq -c --arg s "$sig" '. + {signature: $s}' <<<"${2:-"{}"}")"
}

n=$(ex_results_count)
# forged RULE NAME PLAN [MAC]: XADD the plan (signed with the plan key
# unless MAC is given); it is REJECTED_GUARDRAIL with RULE.
forged() {
  local rule=$1 name=$2
  n=$((n + 1))
  ex_publish "${@:3}" >/dev/null
  ex_wait_results "$n" 10 || diag "no result for: $name"
  is "$(ex_result status)/$(ex_result rule)" "REJECTED_GUARDRAIL/$rule" "$name"
}
forged decision "decision OPEN" "$(btc_plan 0.007 '{"decision":"OPEN"}')"
forged source "source=attacker qty=100.0" \
  "$(btc_plan 0.007 '{"source":"attacker","qty":"100.0"}')"
forged auth "no mac" "$(btc_plan 0.007)" ""
forged auth "a mac from another key" "$(btc_plan 0.007)" \
  "$(printf x | openssl dgst -sha256 -hmac other | sed 's/^.*= //')"
forged auth "the executed plan's mac on a new plan_id and a bigger qty" \
  "$(jq -c '.plan_id += "9" | .qty = "100.0"' <<<"$executed_plan")" "$executed_mac"
forged hold_key "a symbol not on HOLD" "$(ex_plan_json $SOL 1)"
forged hold_key "a plan for another drift than the HOLD's" "$(ex_plan_json $BTC 0.007)"
forged hold_key "a hold_key that is not the symbol's" \
  "$(btc_plan 0.007 "{\"hold_key\":\"quantum:reconcile:hold:$SOL\"}")"
forged reduce_only "reduceOnly false" "$(btc_plan 0.007 '{"reduceOnly":false}')"
forged type "type LIMIT" "$(btc_plan 0.007 '{"type":"LIMIT"}')"
forged reason "reason take_profit" "$(btc_plan 0.007 '{"reason":"take_profit"}')"
forged qty "qty above |exchange_amt|" "$(btc_plan 0.007 '{"qty":"0.008"}')"
forged qty "qty 0" "$(btc_plan 0.007 '{"qty":"0"}')"
forged side "BUY against the live long" "$(btc_plan 0.007 '{"side":"BUY"}')"
forged stale "exchange_amt other than the live position" "$(btc_plan 0.005)"
forged side "a short's plan (BUY) for the live long" "$(btc_plan -0.007)"
forged stale "exchange_amt above the live position" \
  "$(btc_plan 0.009 '{"qty":"0.007"}')"
n=$((n + 1))
rcli XADD "$EX_PLAN_STREAM" '*' plan '{"plan_id":' >/dev/null
ex_wait_results "$n" 10
is "$(ex_result status)/$(ex_result rule)" REJECTED_GUARDRAIL/malformed "truncated JSON"

# The executed plan, replayed byte for byte (plan and mac).
n=$((n + 1))
rcli XADD "$EX_PLAN_STREAM" '*' plan "$executed_plan" mac "$executed_mac" >/dev/null
ex_wait_results "$n" 10
is "$(ex_result status)" DROPPED_DUPLICATE "the replay is DROPPED_DUPLICATE"
is "$(ex_result original_status)" EXECUTED "the replay reports the original outcome"

is "$(sim_order_count)" 1 "zero orders from the hostile table"
is "$(sim_position $BTC)" 0.007 "$BTC is untouched"
is "$(sim_position $SOL)" 1 "$SOL is untouched"
is "$(hold_keys $BTC)" 3 "the real HOLD stays"
is "$(grep -c 'published plan_id=' "$DG_TMP/a-collectd.log")" 1 \
  "the plugin published no plan but the $ETH one"
is "$(rcli XPENDING "$EX_PLAN_STREAM" executor | head -1)" 0 "every entry is ACKed"

# The replay was handled last: once it is counted, everything is.
dg_wait_for 5 yields 1 counter "$ETH" close_rejected duplicate
is "$(counter all close_rejected guardrails)" 18 "prometheus: 18 guardrail rejections"
is "$(counter $ETH close_rejected duplicate)" 1 "prometheus: the replay counted as a duplicate"
is "$(counter all close_executed success)" 1 "prometheus: one execution in all"
for rule_count in decision=1 source=1 auth=2 hold_key=2 reduce_only=1 type=1 reason=1 qty=2 side=2 stale=2; do
  is "$(counter $BTC close_guardrail_fail "${rule_count%=*}")" "${rule_count#*=}" \
    "prometheus: $BTC close_guardrail_fail{type=\"${rule_count%=*}\"} ${rule_count#*=}"
done
is "$(counter $ETH close_guardrail_fail auth)" 1 "prometheus: $ETH auth failure (the tampered replay)"
is "$(counter $SOL close_guardrail_fail hold_key)" 1 "prometheus: $SOL hold_key failure"
is "$(counter all close_guardrail_fail malformed)" 1 "prometheus: one malformed entry"
dg_done
