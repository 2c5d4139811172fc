#!/usr/bin/env bash
# The simulator's signed-endpoint checks, probed by a client written from
# Binance's docs: HMAC over totalParams (query, body, mixed), API key,
# timestamp/recvWindow, missing parameters.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/sim_lib.sh"
dg_time_limit 60

# Our client's signing reproduces Binance's documented USD-M vector.
is "$(hmac_hex 2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9 \
  'symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943')" \
  3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9 \
  "client signing matches Binance's documented vector"

dg_start_sim
sim_positions '{"BTCUSDT":"0.007","ETHUSDT":"-1.25"}' >/dev/null

signed_call GET /fapi/v3/positionRisk ""
is "$HTTP_STATUS" 200 "signed positionRisk (query) accepted"
is "$(jbody '[.[] | "\(.symbol)=\(.positionAmt)"] | sort | join(",")')" \
  "BTCUSDT=0.007,ETHUSDT=-1.25" "positions come back as exact decimal strings"
is "$(jbody '.[0].positionSide')" BOTH "one-way positionSide BOTH"

signed_call GET /fapi/v3/positionRisk "symbol=BTCUSDT"
is "$(jbody 'length'):$(jbody '.[0].positionAmt')" "1:0.007" "symbol filter"
signed_call GET /fapi/v3/positionRisk "symbol=SOLUSDT"
is "$HTTP_BODY" "[]" "v3 omits a flat symbol"
signed_call GET /fapi/v2/positionRisk ""
is "$(jbody '[.[] | select(.symbol == "BTCUSDT")][0].positionAmt')" 0.007 "v2 lists every symbol"

# Signature in the body, everything else in the query (mixed totalParams).
signed_body_call POST /fapi/v1/order "symbol=BTCUSDT&side=SELL&type=MARKET" \
  "quantity=0.001&reduceOnly=true&newOrderRespType=RESULT"
is "$HTTP_STATUS:$(jbody .status)" "200:FILLED" "mixed query+body signing accepted"
# All in the body.
signed_body_call POST /fapi/v1/order "" \
  "symbol=BTCUSDT&side=SELL&type=MARKET&quantity=0.001&reduceOnly=true"
is "$HTTP_STATUS" 200 "body-only signing accepted"
is "$(position BTCUSDT)" 0.005 "both orders filled"

# A mixed request signed with '&' between query and body is not Binance's rule.
q="symbol=BTCUSDT&side=SELL&type=MARKET"
b="quantity=0.001&reduceOnly=true&timestamp=$(now_ms)"
raw_call POST /fapi/v1/order "$q" "$b&signature=$(hmac_hex "$DG_API_SECRET" "$q&$b")"
is "$HTTP_STATUS:$(jbody .code)" "400:-1022" "signing with '&' between query and body: -1022"
is "$(jbody .msg)" "Signature for this request is not valid." "-1022 message"

q="timestamp=$(now_ms)"
raw_call GET /fapi/v3/positionRisk "$q&signature=$(hmac_hex wrongsecret "$q")" ""
is "$HTTP_STATUS:$(jbody .code)" "400:-1022" "wrong secret: -1022"
q="symbol=BTCUSDT&timestamp=$(now_ms)"
raw_call GET /fapi/v3/positionRisk "symbol=ETHUSDT&timestamp=${q#*timestamp=}&signature=$(hmac_hex "$DG_API_SECRET" "$q")" ""
is "$(jbody .code)" -1022 "tampered parameter: -1022"
raw_call GET /fapi/v3/positionRisk "timestamp=$(now_ms)" ""
is "$HTTP_STATUS:$(jbody .code)" "400:-1102" "missing signature: -1102"
raw_call GET /fapi/v3/positionRisk "recvWindow=5000" ""
is "$(jbody .code):$(jbody .msg)" \
  "-1102:Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed." \
  "missing timestamp: -1102"

SIM_CLIENT_KEY=notTheKey signed_call GET /fapi/v3/positionRisk ""
is "$HTTP_STATUS:$(jbody .code)" "401:-2015" "wrong API key: 401 -2015"
is "$(jbody .msg)" "Invalid API-key, IP, or permissions for action." "-2015 message"
q="timestamp=$(now_ms)"
HTTP_STATUS=$(curl -s -o "$DG_TMP/b" -w '%{http_code}' \
  "$SIM_URL/fapi/v3/positionRisk?$q&signature=$(hmac_hex "$DG_API_SECRET" "$q")")
is "$HTTP_STATUS:$(jq -r .code "$DG_TMP/b")" "401:-2015" "no API key header: 401 -2015"

# timestamp < serverTime + 1000 && serverTime - timestamp <= recvWindow
q="timestamp=$(($(now_ms) - 6000))"
raw_call GET /fapi/v3/positionRisk "$q&signature=$(hmac_hex "$DG_API_SECRET" "$q")" ""
is "$HTTP_STATUS:$(jbody .code)" "400:-1021" "6 s old timestamp, default recvWindow 5000: -1021"
q="recvWindow=10000&timestamp=$(($(now_ms) - 6000))"
raw_call GET /fapi/v3/positionRisk "$q&signature=$(hmac_hex "$DG_API_SECRET" "$q")" ""
is "$HTTP_STATUS" 200 "same timestamp inside recvWindow=10000 accepted"
q="timestamp=$(($(now_ms) + 3000))"
raw_call GET /fapi/v3/positionRisk "$q&signature=$(hmac_hex "$DG_API_SECRET" "$q")" ""
is "$HTTP_STATUS:$(jbody .code)" "400:-1021" "timestamp 3 s ahead: -1021"
q="recvWindow=70000&timestamp=$(now_ms)"
raw_call GET /fapi/v3/positionRisk "$q&signature=$(hmac_hex "$DG_API_SECRET" "$q")" ""
is "$(jbody .code)" -1131 "recvWindow over 60000 refused"

# Unsigned market data needs no key.
HTTP_STATUS=$(curl -s -o /dev/null -w '%{http_code}' "$SIM_URL/fapi/v1/time")
is "$HTTP_STATUS" 200 "time needs no signature"
signed_call GET /fapi/v1/positionSide/dual ""
is "$HTTP_BODY" '{"dualSidePosition":false}' "position mode one-way"
curl -sf -X POST -d '{"dualSidePosition":true}' "$SIM_URL/sim/dual" >/dev/null
signed_call GET /fapi/v1/positionSide/dual ""
is "$(jbody .dualSidePosition)" true "position mode set through the control API"


# Binance's documented mixed query+body vector, replayed verbatim against a
# simulator holding that secret: the signature checks out (so the reply is
# about the 2020 timestamp, -1021), and a signature over another string
# (the docs' printed one) is -1022.
dg_stop_pid "$SIM_PID"
DG_API_SECRET=2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9 dg_start_sim
vq="symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
vb="quantity=1&price=9000&recvWindow=5000&timestamp=1591702613943"
raw_call POST /fapi/v1/order "$vq" "$vb&signature=30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4"
is "$HTTP_STATUS:$(jbody .code)" "400:-1021" "documented mixed vector: signature valid, timestamp too old"
raw_call POST /fapi/v1/order "$vq" "$vb&signature=f9d0ae5e813ef6ccf15c2b5a434047a0181cb5a342b903b367ca6d27a66e36f2"
is "$HTTP_STATUS:$(jbody .code)" "400:-1022" "a signature over another string: -1022"
dg_done
