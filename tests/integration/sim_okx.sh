#!/usr/bin/env bash
# The simulator as OKX v5 SWAP (--exchange okx-swap), probed by a client
# written from OKX's docs: the signing vectors of notes/exchanges.md, the
# passphrase (the key file's third line), the fixed 30 s timestamp window,
# expTime, contracts and ctVal, account configuration, net-mode positions
# (pos "0" rows after a close), clOrdId rules and reuse, sCode inside an
# HTTP 200, 51603, the per-endpoint limit (50011) and faults in OKX's shapes.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/sim_lib.sh"
. "$top_srcdir/tests/integration/sim_venue_lib.sh"
dg_time_limit 60

vs=chNOOS4KvNXR_Xq4k4c9qsfoKWvnDecLATCRlcBwyKDYnWgO vt=2020-12-08T09:08:57.715Z
vq='/api/v5/trade/order?instId=BTC-USDT-SWAP&clOrdId=dgrc0123456789abcdef0123456789ab'
vb='{"instId":"BTC-USDT-SWAP","tdMode":"cross","side":"sell","ordType":"market","sz":"1","reduceOnly":true,"clOrdId":"dgrc0123456789abcdef0123456789ab"}'
is "$(okx_sign $vs $vt GET /api/v5/account/balance '')" PJ61e1nb2F2Qd7D8SPiaIcx2gjdELc+o0ygzre9z33k= "balance vector"
is "$(okx_sign $vs $vt GET "$vq" '')" SyspeEmWyPrUOy86AsTOqpqBURx63OGP2UauY8+FVtk= "order-query vector"
is "$(okx_sign $vs $vt POST /api/v5/trade/order "$vb")" JHAmk73qU+KSthzNIrbTq5xIt4FXvF15+tMgtKV4i4Y= "place-order vector"

# A two-line key file is not enough for OKX.
KEY2="$DG_TMP/two.key"
dg_keyfile "$KEY2" "$DG_API_KEY" "$DG_API_SECRET"
"$DG_SIM" --exchange okx-swap -l "127.0.0.1:$(dg_free_port)" -k "$KEY2" 2>"$DG_TMP/err"
is "$?:$(grep -c 'needs three non-empty lines' "$DG_TMP/err")" "1:1" "okx-swap refuses a key file without a passphrase"
"$DG_SIM" --exchange kraken -l 127.0.0.1:1 -k "$KEY2" 2>/dev/null
is "$?" 2 "an unknown --exchange is bad usage"

# Replayed at a simulator holding that secret: the signature checks out
# (refused for the 2020 timestamp), a changed body does not.
DG_API_SECRET=$vs sim_start_venue okx-swap
vh=("OK-ACCESS-KEY: $DG_API_KEY" "OK-ACCESS-TIMESTAMP: $vt" "OK-ACCESS-PASSPHRASE: $OKX_PASSPHRASE")
http POST /api/v5/trade/order "$vb" "${vh[@]}" "OK-ACCESS-SIGN: JHAmk73qU+KSthzNIrbTq5xIt4FXvF15+tMgtKV4i4Y="
is "$HTTP_STATUS:$(jbody .code):$(jbody .msg)" "401:50102:Timestamp request expired." "vector replayed: signature valid, timestamp expired"
http POST /api/v5/trade/order "${vb/\"1\"/\"2\"}" "${vh[@]}" "OK-ACCESS-SIGN: JHAmk73qU+KSthzNIrbTq5xIt4FXvF15+tMgtKV4i4Y="
is "$HTTP_STATUS:$(jbody .code)" "401:50113" "a changed body: 50113"
http GET "$vq" "" "${vh[@]}" "OK-ACCESS-SIGN: SyspeEmWyPrUOy86AsTOqpqBURx63OGP2UauY8+FVtk="
is "$(jbody .code)" 50102 "query vector replayed: signature valid"
dg_stop_pid "$SIM_PID"

