#!/usr/bin/env bash
# redis_acl.sh - the shipped ACL file (packaging/redis/driftguard.acl): each
# component works with only its own user (plugin and executor heal a drift;
# ctl reads with the read-only user; only the release user releases), and a
# user with less fails loudly: the log or the error names the user and
# Redis's NOPERM words (the command, or the key).
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
dg_time_limit 90

CTL="$top_builddir/ctl/driftguard-ctl"
SHIPPED="$top_srcdir/packaging/redis/driftguard.acl"
# The shipped users are off and have no password: turn each on with one,
# as the runbook says; the default user stays the test's admin.
ACLFILE="$DG_TMP/users.acl"
sed 's/^user \(driftguard-[a-z]*\) off /user \1 on >pw-\1 /' "$SHIPPED" >"$ACLFILE"
echo 'user default on nopass ~* &* +@all' >>"$ACLFILE"
dg_start_redis --aclfile "$ACLFILE"
is "$(rcli ACL LIST | grep -c '^user driftguard-.* on ')" 4 "Redis loads the shipped ACL file: four users"
url_for() { echo "redis://$1:pw-$1@127.0.0.1:$REDIS_PORT/0"; }

# --- plugin and executor, each with only its user -------------------------------
REDIS_URL=$(url_for driftguard-executor)
e2e_setup
e2e_restart_sim $(sim_listed BTCUSDT ETHUSDT SOLUSDT)
ex_start
ok $? "executor starts as driftguard-executor"
REDIS_URL=$(url_for driftguard-plugin)
e2e_start_collectd a '    Symbol "BTCUSDT"
    Symbol "ETHUSDT"'
ledger BTCUSDT 0
ledger ETHUSDT 0
ledger SOLUSDT 0
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
dg_wait_for 20 settled BTCUSDT 0
ok $? "plugin and executor with only their users: the drift heals, the HOLD is released"
is "$(ex_result status)" EXECUTED "its result is EXECUTED"
! grep -q NOPERM "$EX_LOG" "$DG_TMP/a-collectd.out" "$DG_TMP/a-collectd.log"
ok $? "no permission was missing"

# --- ctl: read-only, and release ------------------------------------------------
# ctl_as USER ARGS...: driftguard-ctl on the executor's config with USER.
ctl_as() {
  local user=$1
  shift
  sed "s|^RedisURL .*|RedisURL \"$(url_for "$user")\"|" "$EX_CONF" >"$DG_TMP/ctl-$user.conf"
  "$CTL" -C "$DG_TMP/ctl-$user.conf" "$@" >"$DG_TMP/ctl.out" 2>"$DG_TMP/ctl.err"
  RC=$?
}
ctl_as driftguard-ctl status
is "$RC" 0 "ctl status works as the read-only driftguard-ctl"
grep -q BTCUSDT "$DG_TMP/ctl.out"
ok $? "and shows the symbols"
ctl_as driftguard-ctl results -n 5
is "$RC" 0 "ctl results works as driftguard-ctl"
ctl_as driftguard-ctl check --json
is "$(jq -r '[.checks[] | select(.check | startswith("redis")) | select(.result == "SKIP")] | length' "$DG_TMP/ctl.out")" 0 \
  "ctl check as driftguard-ctl reads every Redis finding (INFO, CLIENT INFO)"
! grep -q NOPERM "$DG_TMP/ctl.err"
ok $? "with no permission missing"

# A HOLD on a symbol the plugin does not watch (it would release it itself).
ex_hold SOLUSDT
ctl_as driftguard-ctl release SOLUSDT
[ "$RC" -ne 0 ]
ok $? "ctl release as the read-only user fails"
grep -q "NOPERM.*'eval'" "$DG_TMP/ctl.err"
ok $? "loudly, naming the command it may not run ($(grep -o "NOPERM[^\"]*'eval'[^\"]*" "$DG_TMP/ctl.err" | head -n 1))"
is "$(hold_keys SOLUSDT)" 3 "and the HOLD stays"
ctl_as driftguard-release release SOLUSDT
is "$RC" 0 "ctl release as driftguard-release releases"
is "$(hold_keys SOLUSDT)" 0 "the HOLD is gone"

# --- less than the shipped rights: loud failures ----------------------------------
# The executor may no longer append results.
rcli ACL SETUSER driftguard-executor -xadd >/dev/null
sim_positions '{"ETHUSDT":"0.5"}' >/dev/null
dg_wait_for 20 grep -Eq "event=redis_permission_denied .*user=driftguard-executor .*(NOPERM.*'xadd'|script_line=.*XADD)" "$EX_LOG"
ok $? "executor without XADD: event=redis_permission_denied names the user and 'xadd'"
rcli ACL SETUSER driftguard-executor +xadd >/dev/null

# The plugin may no longer append to the plan stream.
rcli ACL SETUSER driftguard-plugin resetkeys '%R~quantum:ledger:*' '~quantum:reconcile:*' \
  '~quantum:exchange:ban_until' >/dev/null
sim_positions '{"BTCUSDT":"0.003"}' >/dev/null
dg_wait_for 20 grep -q "event=redis_permission_denied .*user=driftguard-plugin .*NOPERM.*key" \
  "$DG_TMP/a-collectd.out"
ok $? "plugin without the plan stream key: event=redis_permission_denied names the user and the key"
is "$(grep -c 'event=redis_permission_denied .*user=driftguard-plugin' "$DG_TMP/a-collectd.out")" 1 \
  "said once, not every poll"
grep "event=redis_permission_denied" "$DG_TMP/a-collectd.out" "$EX_LOG" | sed 's/^/# /'

dg_done
