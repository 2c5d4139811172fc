#!/usr/bin/env bash
# The simulator as Bybit v5 linear (--exchange bybit-linear), probed by a
# client written from Bybit's docs: the signing vectors of
# notes/exchanges.md, the recv_window rule, the envelope in HTTP 200,
# unsigned size with side, cursor paging, orderLinkId rules, a reduce-only
# close above maxMktOrderQty split into several orders, query by orderId
# (a UUID), the per-second limit (10006 and X-Bapi-Limit-*), the 403 IP
# ban, and faults in Bybit's shapes.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/sim_lib.sh"
. "$top_srcdir/tests/integration/sim_venue_lib.sh"
dg_time_limit 60

# The notes' vectors (nautilus's, and driftguard's own), reproduced.
vk=test_api_key vs=test_secret vt=1700000000000
is "$(bybit_sign $vs $vt $vk 5000 'category=linear&symbol=BTCUSDT')" \
  fd4f31228a46109dc6673062328693696df9a96c7ff04e6491a45e7f63a0fdd7 "GET vector"
is "$(bybit_sign $vs $vt $vk 5000 '{"category": "linear", "symbol": "BTCUSDT", "orderLinkId": "test-order-1"}')" \
  2df4a0603d69c08d5dea29ba85b46eb7db64ce9e9ebd34a7802a3d69700cb2a1 "POST vector"
is "$(bybit_sign $vs $vt $vk 5000 'category=linear&settleCoin=USDT&limit=200')" \
  f2e3d8ecaefdf743ea18874927c6c4340118c9435663acfdc1375256f963760c "positions vector"
close_body='{"category":"linear","symbol":"BTCUSDT","side":"Sell","orderType":"Market","qty":"0.001","reduceOnly":true,"positionIdx":0,"orderLinkId":"dgrc-0123456789abcdef0123456789abcde"}'
is "$(bybit_sign $vs $vt $vk 5000 "$close_body")" \
  a095cfda096223a4cf607ef317c3a105bc07adb58020cdfdd4b6cbbc028fdbfe "close-order vector"

# Replayed verbatim at a simulator holding that key: the signature checks
# out (the refusal is about the 2023 timestamp), a changed body does not.
DG_API_KEY=$vk DG_API_SECRET=$vs sim_start_venue bybit-linear
vh=("X-BAPI-API-KEY: $vk" "X-BAPI-TIMESTAMP: $vt" "X-BAPI-RECV-WINDOW: 5000")
http POST /v5/order/create "$close_body" "${vh[@]}" \
  "X-BAPI-SIGN: a095cfda096223a4cf607ef317c3a105bc07adb58020cdfdd4b6cbbc028fdbfe"
is "$HTTP_STATUS:$(jbody .retCode)" "200:10002" "vector replayed: signature valid, timestamp refused (HTTP 200)"
case "$(jbody .retMsg)" in *"req_timestamp[$vt]"*recv_window\[5000\]*) ok 0 "10002 names the timestamps" ;;
*) ok 1 "10002 message: $(jbody .retMsg)" ;; esac
http POST /v5/order/create "${close_body/0.001/0.002}" "${vh[@]}" \
  "X-BAPI-SIGN: a095cfda096223a4cf607ef317c3a105bc07adb58020cdfdd4b6cbbc028fdbfe"
is "$HTTP_STATUS:$(jbody .retCode)" "200:10004" "a changed body: 10004"
http GET "/v5/position/list?category=linear&symbol=BTCUSDT" "" "${vh[@]}" \
  "X-BAPI-SIGN: fd4f31228a46109dc6673062328693696df9a96c7ff04e6491a45e7f63a0fdd7"
is "$(jbody .retCode)" 10002 "GET vector replayed: signature valid"
dg_stop_pid "$SIM_PID"

