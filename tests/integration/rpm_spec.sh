#!/usr/bin/env bash
# rpm_spec.sh - the rpm spec as rpm reads it: without the systemd RPM macros
# the build fails (instead of a package whose scriptlets never enable, stop
# or restart the executor); with them, the scriptlets call them for the
# executor's unit. License, the simulator's own subpackage, the config
# modes, and the collectd snippet's header naming where the rpm puts it.
. "$top_srcdir/tests/harness.sh"
dg_time_limit 60
command -v rpmspec >/dev/null || skip_all "rpmspec not installed (Debian package rpm)"

spec="$DG_TMP/driftguard.spec"
sed -e 's|[@]PACKAGE_VERSION[@]|0.1.0|g' "$top_srcdir/packaging/rpm/driftguard.spec.in" >"$spec"

# This host has no systemd RPM macros (Debian): the spec must refuse.
if [ -z "$(rpm --eval '%{?systemd_post:yes}')" ]; then
  rpmspec -P "$spec" >/dev/null 2>"$DG_TMP/nomacros.err"
  [ $? -ne 0 ] && grep -q 'systemd-rpm-macros' "$DG_TMP/nomacros.err"
  ok $? "without systemd-rpm-macros the spec fails, naming the package" || sed 's/^/# /' "$DG_TMP/nomacros.err"
else
  ok 0 "# SKIP this host has the systemd RPM macros"
fi

# With the macros (as systemd-rpm-macros defines their names):
rpmspec -P --define '_unitdir /usr/lib/systemd/system' \
  --define 'systemd_post() SYSTEMD_POST %*' --define 'systemd_preun() SYSTEMD_PREUN %*' \
  --define 'systemd_postun_with_restart() SYSTEMD_POSTUN_WITH_RESTART %*' \
  --define 'systemd_requires Requires(post): systemd' "$spec" >"$DG_TMP/spec.txt" 2>"$DG_TMP/spec.err"
ok $? "with the macros the spec parses" || sed 's/^/# /' "$DG_TMP/spec.err"
section() { sed -n "/^%$1\$/,/^%[a-z]/p" "$DG_TMP/spec.txt"; }
section post | grep -q '^SYSTEMD_POST driftguard-executor.service' &&
  section preun | grep -q '^SYSTEMD_PREUN driftguard-executor.service' &&
  section postun | grep -q '^SYSTEMD_POSTUN_WITH_RESTART driftguard-executor.service'
ok $? "post, preun and postun run the systemd macros on the executor's unit"
section postun | grep -q 'reconcile.conf.rpmsave'
ok $? "postun moves a saved reconcile.conf out of collectd's snippet directory"
grep -q '^License: *MIT$' "$DG_TMP/spec.txt" && [ "$(grep -c '^%license LICENSE' "$DG_TMP/spec.txt")" -eq 2 ]
ok $? "License: MIT, with LICENSE in both packages"
files_of() { # files_of "%files LINE": that package's file list
  awk -v h="$1" '/^%(files|changelog)/ { on = ($0 == h); next } on' "$DG_TMP/spec.txt"
}
files_of '%files exchange-sim' | grep -q 'driftguard-exchange-sim$' &&
  ! files_of '%files' | grep -q 'exchange-sim'
ok $? "the simulator is in driftguard-exchange-sim only"
grep -q '^%config(noreplace) %attr(0640,root,driftguard) /etc/driftguard/executor.conf' "$DG_TMP/spec.txt"
ok $? "executor.conf is 0640 root:driftguard, as in the .deb"

# The snippet installed where the rpm puts it names that place.
if grep -q '^prefix = /usr$' "$top_builddir/Makefile"; then
  env -u MAKEFLAGS -u MFLAGS make -s -C "$top_builddir" packaging-install-conf DESTDIR="$DG_TMP/root" \
    collectdconfdir=/etc/collectd.d >/dev/null 2>&1
  head -n 1 "$DG_TMP/root/etc/collectd.d/reconcile.conf" | grep -q '^# /etc/collectd.d/reconcile.conf ' &&
    ! grep -q 'collectd.conf.d' "$DG_TMP/root/etc/collectd.d/reconcile.conf"
  ok $? "the rpm's reconcile.conf names /etc/collectd.d, not Debian's directory"
else
  ok 0 "# SKIP build tree not configured with --prefix=/usr"
fi
dg_done
