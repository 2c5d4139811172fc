#!/usr/bin/env bash
# A huge reply costs the executor memory only while it is read. A 48 MB
# positionRisk reply is cut at 32 MiB (the plan ends as ERROR, no order)
# and a 20 MB one (valid JSON, parsed) ends its plan too; afterwards the
# executor's resident memory is back near where it was, not 32 MB above.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
dg_time_limit 90

ex_setup
ex_start
ok $? "executor starts"

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$EX_PID/status"; }
# plan_through FAULT: one plan, the position read answered by FAULT.
results=0
plan_through() {
  sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
  ex_hold BTCUSDT
  [ -z "$1" ] || sim_faults "$1" >/dev/null
  ex_publish "$(ex_plan_json BTCUSDT 0.007)" >/dev/null
  results=$((results + 1))
  ex_wait_results "$results" 40
}

plan_through "" # warm up: every code path of a plan has run once
is "$(ex_result status)" EXECUTED "a plan with a normal reply: EXECUTED"
sleep 0.5
before=$(rss_kb)

plan_through '[{"path":"/fapi/v3/positionRisk","status":200,"body":"[]","pad_bytes":48000000}]'
is "$(ex_result status)" ERROR "a 48 MB reply: ERROR"
ex_result error | grep -q "reply larger than"
ok $? "the result says the reply was too large"
sleep 0.5
after=$(rss_kb)
diag "VmRSS before ${before} kB, after the cut reply ${after} kB"
[ $((after - before)) -lt 8192 ]
ok $? "memory given back after a cut reply (+$((after - before)) kB)"

plan_through '[{"path":"/fapi/v3/positionRisk","status":200,"body":"[]","pad_bytes":20000000}]'
is "$(ex_result status)/$(ex_result rule)" REJECTED_GUARDRAIL/stale \
  "a 20 MB reply is parsed (flat: the plan is stale)"
sleep 0.5
after=$(rss_kb)
diag "VmRSS after the 20 MB reply ${after} kB"
[ $((after - before)) -lt 8192 ]
ok $? "memory given back after a big parsed reply (+$((after - before)) kB)"
is "$(sim_order_count)" 1 "no order from the big replies"
dg_done