sim_start_venue bybit-linear -s BTCUSDT=0.001:0.001:0.005
# recv_window: server_time - recv_window <= timestamp < server_time + 1000.
BYBIT_TS=$(($(now_ms) - 6000)) bybit GET /v5/position/list "category=linear&settleCoin=USDT"
is "$(jbody .retCode)" 10002 "6 s old, recv_window 5000: 10002"
BYBIT_TS=$(($(now_ms) - 6000)) BYBIT_RW=10000 bybit GET /v5/position/list "category=linear&settleCoin=USDT"
is "$(jbody .retCode)" 0 "the same inside recv_window 10000"
BYBIT_TS=$(($(now_ms) + 1500)) bybit GET /v5/position/list "category=linear&settleCoin=USDT"
is "$(jbody .retCode)" 10002 "1.5 s ahead: 10002"
SIM_CLIENT_KEY=notTheKey bybit GET /v5/position/list "category=linear&settleCoin=USDT"
is "$HTTP_STATUS:$(jbody .retCode)" "401:10003" "unknown API key: 10003"

# Positions: size unsigned, the sign in side; paged by cursor.
sim_positions '{"BTCUSDT":"0.012","ETHUSDT":"-1.25","SOLUSDT":"3","XRPUSDT":"-7","ADAUSDT":"9"}' >/dev/null
bybit GET /v5/position/list "category=linear&symbol=ETHUSDT"
is "$(jbody '.result.list[0] | "\(.side) \(.size) \(.positionIdx)"')" "Sell 1.25 0" "a short: side Sell, size unsigned"
bybit GET /v5/position/list "category=linear&symbol=DOGEUSDT"
is "$(jbody '.result.list[0] | "[\(.side)] \(.size)"')" "[] 0" "symbol=: a flat row with side \"\""
bybit GET /v5/position/list "category=linear"
is "$(jbody .retCode)" 10001 "neither symbol nor settleCoin: 10001"
bybit GET /v5/position/list "category=linear&settleCoin=USDT&limit=201"
is "$(jbody .retCode)" 10001 "limit above 200: 10001"
pages=0 seen="" cursor=""
while :; do
  bybit GET /v5/position/list "category=linear&settleCoin=USDT&limit=2${cursor:+&cursor=$cursor}"
  pages=$((pages + 1))
  seen="$seen$(jbody '[.result.list[].symbol] | join(",")'),"
  cursor=$(jbody .result.nextPageCursor)
  [ -z "$cursor" ] || [ "$pages" -ge 5 ] && break
done
is "$pages:$seen" "3:ADAUSDT,BTCUSDT,ETHUSDT,SOLUSDT,XRPUSDT," "limit=2: three pages over nextPageCursor, each position once"

curl -sf "$SIM_URL/v5/market/instruments-info?category=linear&symbol=BTCUSDT" >"$DG_TMP/i.json"
is "$(jq -r '.result.list[0].lotSizeFilter | "\(.qtyStep) \(.minOrderQty) \(.maxMktOrderQty)"' "$DG_TMP/i.json")" \
  "0.001 0.001 0.005" "instruments: qtyStep, minOrderQty, maxMktOrderQty"

