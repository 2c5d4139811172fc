#!/usr/bin/env bash
# shipped_configs.sh - the example configs and man pages the package ships
# agree with each other and with the programs: every option of
# conf.d/executor.conf and conf.d/reconcile.conf is documented in its man
# page (and the other way round), the programs accept the examples with every
# option set, the plugin stays disabled as shipped, and the man pages format
# without warnings.
. "$top_srcdir/tests/harness.sh"
dg_time_limit 60

exconf="$top_srcdir/conf.d/executor.conf"
rcconf="$top_srcdir/conf.d/reconcile.conf"
exman="$top_srcdir/doc/driftguard-executor.8"
rcman="$top_srcdir/doc/reconcile.conf.5"
ctlman="$top_srcdir/doc/driftguard-ctl.1"

# --- man pages -------------------------------------------------------------------
for page in "$exman" "$rcman" "$ctlman" "$top_srcdir/doc/driftguard-exchange-sim.1"; do
  out=$(groff -man -ww -z "$page" 2>&1)
  [ -z "$out" ]
  ok $? "$(basename "$page") formats without warnings" || diag "$out"
done

# --- options: example <-> man page --------------------------------------------------
conf_options() { # option names in a config example, commented out or not:
  # "Key value" lines whose value is a string, a number or a boolean
  sed -e 's/^#//' "$1" |
    sed -n 's/^[[:space:]]*\([A-Z][A-Za-z]*\)[[:space:]][[:space:]]*\("\|[0-9]\|true\|false\).*/\1/p' |
    grep -v -x -e LoadPlugin -e Include | sort -u
}
man_options() { # options documented as ".BI Name " in a man page section
  sed -n "/^\.SH $2/,/^\.SH /s/^\.BI \([A-Z][A-Za-z]*\) .*/\1/p" "$1" | sort -u
}
same_list() { # same_list GOT WANT NAME
  if [ "$1" = "$2" ]; then ok 0 "$3"; else
    ok 1 "$3"
    diff <(echo "$1") <(echo "$2") | sed 's/^/# /'
  fi
}
ex_opts=$(conf_options "$exconf")
same_list "$ex_opts" "$(man_options "$exman" CONFIGURATION)" \
  "executor.conf and driftguard-executor(8) list the same options"
# The <Plugin reconcile> block's options; unixsock's are collectd's own.
rc_opts=$(sed -n '/<Plugin reconcile>/,/<\/Plugin>/p' "$rcconf" >"$DG_TMP/rc-block.conf" &&
  conf_options "$DG_TMP/rc-block.conf")
same_list "$rc_opts" "$(man_options "$rcman" "ACCOUNT OPTIONS")" \
  "reconcile.conf and reconcile.conf(5) list the same options"
for o in URL KeyFile RedisURL RedisPasswordFile KeyPrefix Source PlanKeyFile Group \
  Consumer CollectdSocket Hostname MetricsInterval HoldLease Timeout DryRun; do
  echo "$ex_opts" | grep -q -x "$o" || { diag "SPEC 8 option $o missing"; false; }
done
ok $? "executor.conf documents every option of SPEC 8"

grep -q '^LoadPlugin reconcile' "$rcconf"
[ $? -ne 0 ] && grep -q '^#LoadPlugin reconcile$' "$rcconf"
ok $? "reconcile.conf ships with LoadPlugin reconcile commented out"

# --- the executor accepts its example ------------------------------------------------
keys="$DG_TMP/keys"
mkdir -p "$keys" && chmod 700 "$keys"
dg_keyfile "$keys/trading.key" "$DG_API_KEY" "$DG_API_SECRET"
(umask 077 && echo "planKey0123456789" >"$keys/plan.key" && echo "redispass" >"$keys/redis.pass")
# every option switched on, placeholders and key paths made real
sed -e 's/^#\([A-Z]\)/\1/' -e 's|"HOSTNAME"|"dgtest-host"|' \
  -e "s|/etc/driftguard/executor-trading.key|$keys/trading.key|" \
  -e "s|/etc/driftguard/plan.key|$keys/plan.key|" \
  -e "s|/etc/driftguard/redis.pass|$keys/redis.pass|" "$exconf" >"$DG_TMP/executor-all.conf"
if [ -x "$DG_EXECUTOR" ]; then
  "$DG_EXECUTOR" -t -C "$DG_TMP/executor-all.conf" >"$DG_TMP/executor-t.log" 2>&1
  ok $? "driftguard-executor -t accepts executor.conf with every option set" ||
    sed 's/^/# /' "$DG_TMP/executor-t.log"
  # As shipped, only the key file is missing, and -t says so.
  "$DG_EXECUTOR" -t -C "$exconf" >"$DG_TMP/executor-shipped.log" 2>&1
  [ $? -eq 1 ] && grep -q 'KeyFile' "$DG_TMP/executor-shipped.log"
  ok $? "as shipped, -t refuses the missing trading key file by name" ||
    sed 's/^/# /' "$DG_TMP/executor-shipped.log"
else
  ok 0 "# SKIP executor not built"
  ok 0 "# SKIP executor not built"
