#!/usr/bin/env bash
# redis_tls.sh - the supported way to a TLS-only Redis: the shipped stunnel
# client config (packaging/stunnel/driftguard-redis.conf) in front of
# redis-server --port 0 --tls-port, with a CA made here by openssl. The
# whole loop (plugin in collectd, executor, simulator) heals a drift through
# the tunnel; a tunnel that does not trust the server's chain, or expects
# another name, passes nothing, and the client's error says Redis is
# unreachable.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
command -v stunnel4 >/dev/null || skip_all "stunnel4 not installed"
dg_time_limit 90

PROBE="$top_builddir/tests/unit/redis_probe"
SHIPPED="$top_srcdir/packaging/stunnel/driftguard-redis.conf"
PKI="$DG_TMP/pki"
mkdir -p "$PKI"
# ca NAME: a self-signed CA in $PKI/NAME.crt/.key.
ca() {
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=driftguard test $1" \
    -keyout "$PKI/$1.key" -out "$PKI/$1.crt" 2>/dev/null
}
# server_cert CA NAME: a server certificate for localhost/127.0.0.1 signed by CA.
server_cert() {
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$PKI/$2.key" -out "$PKI/$2.csr" 2>/dev/null &&
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$PKI/$2.ext" &&
    openssl x509 -req -in "$PKI/$2.csr" -CA "$PKI/$1.crt" -CAkey "$PKI/$1.key" \
      -CAcreateserial -days 2 -extfile "$PKI/$2.ext" -out "$PKI/$2.crt" 2>/dev/null
}
ca ca && server_cert ca server && ca rogue
ok $? "a CA and a server certificate signed by it, and another CA"
openssl verify -CAfile "$PKI/ca.crt" "$PKI/server.crt" >/dev/null
ok $? "the chain verifies with openssl (as the runbook shows)"

# A TLS-only Redis: no plain port.
TLS_PORT=$(dg_free_port)
redis-server --port 0 --tls-port "$TLS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  --tls-cert-file "$PKI/server.crt" --tls-key-file "$PKI/server.key" \
  --tls-ca-cert-file "$PKI/ca.crt" --tls-auth-clients no \
  --dir "$DG_TMP" --logfile "$DG_TMP/redis-tls.log" </dev/null >/dev/null 2>&1 &
dg_track $!

# tunnel NAME CAFILE CHECKHOST: the shipped config with this test's ports
# and files (no setuid: the test is not root-owned); its port in TUNNEL.
tunnel() {
  TUNNEL=$(dg_free_port)
  sed -e "s|^accept = .*|accept = 127.0.0.1:$TUNNEL|" \
    -e "s|^connect = .*|connect = 127.0.0.1:$TLS_PORT|" \
    -e "s|^CAfile = .*|CAfile = $2|" -e "s|^checkHost = .*|checkHost = $3|" \
    -e '/^setuid/d' -e '/^setgid/d' -e "s|^\[driftguard-redis\]|output = $DG_TMP/stunnel-$1.log\n&|" \
    "$SHIPPED" >"$DG_TMP/stunnel-$1.conf"
  stunnel4 "$DG_TMP/stunnel-$1.conf" </dev/null >/dev/null 2>&1 &
  dg_track $!
  dg_wait_for 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$TUNNEL" 2>/dev/null
}
tunnel good "$PKI/ca.crt" localhost
REDIS_PORT=$TUNNEL
dg_wait_for 10 rcli ping
ok $? "redis-cli through the tunnel: PONG"
redis-cli -p "$TLS_PORT" ping >/dev/null 2>&1
ok $((!$?)) "plain Redis to the TLS port gets nothing"
grep -q "Certificate accepted at depth=0: CN=localhost" "$DG_TMP/stunnel-good.log"
ok $? "stunnel verified the server's certificate (log: Certificate accepted)"

# --- the whole loop through the tunnel ------------------------------------------
REDIS_URL="redis://127.0.0.1:$TUNNEL/0"
e2e_setup
e2e_restart_sim $(sim_listed BTCUSDT)
ex_start
ok $? "executor starts on $REDIS_URL"
e2e_start_collectd a '    Symbol "BTCUSDT"'
ledger BTCUSDT 0
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
dg_wait_for 20 settled BTCUSDT 0
ok $? "a drift heals through the TLS tunnel: one order, HOLD released"
is "$(ex_result status)" EXECUTED "its result is EXECUTED"
is "$(sim_order_count)" 1 "exactly one order"

"$top_builddir/ctl/driftguard-ctl" -C "$EX_CONF" check --json >"$DG_TMP/check.json" 2>/dev/null
jq -r '.checks[] | select(.check == "redis_tls") | .result + " " + .detail' "$DG_TMP/check.json" |
  grep -q "^OK connected to 127.0.0.1:$TUNNEL, Redis accepted the connection on 127.0.0.1:$TLS_PORT: a tunnel is in between"
ok $? "driftguard-ctl check reports the tunnel ($(jq -r '.checks[] | select(.check == "redis_tls") | .detail' "$DG_TMP/check.json"))"

# --- verification stays on --------------------------------------------------------
tunnel rogue "$PKI/rogue.crt" localhost
OUT=$("$PROBE" -t 1000 "redis://127.0.0.1:$TUNNEL/0" connect 2>&1)
echo "$OUT" | grep -q '^connect error: '
ok $? "a tunnel trusting another CA passes nothing: the client cannot connect"
grep -qi "certificate verify failed" "$DG_TMP/stunnel-rogue.log"
ok $? "stunnel says why: certificate verify failed"

tunnel wrongname "$PKI/ca.crt" redis.example.internal
OUT=$("$PROBE" -t 1000 "redis://127.0.0.1:$TUNNEL/0" connect 2>&1)
echo "$OUT" | grep -q '^connect error: '
ok $? "a tunnel expecting another server name passes nothing"

dg_done
