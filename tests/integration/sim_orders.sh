#!/usr/bin/env bash
# MARKET orders on the simulator: MARKET_LOT_SIZE checks, reduce-only
# closes that never flip, client order ids, order queries, /sim/orders.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/sim_lib.sh"
dg_time_limit 60

dg_start_sim -s XRPUSDT=0.5:1 -p XRPUSDT=0.6
curl -sf "$SIM_URL/fapi/v1/exchangeInfo" >"$DG_TMP/info.json"
lot() { jq -r --arg s "$1" --arg f "$2" '.symbols[] | select(.symbol == $s) | .filters[] |
  select(.filterType == $f) | "\(.stepSize)/\(.minQty)/\(.maxQty|type)"' "$DG_TMP/info.json"; }
is "$(lot BTCUSDT MARKET_LOT_SIZE)" "0.001/0.001/string" "BTCUSDT MARKET_LOT_SIZE strings"
is "$(lot XRPUSDT MARKET_LOT_SIZE)" "0.5/1/string" "-s sets MARKET_LOT_SIZE"
is "$(lot XRPUSDT LOT_SIZE)" "0.5/1/string" "and LOT_SIZE"

# MARKET_LOT_SIZE: Binance's codes, in its order.
order "symbol=BTCUSDT&side=BUY&quantity=0.0015"
is "$HTTP_STATUS:$(jbody .code)" "400:-1111" "more decimals than the step: -1111"
order "symbol=XRPUSDT&side=BUY&quantity=1.2"
is "$(jbody .code)" -4023 "not a step multiple: -4023"
order "symbol=XRPUSDT&side=BUY&quantity=0.5"
is "$(jbody .code)" -4004 "below minQty: -4004"
order "symbol=BTCUSDT&side=BUY&quantity=0"
is "$(jbody .code)" -4003 "zero quantity: -4003"
order "symbol=BTCUSDT&side=BUY&quantity=5000"
is "$(jbody .code)" -4005 "above maxQty: -4005"
order "symbol=BTCUSDT&side=BUY"
is "$(jbody .code)" -1102 "no quantity: -1102"
order "symbol=btcusdt&side=BUY&quantity=1"
is "$(jbody .code)" -1121 "invalid symbol: -1121"
signed_call POST /fapi/v1/order "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=1&timeInForce=GTC"
is "$(jbody .code)" -1116 "only MARKET is simulated"
is "$(sim_orders | jq length)" 0 "no refused order was recorded"

# Reduce-only closes at the mark and never flips.
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
order "symbol=BTCUSDT&side=SELL&quantity=0.003&reduceOnly=true&newClientOrderId=dg-close:1"
is "$HTTP_STATUS:$(jbody .status):$(jbody .executedQty):$(jbody .avgPrice)" \
  "200:FILLED:0.003:50000" "reduce-only SELL fills at the mark"
first_id=$(jbody .orderId)
is "$(position BTCUSDT)" 0.004 "position reduced"
order "symbol=BTCUSDT&side=SELL&quantity=0.005&reduceOnly=true"
is "$HTTP_STATUS:$(jbody .code):$(jbody .msg)" "400:-2022:ReduceOnly Order is rejected." \
  "reduce-only larger than the position: -2022"
order "symbol=BTCUSDT&side=BUY&quantity=0.001&reduceOnly=true"
is "$(jbody .code)" -2022 "reduce-only on the wrong side: -2022"
order "symbol=BTCUSDT&side=SELL&quantity=0.004&reduceOnly=true"
is "$HTTP_STATUS" 200 "reduce-only closes the rest"
second_id=$(jbody .orderId)
is "$(position BTCUSDT)" "" "position flat: v3 omits it"
order "symbol=BTCUSDT&side=SELL&quantity=0.001&reduceOnly=true"
is "$(jbody .code)" -2022 "reduce-only on a flat position: -2022"
is "$(position BTCUSDT)" "" "still flat, never flipped"
[ "$second_id" -gt "$first_id" ]
ok $? "order ids increase"

sim_positions '{"XRPUSDT":"-2"}' >/dev/null
order "symbol=XRPUSDT&side=BUY&quantity=2&reduceOnly=true"
is "$HTTP_STATUS:$(position XRPUSDT)" "200:" "reduce-only BUY closes a short"
order "symbol=ETHUSDT&side=BUY&quantity=0.002&reduceOnly=false"
is "$(position ETHUSDT)" 0.002 "a plain order opens a position"

# Client order ids.
signed_call GET /fapi/v1/order "symbol=BTCUSDT&origClientOrderId=dg-close:1"
is "$HTTP_STATUS:$(jbody .status):$(jbody .executedQty):$(jbody .orderId)" \
  "200:FILLED:0.003:$first_id" "order queried by newClientOrderId"
is "$(jbody .time|grep -c '^[0-9]\{13\}$')" 1 "query reply has time"
signed_call GET /fapi/v1/order "symbol=BTCUSDT&orderId=$second_id"
is "$(jbody .executedQty)" 0.004 "order queried by orderId"
signed_call GET /fapi/v1/order "symbol=BTCUSDT&origClientOrderId=never-sent"
is "$HTTP_STATUS:$(jbody .code):$(jbody .msg)" "400:-2013:Order does not exist." "unknown id: -2013"
signed_call GET /fapi/v1/order "symbol=BTCUSDT"
is "$(jbody .code)" -1102 "query without an id: -1102"
order "symbol=ETHUSDT&side=BUY&quantity=0.001&newClientOrderId=$(printf 'a%.0s' $(seq 37))"
is "$(jbody .code)" -4015 "37-character client id: -4015"
order "symbol=ETHUSDT&side=BUY&quantity=0.001&newClientOrderId=bad%20id"
is "$(jbody .code)" -1100 "client id with a space: -1100"
order "symbol=ETHUSDT&side=BUY&quantity=0.001&newClientOrderId=dg-close:1"
is "$HTTP_STATUS" 200 "a filled order's client id is not protected (like Binance)"

# newOrderRespType ACK (the default) answers the NEW snapshot.
signed_call POST /fapi/v1/order "symbol=ETHUSDT&side=SELL&type=MARKET&quantity=0.001"
is "$(jbody .status):$(jbody .executedQty)" "NEW:0" "ACK reply: NEW"
signed_call GET /fapi/v1/order "symbol=ETHUSDT&orderId=$(jbody .orderId)"
is "$(jbody .status)" FILLED "ACK'd MARKET order is FILLED"

sim_orders >"$DG_TMP/orders.json"
is "$(jq -r '[.[] | select(.clientOrderId == "dg-close:1")][0] |
  "\(.symbol) \(.side) \(.quantity) \(.reduceOnly) \(.status) \(.params.reduceOnly) \(.orderId)"' "$DG_TMP/orders.json")" \
  "BTCUSDT SELL 0.003 true FILLED true $first_id" "/sim/orders records every parameter"
is "$(jq -r '[.[] | .params | has("signature")] | any' "$DG_TMP/orders.json")" false "no signature stored"
is "$(jq length "$DG_TMP/orders.json")" 6 "/sim/orders lists every accepted order"

# Hedge mode: reduceOnly is not accepted, positionSide is required.
curl -sf -X POST -d '{"dualSidePosition":true}' "$SIM_URL/sim/dual" >/dev/null
order "symbol=ETHUSDT&side=SELL&quantity=0.001&reduceOnly=true"
is "$(jbody .code)" -1106 "hedge mode: reduceOnly sent: -1106"
order "symbol=ETHUSDT&side=SELL&quantity=0.001"
is "$(jbody .code)" -4061 "hedge mode: positionSide BOTH: -4061"

curl -sf -X POST "$SIM_URL/sim/reset" >/dev/null
is "$(sim_orders):$(curl -sf "$SIM_URL/sim/positions")" "[]:{}" "/sim/reset clears orders and positions"
dg_done
