#!/usr/bin/env bash
# Every guardrail of SPEC section 4 rejects its plan with its own rule
# label and NO order reaches the exchange; malformed entries are rejected
# (never a crash, never stuck); every entry is ACKed with one result. Also:
# a one-way plan on a hedge-mode account refused (rule mode), dry run sends nothing, no plan key: auth skipped.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
dg_time_limit 90

ex_setup
sim_positions "$BTC" 0.007 "$ETH" -0.5 >/dev/null
ex_hold "$BTC"
ex_hold "$ETH"
ex_start
ok $? "executor starts"

n=0
# expect_rule RULE NAME PLAN_JSON [MAC]: the plan is REJECTED_GUARDRAIL/RULE.
expect_rule() {
  local rule=$1 name=$2 plan=$3
  shift 3
  n=$((n + 1))
  ex_publish "$plan" "$@" >/dev/null
  ex_wait_results "$n" || diag "no result for: $name"
  is "$(ex_result status)/$(ex_result rule)" "REJECTED_GUARDRAIL/$rule" "$name"
}

expect_rule decision "decision OPEN -> rule decision" \
  "$(ex_plan_json $BTC 0.007 '{"decision":"OPEN"}')"
expect_rule source "source=attacker qty=100.0 -> rule source" \
  "$(ex_plan_json $BTC 0.007 '{"source":"attacker","qty":"100.0"}')"
grep -q "source must be 'p3.4', got attacker" "$EX_LOG"
ok $? "source violation logged with the reason"
expect_rule auth "mac from another key -> rule auth" \
  "$(ex_plan_json $BTC 0.007)" "$(printf x | openssl dgst -sha256 -hmac other | sed 's/^.*= //')"
expect_rule auth "no mac while PlanKeyFile is set -> rule auth" \
  "$(ex_plan_json $BTC 0.007)" ""
rcli DEL "$EX_PREFIX:reconcile:hold:$BTC" >/dev/null
expect_rule hold_key "HOLD missing -> rule hold_key" "$(ex_plan_json $BTC 0.007)"
is "$(ex_result error)" "HOLD key not active: $EX_PREFIX:reconcile:hold:$BTC" \
  "HOLD missing: the reason names the key"
rcli SET "$EX_PREFIX:reconcile:hold:$BTC" 0 >/dev/null
expect_rule hold_key "HOLD not 1 -> rule hold_key" "$(ex_plan_json $BTC 0.007)"
ex_hold "$BTC"
rcli SET "$EX_PREFIX:reconcile:hold_sig:$BTC" 0123456789ab >/dev/null
expect_rule hold_key "HOLD for another drift (hold_sig) -> rule hold_key" \
  "$(ex_plan_json $BTC 0.007)"
ex_hold "$BTC"
expect_rule hold_key "a hold_key that is not ours -> rule hold_key" \
  "$(ex_plan_json $BTC 0.007 "{\"hold_key\":\"quantum:reconcile:hold:$ETH\"}")"
expect_rule reduce_only "reduceOnly false -> rule reduce_only" \
  "$(ex_plan_json $BTC 0.007 '{"reduceOnly":false}')"
expect_rule reduce_only "reduceOnly \"false\" -> rule reduce_only" \
  "$(ex_plan_json $BTC 0.007 '{"reduceOnly":"false"}')"
expect_rule type "type LIMIT -> rule type" \
  "$(ex_plan_json $BTC 0.007 '{"type":"LIMIT"}')"
expect_rule reason "wrong reason -> rule reason" \
  "$(ex_plan_json $BTC 0.007 '{"reason":"take_profit"}')"
expect_rule qty "qty 0 -> rule qty" "$(ex_plan_json $BTC 0.007 '{"qty":"0"}')"
expect_rule qty "qty above |exchange_amt| -> rule qty" \
  "$(ex_plan_json $BTC 0.007 '{"qty":"0.008"}')"
expect_rule side "BUY against the live long -> rule side" \
  "$(ex_plan_json $BTC 0.007 '{"side":"BUY"}')"
expect_rule stale "exchange moved since the plan -> rule stale" \
  "$(ex_plan_json $BTC 0.005)"
expect_rule stale "short plan, live short differs -> rule stale" \
  "$(ex_plan_json $ETH -0.4)"