sim_start_venue okx-swap -s XRP-USDT-SWAP=1:1:5:100
iso() { date -u -d "@$(($(now_ms) / 1000 + $1))" +%Y-%m-%dT%H:%M:%S.000Z; }
OKX_TS=$(iso -25) okx GET "/api/v5/account/positions?instType=SWAP"
is "$(jbody .code)" 0 "a timestamp 25 s old is inside the 30 s window"
OKX_TS=$(iso -35) okx GET "/api/v5/account/positions?instType=SWAP"
is "$HTTP_STATUS:$(jbody .code)" "401:50102" "35 s old: 50102"
OKX_TS=$(iso 35) okx GET "/api/v5/account/positions?instType=SWAP"
is "$(jbody .code)" 50102 "35 s ahead: 50102"
OKX_TS=$(date -u +%Y-%m-%dT%H:%M:%SZ) okx GET "/api/v5/account/positions?instType=SWAP"
is "$(jbody .code)" 50112 "a timestamp without milliseconds: 50112"
OKX_PASS=wrong okx GET "/api/v5/account/positions?instType=SWAP"
is "$HTTP_STATUS:$(jbody .code)" "401:50105" "wrong passphrase: 50105"
OKX_PASS="" okx GET "/api/v5/account/positions?instType=SWAP"
is "$(jbody .code)" 50104 "no passphrase: 50104"
SIM_CLIENT_KEY=notTheKey okx GET "/api/v5/account/positions?instType=SWAP"
is "$(jbody .code)" 50111 "unknown key: 50111"

okx GET /api/v5/account/config
is "$(jbody '.data[0] | "\(.acctLv) \(.posMode)"')" "2 net_mode" "account: acctLv 2, net_mode"
curl -sf "$SIM_URL/api/v5/public/instruments?instType=SWAP" >"$DG_TMP/i.json"
is "$(jq -r '[.data[] | "\(.instId) \(.ctVal) \(.lotSz) \(.minSz) \(.maxMktSz)"] | join(",")' "$DG_TMP/i.json")" \
  "BTC-USDT-SWAP 0.01 0.01 0.01 1000,ETH-USDT-SWAP 0.1 0.01 0.01 1000,XRP-USDT-SWAP 100 1 1 5" \
  "instruments: contract value and lot rules in contracts"

# Net-mode positions in contracts; a closed one stays as a pos "0" row.
sim_positions '{"XRP-USDT-SWAP":"-7","BTC-USDT-SWAP":"2.5"}' >/dev/null
okx GET "/api/v5/account/positions?instType=SWAP&instId=XRP-USDT-SWAP"
is "$(jbody '[.data[] | "\(.instId) \(.posSide) \(.pos) \(.mgnMode)"] | join(",")')" \
  "XRP-USDT-SWAP net -7 cross" "pos signed, in contracts; instId filter"
is "$(jbody '.data[0].notionalUsd')" 70000 "notionalUsd = 7 contracts x 100 XRP x 100"
o() { okx POST /api/v5/trade/order "{\"instId\":\"$1\",\"tdMode\":\"${5:-cross}\",\"side\":\"$2\",\"ordType\":\"market\",\"sz\":\"$3\",\"reduceOnly\":true${4:+,\"clOrdId\":\"$4\"}${POS_SIDE:+,\"posSide\":\"$POS_SIDE\"}}" "${@:6}"; }
o XRP-USDT-SWAP buy 5 dgrc1
is "$HTTP_STATUS:$(jbody .code):$(jbody '.data[0] | "\(.sCode) \(.clOrdId)"')" "200:0:0 dgrc1" "close accepted: sCode 0"
first=$(jbody '.data[0].ordId')
o XRP-USDT-SWAP buy 2 dgrc1
is "$(jbody .code):$(jbody '.data[0].sCode')" "0:0" "clOrdId of a filled order may be reused"
second=$(jbody '.data[0].ordId')
okx GET "/api/v5/trade/order?instId=XRP-USDT-SWAP&clOrdId=dgrc1"
is "$(jbody '.data[0] | "\(.ordId) \(.state) \(.accFillSz) \(.reduceOnly)"')" "$second filled 2 true" \
  "the query by clOrdId returns only the latest"
[ "$first" != "$second" ]
ok $? "two orders, two ordIds"
okx GET "/api/v5/account/positions?instType=SWAP"
is "$(jbody '[.data[] | "\(.instId)=\(.pos)"] | sort | join(",")')" "BTC-USDT-SWAP=2.5,XRP-USDT-SWAP=0" \
  "a position closed by orders is listed with pos \"0\""

o BTC-USDT-SWAP sell 1 dgrc-2
is "$HTTP_STATUS:$(jbody .code):$(jbody .msg):$(jbody '.data[0] | "\(.sCode) \(.sMsg)"')" \
  "200:1:Operation failed.:51000 Parameter clOrdId error" "a hyphen in clOrdId: code 1, sCode 51000, HTTP 200"
