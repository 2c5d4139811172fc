#!/usr/bin/env bash
# hostname_default.sh - with neither collectd nor the executor told a host
# name, the executor's counters land under the same host as the plugin's
# values: collectd 5.12 names the host by its FQDN (FQDNLookup defaults to
# true), so does the executor's default Hostname, and dashboards see one host
# (Prometheus instance=), not two.
#
# Runs in a private UTS and mount namespace: host name "trade1", whose
# canonical name in a private /etc/hosts is "trade1.example.org".
if [ -z "${DG_HOST_NS:-}" ]; then
  if [ "$(id -u)" -eq 0 ] && unshare --uts --mount true 2>/dev/null; then
    DG_HOST_NS=1 exec unshare --uts --mount --propagation private "$BASH" "$0" "$@"
  fi
  echo "1..0 # SKIP needs root and unshare --uts --mount for a private host name"
  exit 0
fi
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
dg_time_limit 60

hostname trade1 || bail "cannot set the host name"
printf '127.0.0.1 localhost\n127.0.1.1 trade1.example.org trade1\n' >"$DG_TMP/hosts"
mount --bind "$DG_TMP/hosts" /etc/hosts || bail "cannot bind a private /etc/hosts"

e2e_setup
sed -i '/^Hostname /d' "$EX_CONF"
DG_COLLECTD_HOSTNAME_LINES="" e2e_start_collectd a '    Symbol "BTCUSDT"'
ex_start
ok $? "the executor starts without a Hostname line"

instances() { grep -o 'instance="[^"]*"' "$DG_TMP/page.txt" | sort -u | tr '\n' ' '; }
both() { # both kinds of series on one scrape, kept in page.txt
  prom_scrape "$PROM_PORT" >"$DG_TMP/page.txt" && grep -q '^collectd_reconcile_exchange_weight' "$DG_TMP/page.txt" &&
    grep -q '^collectd_reconcile_close_consumed_total{reconcile="all"' "$DG_TMP/page.txt"
}
dg_wait_for 20 both
ok $? "the plugin's values and the executor's counters are exported" ||
  grep -v '^#' "$DG_TMP/page.txt" | head -n 5 | sed 's/^/# /'
is "$(instances)" 'instance="trade1.example.org" ' \
  "all under collectd's default host name, the FQDN (not gethostname's trade1)"

# driftguard-ctl check compares the two through collectd's unixsock.
CTL="$top_builddir/ctl/driftguard-ctl"
row() { jq -r '.checks[] | select(.check == "hostname") | "\(.result) \(.detail)"' "$DG_TMP/check.json"; }
"$CTL" -C "$EX_CONF" --json check >"$DG_TMP/check.json" 2>/dev/null
row | grep -q '^OK collectd names the plugin.s values trade1.example.org'
ok $? "ctl check: hostname OK when they agree" || diag "$(row)"
cp "$EX_CONF" "$DG_TMP/other.conf" && echo 'Hostname "trade1"' >>"$DG_TMP/other.conf"
"$CTL" -C "$DG_TMP/other.conf" --json check >"$DG_TMP/check.json" 2>/dev/null
is "$?" 1 "ctl check: a Hostname collectd does not use fails the check"
row | grep -q '^FAIL .*under host trade1.example.org in collectd, the executor.s counters under trade1.*set Hostname "trade1.example.org"'
ok $? "ctl check: it names both hosts and the fix" || diag "$(row)"
dg_done
