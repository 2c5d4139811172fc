#!/usr/bin/env bash
# Request weight and Binance's escalation (X-MBX-USED-WEIGHT-1M, 429 with
# Retry-After, 418 "banned until"), and the injected faults of /sim/faults:
# 429, 418 bans, 503 with and without the order applied, error codes,
# delays (timeouts) with and without the order applied.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/sim_lib.sh"
dg_time_limit 90

dg_start_sim -w 20
fresh_minute
HTTP_STATUS=$(curl -s -o /dev/null -D "$SIM_HEADERS" -w '%{http_code}' "$SIM_URL/fapi/v1/time")
base=$(reply_header X-MBX-USED-WEIGHT-1M)
[ "$base" -ge 1 ] && [ "$base" -le 2 ] # the harness probed /fapi/v1/time too
ok $? "weight header on an unsigned call ($base)"
signed_call GET /fapi/v3/positionRisk ""
is "$(reply_header X-MBX-USED-WEIGHT-1M)" $((base + 5)) "positionRisk weighs 5"
sim_positions '{"BTCUSDT":"0.002"}' >/dev/null
order "symbol=BTCUSDT&side=SELL&quantity=0.001&reduceOnly=true"
is "$HTTP_STATUS:$(reply_header X-MBX-USED-WEIGHT-1M)" "200:$((base + 5))" "orders do not count in IP weight"
signed_call GET /fapi/v3/positionRisk ""
signed_call GET /fapi/v3/positionRisk ""
is "$HTTP_STATUS:$(reply_header X-MBX-USED-WEIGHT-1M)" "200:$((base + 15))" "weight accumulates"
signed_call GET /fapi/v3/positionRisk ""
is "$HTTP_STATUS:$(jbody .code)" "429:-1003" "over the limit: 429 -1003"
retry=$(reply_header Retry-After)
[ -n "$retry" ] && [ "$retry" -ge 1 ] && [ "$retry" -le 60 ]
ok $? "429 carries Retry-After ($retry s to the next minute)"
signed_call GET /fapi/v3/positionRisk ""
is "$HTTP_STATUS" 429 "second call while over: 429"
signed_call GET /fapi/v3/positionRisk ""
is "$HTTP_STATUS:$(jbody .code)" "418:-1003" "continuing after 429s: 418"
until_ms=$(jbody .msg | sed -n 's/^Way too many requests; IP(127.0.0.1) banned until \([0-9]*\)\. Please use the websocket for live updates to avoid bans\.$/\1/p')
[ -n "$until_ms" ] && [ "$until_ms" -gt "$(now_ms)" ]
ok $? "418 message says 'banned until <ms>' in the future"
[ "$(reply_header Retry-After)" -ge 100 ]
ok $? "418 carries Retry-After for the ban ($(reply_header Retry-After) s)"
order "symbol=BTCUSDT&side=SELL&quantity=0.001&reduceOnly=true"
is "$HTTP_STATUS" 418 "a banned IP cannot trade either"
is "$(curl -sf "$SIM_URL/sim/positions")" '{"BTCUSDT":"0.001"}' "the refused order did not fill"
is "$(sim_stat '.status["418"]'):$(sim_stat '.status["429"]')" "2:2" "/sim/stats counts 418s and 429s"

# Faults (a fresh simulator with the default weight limit).
dg_stop_pid "$SIM_PID"
dg_start_sim
sim_positions '{"BTCUSDT":"0.010"}' >/dev/null
sim_faults '[{"path":"/fapi/v1/order","status":429,"count":1}]' >/dev/null
order "symbol=BTCUSDT&side=SELL&quantity=0.001&reduceOnly=true"
is "$HTTP_STATUS:$(jbody .code)" "429:-1003" "429 fault"
[ -n "$(reply_header Retry-After)" ]
ok $? "429 fault carries Retry-After"
order "symbol=BTCUSDT&side=SELL&quantity=0.001&reduceOnly=true"
is "$HTTP_STATUS:$(position BTCUSDT)" "200:0.009" "count 1: the next order goes through"

sim_faults '{"path":"/fapi/v1/order","status":429,"retry_after":0}' >/dev/null
order "symbol=BTCUSDT&side=SELL&quantity=0.001&reduceOnly=true"
is "$HTTP_STATUS:$(reply_header Retry-After)" "429:" "retry_after 0: a 429 without Retry-After"

sim_faults '[{"path":"/fapi/v3/positionRisk","status":418,"ban_ms":1500}]' >/dev/null
signed_call GET /fapi/v3/positionRisk ""
is "$HTTP_STATUS" 418 "418 fault"
case "$(jbody .msg)" in "Way too many requests; IP(127.0.0.1) banned until "*) ok 0 "418 fault message" ;;
*) ok 1 "418 fault message: $(jbody .msg)" ;; esac
signed_call GET /fapi/v1/order "symbol=BTCUSDT&orderId=1"
is "$HTTP_STATUS" 418 "the ban covers every endpoint"
sleep 1.6
signed_call GET /fapi/v1/order "symbol=BTCUSDT&orderId=1"
is "$HTTP_STATUS" 400 "the ban ends after ban_ms"