o BTC-USDT-SWAP sell 1 "$(printf 'a%.0s' $(seq 33))"
is "$(jbody '.data[0].sCode')" 51000 "33-character clOrdId: 51000"
o BTC-USDT-SWAP sell 1 dgrc3 isolated
is "$(jbody '.data[0].sCode')" 51169 "isolated tdMode on a cross position: 51169"
o BTC-USDT-SWAP sell 0.015 dgrc4
is "$(jbody '.data[0].sCode')" 51121 "not a lotSz multiple: 51121"
o BTC-USDT-SWAP sell 1 dgrc5 cross "expTime: $(($(now_ms) - 10))"
is "$(jbody .code):$(okx GET "/api/v5/trade/order?instId=BTC-USDT-SWAP&clOrdId=dgrc5"; jbody .code)" \
  "50037:51603" "expTime passed: not processed, no order"
o BTC-USDT-SWAP sell 1 dgrc6 cross "expTime: $(($(now_ms) + 5000))"
is "$(jbody '.data[0].sCode')" 0 "expTime ahead: placed"
okx GET "/api/v5/trade/order?clOrdId=dgrc6"
is "$(jbody .code)" 51000 "a query without instId: 51000"

curl -sf -X POST -d '{"acctLv":"4","posMode":"long_short_mode"}' "$SIM_URL/sim/account" >/dev/null
okx GET /api/v5/account/config
is "$(jbody '.data[0] | "\(.acctLv) \(.posMode)"')" "4 long_short_mode" "/sim/account sets acctLv and posMode"
o BTC-USDT-SWAP sell 1 dgrc7
is "$(jbody '.data[0] | "\(.sCode) \(.sMsg)"')" "51000 Parameter posSide error" "long_short_mode without posSide: 51000"
okx GET "/api/v5/account/positions?instType=SWAP&instId=BTC-USDT-SWAP"
is "$(jbody '[.data[] | "\(.posSide) \(.pos)"] | join(",")')" "long 1.5" "long_short_mode: posSide long, pos positive"
POS_SIDE=long o BTC-USDT-SWAP sell 0.5 dgrc8
is "$(jbody '.data[0].sCode'):$(curl -sf "$SIM_URL/sim/positions" | jq -r '.["BTC-USDT-SWAP"]')" "0:1" \
  "sell with posSide long closes the long"
POS_SIDE=short o BTC-USDT-SWAP buy 1 dgrc9
is "$(jbody '.data[0].sCode')" 51169 "buy with posSide short: no short to close"
HTTP_STATUS=$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{"dualSidePosition":true,"symbol":"BTC-USDT-SWAP"}' "$SIM_URL/sim/dual")
is "$HTTP_STATUS" 400 "OKX's position mode is account-wide: /sim/dual refuses a symbol"
curl -sf -X POST "$SIM_URL/sim/reset" >/dev/null

# The per-endpoint limit: positions 10 per 2 s, then 50011 (HTTP 429).
sleep "$(printf '%d.%03d' $(((2000 - $(now_ms) % 2000) / 1000)) $(((2000 - $(now_ms) % 2000) % 1000)))"
codes=""
for _ in $(seq 12); do
  okx GET "/api/v5/account/positions?instType=SWAP"
  codes="$codes$(jbody .code) "
done
is "$codes" "0 0 0 0 0 0 0 0 0 0 50011 50011 " "11th positions read in 2 s: 50011"
is "$HTTP_STATUS:$(jbody .msg)" \
  "429:Rate limit reached. Please refer to API documentation and throttle requests accordingly." "50011 in HTTP 429"
okx GET /api/v5/account/config
is "$(jbody .code)" 0 "other endpoints have their own limit"

# Faults in OKX's shapes.
sim_positions '{"ETH-USDT-SWAP":"3"}' >/dev/null
sim_faults '[{"path":"/api/v5/trade/order","method":"POST","delay_ms":300}]' >/dev/null
o ETH-USDT-SWAP sell 1 f1
is "$HTTP_STATUS:$(jbody .code)" "400:50004" "a delay not applied: 50004 (fate unknown)"
sim_faults '[{"path":"/api/v5/trade/order","method":"POST","status":503,"apply":true}]' >/dev/null
o ETH-USDT-SWAP sell 1 f2
is "$HTTP_STATUS:$(jbody .code)" "503:50001" "a 503 fault: 50001"
okx GET "/api/v5/trade/order?instId=ETH-USDT-SWAP&clOrdId=f2"
is "$(jbody '.data[0].state')" filled "the 503 with apply executed"
sim_faults '[{"path":"/api/v5/trade/order","method":"POST","code":51008}]' >/dev/null
o ETH-USDT-SWAP sell 1 f3
is "$HTTP_STATUS:$(jbody .code):$(jbody '.data[0].sCode')" "200:1:51008" "an order-level code fault: code 1, sCode in HTTP 200"
sim_stop_clean
dg_done
