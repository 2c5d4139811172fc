#!/usr/bin/env bash
# unit_verify.sh - systemd accepts the shipped driftguard-executor.service
# (systemd-analyze verify, including its Documentation= man pages), it keeps
# its sandbox (systemd-analyze security), and it runs the executor the way
# SPEC 7 and the package expect.
. "$top_srcdir/tests/harness.sh"
dg_time_limit 60

unit_src="$top_srcdir/packaging/systemd/driftguard-executor.service"
command -v systemd-analyze >/dev/null || skip_all "systemd-analyze not available"

# verify needs ExecStart's program to exist: point it at a stand-in. The
# Documentation= pages must resolve to the man pages we ship.
stub="$DG_TMP/driftguard-executor"
printf '#!/bin/sh\nexit 0\n' >"$stub" && chmod +x "$stub"
unit="$DG_TMP/driftguard-executor.service"
sed "s|/usr/sbin/driftguard-executor|$stub|g" "$unit_src" >"$unit"
mkdir -p "$DG_TMP/man/man1" "$DG_TMP/man/man5" "$DG_TMP/man/man8"
cp "$top_srcdir/doc/driftguard-executor.8" "$DG_TMP/man/man8/"
cp "$top_srcdir/doc/reconcile.conf.5" "$DG_TMP/man/man5/"
cp "$top_srcdir/doc/driftguard-ctl.1" "$DG_TMP/man/man1/"

MANPATH="$DG_TMP/man:$(manpath 2>/dev/null)" systemd-analyze verify "$unit" >"$DG_TMP/verify.log" 2>&1
rc=$?
# verify's exit status misses some warnings; any line about our unit counts.
grep -q 'driftguard-executor' "$DG_TMP/verify.log" && rc=1
ok $rc "systemd-analyze verify accepts driftguard-executor.service" ||
  sed 's/^/# /' "$DG_TMP/verify.log"

systemd-analyze security --offline=yes --threshold=20 "$unit" >"$DG_TMP/security.log" 2>&1
ok $? "the unit's exposure level is 2.0 or better" ||
  grep -E '^✗|Overall' "$DG_TMP/security.log" | sed 's/^/# /'

# The properties others depend on.
prop() { sed -n "s/^$1=//p" "$unit_src" | tr '\n' ' ' | sed 's/ $//'; }
is "$(prop Type)" notify "Type=notify (the executor calls sd_notify READY=1)"
is "$(prop WatchdogSec)" 30 "WatchdogSec=30"
is "$(prop ExecStart)" "/usr/sbin/driftguard-executor -C /etc/driftguard/executor.conf" "ExecStart runs the packaged executor with the packaged config"
is "$(prop User):$(prop Group)" driftguard:driftguard "runs as driftguard:driftguard"
is "$(prop Restart)" on-failure "Restart=on-failure"
is "$(prop LimitCORE)" 0 "LimitCORE=0 (no core file holds the trading key)"
grep -q '^CapabilityBoundingSet=$' "$unit_src"
ok $? "CapabilityBoundingSet is set, and empty"

dg_done