expect_rule source "source and type broken: the first rule (source) is reported" \
  "$(ex_plan_json $BTC 0.007 '{"source":"x","type":"LIMIT"}')"

# Hostile entries: rule malformed, ACKed, the executor goes on.
n=$((n + 1))
rcli XADD "$EX_PLAN_STREAM" '*' plan 'not json at all' >/dev/null
ex_wait_results $n
is "$(ex_result status)/$(ex_result rule)" REJECTED_GUARDRAIL/malformed "plan not JSON -> malformed"
n=$((n + 1))
rcli XADD "$EX_PLAN_STREAM" '*' something else >/dev/null
ex_wait_results $n
is "$(ex_result rule)" malformed "entry without a plan field -> malformed"
n=$((n + 1))
rcli XADD "$EX_PLAN_STREAM" '*' plan "$(ex_plan_json $BTC 0.007 | jq -c 'del(.qty)')" >/dev/null
ex_wait_results $n
is "$(ex_result rule)" malformed "plan missing qty -> malformed"
n=$((n + 1))
rcli XADD "$EX_PLAN_STREAM" '*' plan "$(ex_plan_json $BTC 0.007 '{"qty":{"a":1}}')" >/dev/null
ex_wait_results $n
is "$(ex_result rule)" malformed "qty of the wrong type -> malformed"
n=$((n + 1))
big=$(head -c 6000 /dev/zero | tr '\0' 'A')
rcli XADD "$EX_PLAN_STREAM" '*' plan "$(ex_plan_json $BTC 0.007 "{\"pad\":\"$big\"}")" >/dev/null
ex_wait_results $n
is "$(ex_result rule)" malformed "oversized plan -> malformed"

is "$(sim_order_count)" 0 "no order reached the exchange for any rejected plan"
is "$(sim_position $BTC)" 0.007 "the position is untouched"
is "$(rcli XPENDING "$EX_PLAN_STREAM" executor | head -1)" 0 "every entry is ACKed"
is "$(ex_results_count)" "$n" "exactly one result per entry"
kill -0 "$EX_PID"
ok $? "the executor is still running"

# A one-way plan (position_side BOTH) on an account now in hedge mode
# (read before every order) is refused by rule mode with a clear message.
dg_stop_pid "$EX_PID"
curl -sf -X POST -d '{"dualSidePosition":true}' "$SIM_URL/sim/dual" >/dev/null
ex_start
n=$((n + 1))
ex_publish "$(ex_plan_json $BTC 0.007)" >/dev/null
ex_wait_results $n
is "$(ex_result status) $(ex_result rule)" "REJECTED_GUARDRAIL mode" \
  "one-way plan, hedge account -> REJECTED_GUARDRAIL, rule mode"
ex_result error | grep -q "hedge mode"
ok $? "hedge mode: the error says so"
is "$(sim_order_count)" 0 "hedge mode: no order"
dg_stop_pid "$EX_PID"
curl -sf -X POST -d '{"dualSidePosition":false}' "$SIM_URL/sim/dual" >/dev/null

# Dry run: every check, then DRY_RUN and no order.
: >"$EX_LOG"
ex_start -n
n=$((n + 1))
ex_publish "$(ex_plan_json $BTC 0.007)" >/dev/null
ex_wait_results $n
is "$(ex_result status)" DRY_RUN "dry run (-n) -> DRY_RUN"
is "$(sim_order_count)" 0 "dry run sends no order"
dg_stop_pid "$EX_PID"

# No PlanKeyFile, Unauthenticated true: a warning at start-up, and rule
# auth is skipped.
sed -i '/^PlanKeyFile/d' "$EX_CONF" && echo "Unauthenticated true" >>"$EX_CONF"
: >"$EX_LOG"
ex_start -n
grep -q "event=plans_unauthenticated" "$EX_LOG"
ok $? "without PlanKeyFile the executor warns that plans are unauthenticated"
n=$((n + 1))
ex_publish "$(ex_plan_json $BTC 0.007)" "" >/dev/null
ex_wait_results $n
is "$(ex_result status)" DRY_RUN "without PlanKeyFile a plan without mac passes (auth skipped)"
dg_done