# orderLinkId: 36 of [A-Za-z0-9_-], unique for good; positionIdx 0 only.
o() { bybit POST /v5/order/create "{\"category\":\"linear\",\"symbol\":\"$1\",\"side\":\"$2\",\"orderType\":\"Market\",\"qty\":\"$3\",\"reduceOnly\":true,\"positionIdx\":${5:-0},\"orderLinkId\":\"$4\"}"; }
o SOLUSDT Sell 1 dgrc-a
is "$(jbody .retCode):$(jbody .result.orderLinkId)" "0:dgrc-a" "accepted: orderId and orderLinkId"
uuid=$(jbody .result.orderId)
[[ $uuid =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]]
ok $? "orderId is a UUID ($uuid)"
o SOLUSDT Sell 1 dgrc-a
is "$(jbody .retCode):$(jbody .retMsg)" "110072:OrderLinkedID is duplicate" "a filled order's orderLinkId stays taken: 110072"
o SOLUSDT Sell 1 "$(printf 'a%.0s' $(seq 37))"
is "$(jbody .retCode)" 10001 "37-character orderLinkId: 10001"
o SOLUSDT Sell 1 dgrc-b 1
is "$(jbody .retCode):$(jbody .retMsg)" "10001:position idx not match position mode" "positionIdx 1 in one-way mode"
bybit GET /v5/order/realtime "category=linear&orderId=$uuid"
is "$(jbody '.result.list[0] | "\(.orderLinkId) \(.orderStatus) \(.cumExecQty)"')" "dgrc-a Filled 1" "query by orderId"
bybit GET /v5/order/history "category=linear&symbol=SOLUSDT&orderLinkId=dgrc-zzz"
is "$(jbody .retCode):$(jbody '.result.list | length')" "0:0" "unknown orderLinkId: retCode 0, empty list"

# Reduce-only above maxMktOrderQty: Bybit splits it into several orders.
o BTCUSDT Sell 0.012 dgrc-split
is "$(jbody .retCode):$(curl -sf "$SIM_URL/sim/positions" | jq -r '.BTCUSDT // "flat"')" \
  "0:flat" "reduce-only 0.012 above maxMktOrderQty 0.005: accepted, filled"
bybit GET /v5/order/realtime "category=linear&symbol=BTCUSDT&orderLinkId=dgrc-split"
is "$(jbody '.result.list[0].qty')" 0.005 "the orderLinkId names only the first part"
is "$(sim_orders | jq -r '[.[] | select(.symbol == "BTCUSDT") | "\(.clientOrderId)=\(.quantity)"] | join(",")')" \
  "dgrc-split=0.005,=0.005,=0.002" "three orders, the later ones without orderLinkId"
sim_positions '{"BTCUSDT":"0.001"}' >/dev/null
bybit POST /v5/order/create '{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":"0.006","reduceOnly":false,"positionIdx":0}'
is "$(jbody .retCode)" 10001 "a plain order above maxMktOrderQty is refused"

# Hedge mode is Bybit's per symbol: positionIdx 1 (Buy side), 2 (Sell).
curl -sf -X POST -d '{"dualSidePosition":true,"symbol":"ADAUSDT"}' "$SIM_URL/sim/dual" >/dev/null
sim_positions '{"ADAUSDT":"9"}' >/dev/null
bybit GET /v5/position/list "category=linear&symbol=ADAUSDT"
is "$(jbody '[.result.list[] | "\(.positionIdx) [\(.side)] \(.size)"] | join(",")')" "1 [Buy] 9,2 [] 0" \
  "hedge symbol: a row per leg, the empty one with side \"\""
bybit GET /v5/position/list "category=linear&settleCoin=USDT"
is "$(jbody '[.result.list[] | select(.symbol == "ADAUSDT") | .positionIdx] | join(",")')" 1 \
  "a settleCoin listing shows only the leg with a size"
o ADAUSDT Sell 1 h-1
is "$(jbody .retCode):$(jbody .retMsg)" "10001:position idx not match position mode" "hedge symbol: positionIdx 0 refused"
o ADAUSDT Sell 2 h-2 1
is "$(jbody .retCode):$(curl -sf "$SIM_URL/sim/positions" | jq -r .ADAUSDT)" "0:7" "Sell on positionIdx 1 closes the long leg"
o ADAUSDT Sell 1 h-3 2
is "$(jbody .retCode)" 110017 "reduce-only Sell on positionIdx 2 (would open a short) refused"
o ADAUSDT Buy 1 h-4 2
is "$(jbody .retCode)" 110017 "closing the empty Sell leg refused"
bybit GET /v5/order/realtime "category=linear&orderLinkId=h-2"
is "$(jbody '.result.list[0].positionIdx')" 1 "the order's positionIdx"

