#!/usr/bin/env bash
# driftguard-ctl release: refuses (exit 3) while a fresh exchange read and
# the ledger still show drift of at least one step, releases when the drift
# is gone or with --force, deletes all three HOLD keys, and leaves an audit
# line naming the operator.
. "$top_srcdir/tests/integration/ctl_lib.sh"
dg_time_limit 90
ctl_setup
audit() { echo "$ERR" | grep '^\[RECONCILE_HOLD_RELEASE_AUDIT\] '; }
unset SUDO_USER

# Drift persists: exchange 0.007, ledger flat.
set_positions '{"BTCUSDT":"0.007"}'
ledger BTCUSDT 0
set_hold BTCUSDT 416d86940859
ctl release BTCUSDT
is "$RC" 3 "drift persists: release refused with exit 3"
is "$(hold_keys BTCUSDT)" 3 "drift persists: the HOLD keys stay"
echo "$ERR" | grep -q 'drift persists (exchange - ledger = 0.007, step 0.001)'
ok $? "drift persists: the refusal says why, in exact decimals"
echo "$ERR" | grep -q 'driftguard closes it with one reduce-only order'
ok $? "closable drift: the refusal says driftguard closes it"
[ -z "$(audit)" ]
ok $? "drift persists: no audit line for a refusal"
ctl release BTCUSDT --json
is "$RC" 3 "drift persists, --json: exit 3"
is "$(echo "$OUT" | jq -r '[.released, .drift_persists, .drift] | join(",")')" \
  "false,true,0.007" "drift persists, --json: released false, drift 0.007"

# Unfixable drift (the ledger holds more than the exchange) also persists.
ledger BTCUSDT 0.01
ctl release BTCUSDT
is "$RC" 3 "ledger above the exchange: refused"
echo "$ERR" | grep -q 'driftguard will not close it' && ! echo "$ERR" | grep -q 'driftguard closes it' &&
  echo "$ERR" | grep -q 'a human decides'
ok $? "unfixable drift: the refusal says driftguard will not close it, a human decides" ||
  diag "$ERR"

# --force releases while drift persists, and says so in the audit line.
SUDO_USER=alice ctl release BTCUSDT --force
is "$RC" 0 "--force: exit 0"
is "$(hold_keys BTCUSDT)" 0 "--force: all three HOLD keys deleted"
is "$(audit)" \
  "[RECONCILE_HOLD_RELEASE_AUDIT] symbol=BTCUSDT forced=true user=alice drift=-0.003 exchange_amt=0.007 ledger_amt=0.01 hold_sig=416d86940859 keys_deleted=3 uid=$(id -u)" \
  "--force: audit line with symbol, forced, sudo user and exact drift"

# The drift is gone (the ledger booked the fill; less than a step apart).
set_hold BTCUSDT 416d86940859
ledger BTCUSDT 0.0065
USER=bob ctl release BTCUSDT --json
is "$RC" 0 "no drift (0.0005 < step 0.001): released"
is "$(echo "$OUT" | jq -r '[.released, .forced, .drift_persists, .keys_deleted] | join(",")')" \
  "true,false,false,3" "no drift, --json: released, not forced"
is "$(hold_keys BTCUSDT)" 0 "no drift: HOLD keys deleted"
audit | grep -q ' symbol=BTCUSDT forced=false user=bob drift=0.0005 '
ok $? "no drift: audit line forced=false user=\$USER"

# The audit line takes only name characters from the environment.
set_hold BTCUSDT 416d86940859
SUDO_USER='eve forced=false x' ctl release BTCUSDT
is "$RC" 0 "hostile SUDO_USER: released"
audit | grep -q ' user=eve_forced_false_x drift='
ok $? "hostile SUDO_USER: cannot forge audit fields"

# Nothing to release.
ctl release BTCUSDT
is "$RC" 0 "no HOLD: exit 0"
echo "$OUT" | grep -q 'no HOLD'
ok $? "no HOLD: says there is nothing to release"
[ -z "$(audit)" ]
ok $? "no HOLD: no audit line"

# The exchange cannot be read (shared ban): refuse unless --force.
set_hold ETHUSDT 111111111111
rcli set quantum:exchange:ban_until $(($(date +%s%3N) + 60000)) PX 60000 >/dev/null
ctl release ETHUSDT
is "$RC" 1 "exchange unavailable: release refused with exit 1"
is "$(hold_keys ETHUSDT)" 3 "exchange unavailable: the HOLD stays"
echo "$ERR" | grep -q 'cannot verify the drift is gone (exchange ban active'
ok $? "exchange unavailable: says why"
ctl release ETHUSDT --force --json
is "$RC" 0 "exchange unavailable, --force: released"
is "$(echo "$OUT" | jq -r '[.released, .verified, .drift] | join(",")')" "true,false," \
  "exchange unavailable, --force: drift unknown"
audit | grep -q ' symbol=ETHUSDT forced=true user=.* drift=unknown '
ok $? "exchange unavailable, --force: audit says drift=unknown"
rcli del quantum:exchange:ban_until >/dev/null

# A ledger value that is not an exact decimal cannot prove the drift gone.
set_hold ETHUSDT 111111111111
ledger ETHUSDT 1e-3
ctl release ETHUSDT
is "$RC" 1 "ledger not an exact decimal: refused"
is "$(hold_keys ETHUSDT)" 3 "ledger not an exact decimal: the HOLD stays"

# No ledger entry while the exchange holds a position: unknown, not flat.
set_positions '{"ETHUSDT":"0.2"}'
rcli del quantum:ledger:ETHUSDT >/dev/null
ctl release ETHUSDT
is "$RC" 1 "no ledger entry, position open: refused (ledger unknown)"
echo "$ERR" | grep -q 'no entry for ETHUSDT (ledger unknown, never flat)'
ok $? "no ledger entry: the refusal says the ledger is unknown"
is "$(hold_keys ETHUSDT)" 3 "no ledger entry: the HOLD stays"
set_positions '{"ETHUSDT":"0"}'

# Only the symbol's own keys go.
set_hold SOLUSDT 222222222222
ledger ETHUSDT 0
ctl release ETHUSDT
is "$RC" 0 "flat and flat: released"
is "$(hold_keys SOLUSDT)" 3 "another symbol's HOLD is untouched"

# Hedge mode: a symbol's two legs are the plugin's to verify; even flat
# (no leg rows), the account's mode says so.
curl -sf -X POST -d '{"dualSidePosition":true}' "$SIM_URL/sim/dual" >/dev/null
set_hold ETHUSDT 333333333333
ctl release ETHUSDT
is "$RC" 1 "hedge mode, flat: release refused (cannot verify the legs)"
echo "$ERR" | grep -q 'hedge mode (two legs)'
ok $? "hedge mode: the refusal says why"
set_positions '{"ETHUSDT":{"LONG":"0.2","SHORT":"0"}}'
ctl release ETHUSDT
is "$RC" 1 "hedge mode, a leg open: release refused"
is "$(hold_keys ETHUSDT)" 3 "hedge mode: the HOLD stays"
ctl release ETHUSDT --force
is "$RC" 0 "hedge mode, --force: released"

dg_done