fi

# --- collectd accepts the plugin's example ------------------------------------------
# collectd 5.12's -t does not even read the file; -T reads it, runs every
# plugin's init (where reconcile validates its options) and one read. Exchange
# and Redis point at closed ports: a failed poll is not a config error.
if [ -f "$DG_PLUGIN_SO" ] && [ -x /usr/sbin/collectd ]; then
  dir=$(dg_collectd_plugindir)
  dg_keyfile "$keys/readonly.key" "$DG_API_KEY" "$DG_API_SECRET"
  closed=$(dg_free_port)
  # Uncomment the config (from LoadPlugin on: "#Key", "#  ..."), not the prose ("# text").
  sed -e '/^#LoadPlugin reconcile/,$ s/^#\([^ ]\|  \)/\1/' \
    -e "s|/etc/driftguard/main-readonly.key|$keys/readonly.key|" \
    -e "s|/etc/driftguard/plan.key|$keys/plan.key|" \
    -e "s|/etc/driftguard/redis.pass|$keys/redis.pass|" \
    -e "s|https://fapi.binance.com|http://127.0.0.1:$closed|" \
    -e "s|redis://127.0.0.1:6379/0|redis://127.0.0.1:$closed/0|" \
    -e "s|/var/run/collectd-unixsock|$DG_TMP/cd.sock|" "$rcconf" >"$DG_TMP/reconcile-all.conf"
  cat >"$DG_TMP/collectd.conf" <<CONF
Hostname "dgtest"
FQDNLookup false
PluginDir "$dir"
BaseDir "$DG_TMP"
TypesDB "/usr/share/collectd/types.db"
Include "$DG_TMP/reconcile-all.conf"
CONF
  collectd_T() {
    local preload=""
    # A sanitizer build's plugin needs the ASan runtime loaded first.
    if [ -n "${DG_SAN_CFLAGS:-}" ] || ldd "$DG_PLUGIN_SO" 2>/dev/null | grep -q libasan; then
      preload=$(gcc -print-file-name=libasan.so)
    fi
    LD_PRELOAD="$preload" ASAN_OPTIONS="detect_leaks=0:verify_asan_link_order=0" \
      timeout 20 /usr/sbin/collectd -T -C "$DG_TMP/collectd.conf" >"$DG_TMP/collectd-T.log" 2>&1
  }
  collectd_T && grep -q 'reconcile plugin: account=main' "$DG_TMP/collectd-T.log" &&
    ! grep -q 'Initialization of plugin .reconcile. failed' "$DG_TMP/collectd-T.log"
  ok $? "collectd -T loads reconcile.conf uncommented, every option accepted" ||
    sed 's/^/# /' "$DG_TMP/collectd-T.log"
  ! grep -q 'is not below Interval' "$DG_TMP/collectd-T.log"
  ok $? "the example does not trip its own Timeout/Interval warning" ||
    grep 'Interval' "$DG_TMP/collectd-T.log" | sed 's/^/# /'
  # The same check refuses what the plugin does not know.
  sed -i 's/^\(    Cooldown .*\)/\1\n    NoSuchOption 1/' "$DG_TMP/reconcile-all.conf"
  collectd_T
  [ $? -ne 0 ] && grep -q 'NoSuchOption' "$DG_TMP/collectd-T.log"
  ok $? "and refuses an unknown option by name" || sed 's/^/# /' "$DG_TMP/collectd-T.log"
else
  ok 0 "# SKIP plugin or collectd not available"
  ok 0 "# SKIP plugin or collectd not available"
  ok 0 "# SKIP plugin or collectd not available"
fi

# --- the programs' --help and their man pages ------------------------------------------
help_options_documented() { # PROGRAM MANPAGE: every --long option of --help is in the page
  local opt missing=""
  for opt in $("$1" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    grep -q -- "$(echo "$opt" | sed 's/-/\\\\-/g')" "$2" || missing="$missing $opt"
  done
  [ -z "$missing" ]
  ok $? "$(basename "$2") documents every option of $(basename "$1") --help" ||
    diag "missing:$missing"
}
DG_CTL="$top_builddir/ctl/driftguard-ctl"
if [ -x "$DG_CTL" ]; then
  missing=""
  for cmd in $("$DG_CTL" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p'); do
    grep -q "^\.B[IR]\{0,1\} $cmd\b" "$ctlman" || missing="$missing $cmd"
  done
  [ -z "$missing" ]
  ok $? "driftguard-ctl(1) documents every command of --help" || diag "missing:$missing"
  help_options_documented "$DG_CTL" "$ctlman"
else
  ok 0 "# SKIP driftguard-ctl not built"
  ok 0 "# SKIP driftguard-ctl not built"
fi
for prog in "$DG_EXECUTOR:$exman" "$DG_SIM:$top_srcdir/doc/driftguard-exchange-sim.1"; do
  if [ -x "${prog%%:*}" ]; then
    help_options_documented "${prog%%:*}" "${prog#*:}"
  else
    ok 0 "# SKIP ${prog%%:*} not built"
  fi
done

dg_done