# The per-second limit of /v5/order/create (10): retCode 10006, headers.
sim_positions '{"ETHUSDT":"1"}' >/dev/null
# Start at a fresh second (earlier orders count in the current one).
sleep "0.$(printf %03d $((1000 - $(now_ms) % 1000)))"
codes=""
for i in $(seq 12); do
  o ETHUSDT Sell 0.001 "rl-$i"
  codes="$codes$(jbody .retCode) "
done
is "$codes" "0 0 0 0 0 0 0 0 0 0 10006 10006 " "11th order in a second: 10006"
is "$HTTP_STATUS:$(jbody .retMsg):$(reply_header X-Bapi-Limit):$(reply_header X-Bapi-Limit-Status)" \
  "200:Too many visits!:10:0" "10006 in HTTP 200 with X-Bapi-Limit 10, status 0"
[ "$(reply_header X-Bapi-Limit-Reset-Timestamp)" -gt "$(($(now_ms) - 1000))" ]
ok $? "X-Bapi-Limit-Reset-Timestamp tells when"
is "$(curl -sf "$SIM_URL/sim/positions" | jq -r .ETHUSDT)" 0.99 "refused orders did not fill"

# Faults in Bybit's shapes (in the next second: the limit is spent).
sleep 1
sim_faults '[{"path":"/v5/order/create","delay_ms":300}]' >/dev/null
o ETHUSDT Sell 0.001 f-unknown
is "$HTTP_STATUS:$(jbody .retCode)" "200:10000" "a delay not applied: Server Timeout 10000"
sim_faults '[{"path":"/v5/order/create","status":503,"apply":true}]' >/dev/null
o ETHUSDT Sell 0.001 f-503
is "$HTTP_STATUS:$(jbody .retCode)" "503:10016" "a 503 fault: retCode 10016 in Bybit's envelope"
bybit GET /v5/order/realtime "category=linear&orderLinkId=f-503"
is "$(jbody '.result.list[0].orderStatus')" Filled "the 503 with apply executed"
sim_faults '[{"path":"/v5/position/list","code":10016}]' >/dev/null
bybit GET /v5/position/list "category=linear&settleCoin=USDT"
is "$HTTP_STATUS:$(jbody .retCode):$(jbody .retMsg)" "200:10016:Server error" "a code alone: HTTP 200"
sim_faults '[{"path":"/v5/position/list","status":418,"ban_ms":800}]' >/dev/null
bybit GET /v5/position/list "category=linear&settleCoin=USDT"
is "$HTTP_STATUS:$HTTP_BODY" "403:access too frequent" "a ban fault: 403 access too frequent"
sleep 0.9
dg_stop_pid "$SIM_PID"

# The IP limit (-w requests per 5 s): beyond it, 403 for 10 minutes.
sim_start_venue bybit-linear -w 8
sim_positions '{"BTCUSDT":"0.002"}' >/dev/null
ms=$(($(now_ms) % 5000))
[ "$ms" -lt 4000 ] || sleep 1.1
statuses=""
for i in $(seq 10); do
  http GET /v5/market/time ""
  statuses="$statuses$HTTP_STATUS "
done
# The start probe may fall in the same 5 s window: 7 or 8 served.
[[ $statuses =~ ^(200 ){7,8}(403 )+$ ]]
ok $? "beyond 8 requests in 5 s: 403, and 403 from then on ($statuses)"
is "$(reply_header Content-Type):$HTTP_BODY" "text/plain:access too frequent" "the ban's body"
o BTCUSDT Sell 0.001 banned-1
is "$HTTP_STATUS:$(curl -sf "$SIM_URL/sim/positions")" '403:{"BTCUSDT":"0.002"}' "banned: an order is refused, nothing fills"
sleep 1
http GET /v5/market/time ""
is "$HTTP_STATUS" 403 "still banned in a later window"
sim_stop_clean
dg_done
