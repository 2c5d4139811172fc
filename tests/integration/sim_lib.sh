# sim_lib.sh - a Binance USD-M REST client for the simulator tests, written
# from Binance's public docs only: bash, curl and `openssl dgst -hmac`.
# Source after tests/harness.sh and dg_start_sim.
#
# Every call sets HTTP_STATUS, HTTP_BODY and keeps the reply headers for
# `reply_header NAME`.

SIM_CLIENT_KEY=${SIM_CLIENT_KEY:-$DG_API_KEY}
SIM_CLIENT_SECRET=${SIM_CLIENT_SECRET:-$DG_API_SECRET}
SIM_HEADERS="$DG_TMP/reply.headers"

now_ms() { date +%s%3N; }

# hmac_hex SECRET TEXT: hex HMAC-SHA256, as Binance's docs compute it.
hmac_hex() { printf '%s' "$2" | openssl dgst -sha256 -hmac "$1" | sed 's/^.*= //'; }

# raw_call METHOD PATH QUERY BODY: one request with the client's API key
# (SIM_CLIENT_TIMEOUT: curl's --max-time; a timeout leaves HTTP_STATUS 000).
raw_call() {
  local method=$1 path=$2 query=$3 body=$4 url="$SIM_URL$2"
  local args=(-s -o "$DG_TMP/reply.body" -D "$SIM_HEADERS" -w '%{http_code}'
    -X "$method" -H "X-MBX-APIKEY: $SIM_CLIENT_KEY")
  [ -n "$query" ] && url="$url?$query"
  [ -n "${SIM_CLIENT_TIMEOUT:-}" ] && args+=(--max-time "$SIM_CLIENT_TIMEOUT")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/x-www-form-urlencoded'
    --data-raw "$body")
  HTTP_STATUS=$(curl "${args[@]}" "$url")
  HTTP_BODY=$(cat "$DG_TMP/reply.body")
}

# signed_call METHOD PATH PARAMS: timestamp and signature go in the query.
signed_call() {
  local q="$3${3:+&}timestamp=$(now_ms)"
  raw_call "$1" "$2" "$q&signature=$(hmac_hex "$SIM_CLIENT_SECRET" "$q")" ""
}

# signed_body_call METHOD PATH QUERY BODY: timestamp and signature go in
# the body; totalParams = QUERY immediately followed by BODY (no '&').
signed_body_call() {
  local b="$4${4:+&}timestamp=$(now_ms)"
  raw_call "$1" "$2" "$3" "$b&signature=$(hmac_hex "$SIM_CLIENT_SECRET" "$3$b")"
}

# reply_header NAME: the value of a header of the last reply.
reply_header() {
  tr -d '\r' <"$SIM_HEADERS" | awk -v n="$1" 'BEGIN{IGNORECASE=1}
    index(tolower($0), tolower(n) ":") == 1 { sub(/^[^:]*: */, ""); print; exit }'
}

# jbody FILTER: jq on the last reply's body.
jbody() { printf '%s' "$HTTP_BODY" | jq -r "$1"; }

# order PARAMS: a signed MARKET order (PARAMS like symbol=BTCUSDT&side=SELL&...).
order() { signed_call POST /fapi/v1/order "type=MARKET&newOrderRespType=RESULT&$1"; }

# position SYMBOL: positionAmt from signed v3 positionRisk ("" when flat).
position() {
  signed_call GET /fapi/v3/positionRisk "symbol=$1"
  jbody '.[0].positionAmt // ""'
}

# sim_stat KEY: a request count from GET /sim/stats, e.g. sim_stat total or
# sim_stat '.calls["POST /fapi/v1/order"]' (0 when absent).
sim_stat() {
  curl -sf "$SIM_URL/sim/stats" | jq -r "(${1}) // 0"
}

# fresh_minute: wait for a new minute when the current one is nearly over,
# so a weight test does not straddle Binance's minute window.
fresh_minute() {
  local in_minute=$(($(now_ms) % 60000))
  [ "$in_minute" -lt 45000 ] || sleep $(((60000 - in_minute) / 1000 + 1))
}
