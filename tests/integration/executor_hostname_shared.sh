#!/usr/bin/env bash
# Executors sending metrics under one Hostname overwrite one another's
# counters (SPEC 5 identifiers have no consumer): an executor that finds
# another one reporting under its Hostname says so once, naming it; one
# with its own Hostname, or sending no metrics, does not.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
. "$top_srcdir/tests/integration/executor_chaos_lib.sh"
dg_time_limit 60

EX_COLLECTD_SOCK="$DG_TMP/no-collectd.sock" ex_setup "ClaimIdle 4"
base_conf=$EX_CONF
log1=$EX_LOG
ex_start
ok $? "exec-1 starts"
EX_CONF=$(chaos_conf_for exec-2 4)
EX_LOG="$DG_TMP/exec-2.log"
ex_start
ok $? "exec-2 starts with the same Hostname"
shared() { grep -q "event=metrics_hostname_shared hostname=dgtest consumer=executor/$1 other=executor/$2 " "$3"; }
dg_wait_for 10 shared exec-2 exec-1 "$EX_LOG"
ok $? "exec-2 names exec-1 as sharing its Hostname"
dg_wait_for 10 shared exec-1 exec-2 "$log1"
ok $? "exec-1 names exec-2 too"

EX_CONF=$base_conf
conf3=$(chaos_conf_for exec-3 4)
conf4=$(chaos_conf_for exec-4 4)
echo 'Hostname "dgtest-3"' >>"$conf3"
echo 'CollectdSocket ""' >>"$conf4"
EX_CONF=$conf3
EX_LOG="$DG_TMP/exec-3.log"
ex_start
ok $? "exec-3 starts with its own Hostname"
EX_CONF=$conf4
EX_LOG="$DG_TMP/exec-4.log"
ex_start
ok $? "exec-4 starts without metrics"
sleep 3
grep -q "event=metrics_hostname_shared" "$DG_TMP/exec-3.log"
is "$?" 1 "exec-3 (own Hostname) does not warn"
grep -q "event=metrics_hostname_shared" "$DG_TMP/exec-4.log"
is "$?" 1 "exec-4 (no metrics) does not warn"
is "$(grep -c "event=metrics_hostname_shared" "$log1")" 1 "the warning is logged once"
dg_done