sim_faults '[{"path":"/fapi/v1/order","method":"POST","status":503}]' >/dev/null
signed_call GET /fapi/v1/order "symbol=BTCUSDT&orderId=1"
is "$HTTP_STATUS" 400 "method filter: GET not affected by a POST fault"
order "symbol=BTCUSDT&side=SELL&quantity=0.001&reduceOnly=true&newClientOrderId=f503a"
is "$HTTP_STATUS:$(jbody .msg)" \
  "503:Unknown error, please check your request or try again later." "503 fault, Binance's unknown-outcome message"
signed_call GET /fapi/v1/order "symbol=BTCUSDT&origClientOrderId=f503a"
is "$(jbody .code):$(position BTCUSDT)" "-2013:0.009" "503 without apply: no order"

sim_faults '[{"path":"/fapi/v1/order","status":503,"apply":true}]' >/dev/null
order "symbol=BTCUSDT&side=SELL&quantity=0.001&reduceOnly=true&newClientOrderId=f503b"
is "$HTTP_STATUS" 503 "503 fault with apply"
signed_call GET /fapi/v1/order "symbol=BTCUSDT&origClientOrderId=f503b"
is "$(jbody .status):$(position BTCUSDT)" "FILLED:0.008" "503 with apply: the order happened"

sim_faults '[{"path":"/fapi/v1/order","code":-1007}]' >/dev/null
order "symbol=BTCUSDT&side=SELL&quantity=0.001&reduceOnly=true"
is "$HTTP_STATUS:$(jbody .code):$(jbody .msg)" \
  "400:-1007:Timeout waiting for response from backend server. Send status unknown; execution status unknown." \
  "error-code fault with Binance's message"
sim_faults '[{"path":"/fapi/v1/order","status":503,"code":-1001,"msg":"Service Unavailable."}]' >/dev/null
order "symbol=BTCUSDT&side=SELL&quantity=0.001&reduceOnly=true"
is "$HTTP_STATUS:$(jbody .code):$(jbody .msg)" "503:-1001:Service Unavailable." "custom code and message"

sim_faults '[{"path":"/fapi/v1/order","delay_ms":1500,"apply":true}]' >/dev/null
SIM_CLIENT_TIMEOUT=0.5 order "symbol=BTCUSDT&side=SELL&quantity=0.001&reduceOnly=true&newClientOrderId=slow-a"
is "$HTTP_STATUS" 000 "delay fault: the client times out"
signed_call GET /fapi/v1/order "symbol=BTCUSDT&origClientOrderId=slow-a"
is "$(jbody .status)" FILLED "delay with apply: the order exists"
sim_faults '[{"path":"/fapi/v1/order","delay_ms":1000,"apply":false}]' >/dev/null
SIM_CLIENT_TIMEOUT=0.5 order "symbol=BTCUSDT&side=SELL&quantity=0.001&reduceOnly=true&newClientOrderId=slow-b"
is "$HTTP_STATUS" 000 "delay fault without apply: timeout"
sleep 0.7
signed_call GET /fapi/v1/order "symbol=BTCUSDT&origClientOrderId=slow-b"
is "$(jbody .code):$(position BTCUSDT)" "-2013:0.007" "delay without apply: no order"
sim_faults '[{"path":"/fapi/v1/time","delay_ms":300}]' >/dev/null
HTTP_STATUS=$(curl -s -o "$DG_TMP/t" -w '%{http_code}' "$SIM_URL/fapi/v1/time")
is "$HTTP_STATUS:$(jq -r .code "$DG_TMP/t")" "503:-1007" "a delay without apply ends in 503 -1007"

HTTP_STATUS=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '[{"status":200}]' "$SIM_URL/sim/faults")
is "$HTTP_STATUS" 400 "a malformed fault is refused"
sim_faults '[{"status":503,"count":-1}]' >/dev/null
HTTP_STATUS=$(curl -s -o /dev/null -w '%{http_code}' "$SIM_URL/fapi/v1/time")
is "$HTTP_STATUS" 503 "a fault without path matches every /fapi path"
is "$(curl -sf "$SIM_URL/sim/faults" | jq -r '.[0].count')" -1 "GET /sim/faults lists pending faults"
curl -sf -X POST "$SIM_URL/sim/reset" >/dev/null
HTTP_STATUS=$(curl -s -o /dev/null -w '%{http_code}' "$SIM_URL/fapi/v1/time")
is "$HTTP_STATUS:$(curl -sf "$SIM_URL/sim/faults")" "200:[]" "/sim/reset clears faults"
dg_done
