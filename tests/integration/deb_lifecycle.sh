#!/usr/bin/env bash
# deb_lifecycle.sh - the .deb as an operator meets it: install, configure the
# plugin, upgrade, remove, install again, purge; after every step collectd's
# configuration still loads (collectd -T), and the maintainer scripts asked
# systemd for what they should (start nothing on install, try-restart the
# executor on upgrade, stop it on remove).
#
# The packages are built from this build tree by packaging/debian/rules
# (DRIFTGUARD_BUILT_TREE: no second compile) and installed with dpkg into a
# throwaway root: an overlay of this machine's / in a private mount
# namespace, so this host's files and dpkg database never change. systemd does
# not run there; the maintainer scripts' service actions are read from
# /usr/sbin/policy-rc.d, the hook Debian's deb-systemd-invoke asks (and obeys)
# before every action: it logs the request and denies it.

# A private mount namespace first: the overlay disappears with this process.
if [ -z "${DG_DEB_NS:-}" ]; then
  if [ "$(id -u)" -eq 0 ] && unshare --mount true 2>/dev/null; then
    DG_DEB_NS=1 exec unshare --mount --propagation private "$BASH" "$0" "$@"
  fi
  echo "1..0 # SKIP needs root and unshare --mount for a throwaway dpkg root"
  exit 0
fi
. "$top_srcdir/tests/harness.sh"
dg_time_limit 120

for tool in dh dpkg-deb collectd; do
  command -v "$tool" >/dev/null || skip_all "$tool not installed (scripts/install-deps.sh)"
done
grep -q '^prefix = /usr$' "$top_builddir/Makefile" &&
  grep -q '^sysconfdir = /etc$' "$top_builddir/Makefile" ||
  skip_all "build tree not configured with --prefix=/usr --sysconfdir=/etc"

# --- build the packages: 0.1.0-1 and an upgrade to the same files ---------------
pkg="$DG_TMP/pkg"
mkdir -p "$pkg/src" && cp -R "$top_srcdir/packaging/debian" "$pkg/src/debian"
(cd "$pkg/src" && env -u MAKEFLAGS -u MFLAGS DRIFTGUARD_BUILT_TREE="$top_builddir" \
  DEB_BUILD_OPTIONS="noddebs nostrip nocheck" debian/rules binary) >"$DG_TMP/build.log" 2>&1
ok $? "debian/rules binary builds the packages" || tail -n 30 "$DG_TMP/build.log" | sed 's/^/# /'
deb=$(ls "$pkg"/driftguard_*.deb 2>/dev/null)
sim_deb=$(ls "$pkg"/driftguard-exchange-sim_*.deb 2>/dev/null)
[ -f "$deb" ] && [ -f "$sim_deb" ] || bail "no .deb built"

! dpkg-deb -c "$deb" | grep 'driftguard-exchange-sim' >/dev/null &&
  dpkg-deb -c "$sim_deb" | grep '/usr/bin/driftguard-exchange-sim$' >/dev/null
ok $? "the simulator is in driftguard-exchange-sim, not in driftguard"
for p in "$deb" "$sim_deb"; do
  dpkg-deb --fsys-tarfile "$p" | tar -xO --wildcards './usr/share/doc/*/copyright' |
    grep -q '^License: Expat'
  ok $? "$(basename "$p") carries the MIT (Expat) copyright file"
done

# The upgrade: the same files under version 0.1.0-2.
dpkg-deb -R "$deb" "$pkg/up" && sed -i 's/^Version: .*/Version: 0.1.0-2/' "$pkg/up/DEBIAN/control" &&
  dpkg-deb -b "$pkg/up" "$pkg/upgrade.deb" >/dev/null
ok $? "an upgrade package (0.1.0-2) is built" || bail "no upgrade package"

# --- the throwaway root -------------------------------------------------------------
root=$(mktemp -d "${TMPDIR:-/tmp}/dgroot.XXXXXX")
mkdir -p "$DG_TMP/upper" "$DG_TMP/work"
unmount_root() {
  umount -l "$root" 2>/dev/null
  rmdir "$root" 2>/dev/null # never rm -r: it might still be the overlay
}
trap 'unmount_root; dg_cleanup' EXIT
mount -t overlay overlay -o "lowerdir=/,upperdir=$DG_TMP/upper,workdir=$DG_TMP/work" "$root" ||
  skip_all "cannot mount an overlay of / here"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
# No device files in the lower /dev: give scripts their /dev/null; ASan
# (a sanitizer build's plugin in collectd) reads /proc.
rm -f "$root/dev/null" && mknod -m 666 "$root/dev/null" c 1 3
mount -t proc proc "$root/proc" || bail "cannot mount /proc in the root"
# What the maintainer scripts ask of systemd, logged and denied.
mkdir -p "$root/run/systemd/system"
cat >"$root/usr/sbin/policy-rc.d" <<'EOF'
#!/bin/sh
echo "$*" >>/var/log/policy-rc.log
exit 101
EOF
chmod 755 "$root/usr/sbin/policy-rc.d"
# man-db's trigger would reindex every page on each step: seconds for nothing.
rm -f "$root/var/lib/man-db/auto-update"
policy_log() { cat "$root/var/log/policy-rc.log" 2>/dev/null; }
policy_reset() { rm -f "$root/var/log/policy-rc.log"; }
# In the root, the package is not installed (the host's may be: not here).
in_root dpkg --purge driftguard driftguard-exchange-sim >/dev/null 2>&1

# Debian's collectd package: its collectd.conf includes the snippet
# directory like this, and it owns the directory (a file of its own in it).
mkdir -p "$root/etc/collectd/collectd.conf.d"
echo "# the collectd package's own snippet" >"$root/etc/collectd/collectd.conf.d/filters.conf"
cat >"$root/etc/collectd/collectd.conf" <<'EOF'
Hostname "dgtest"
FQDNLookup false
BaseDir "/var/lib/collectd"
PluginDir "/usr/lib/collectd"
TypesDB "/usr/share/collectd/types.db"
Interval 10
<Include "/etc/collectd/collectd.conf.d">
	Filter "*.conf"
</Include>
EOF
collectd_loads() { # collectd_loads NAME: collectd -T reads the root's config
  local preload=""
  # A sanitizer build's plugin needs the ASan runtime loaded first.
  if [ -n "${DG_SAN_CFLAGS:-}" ]; then preload=$(gcc -print-file-name=libasan.so); fi
  in_root LD_PRELOAD="$preload" ASAN_OPTIONS="detect_leaks=0:verify_asan_link_order=0" \
    timeout 20 /usr/sbin/collectd -T -C /etc/collectd/collectd.conf >"$DG_TMP/collectd-$1.log" 2>&1
}
conf="$root/etc/collectd/collectd.conf.d/reconcile.conf"
parked="$conf.driftguard-removed"

# --- install --------------------------------------------------------------------------
cp "$deb" "$sim_deb" "$pkg/upgrade.deb" "$root/tmp/"
in_root dpkg -i "/tmp/$(basename "$deb")" >"$DG_TMP/dpkg-install.log" 2>&1
ok $? "dpkg -i installs driftguard" || sed 's/^/# /' "$DG_TMP/dpkg-install.log"
in_root getent passwd driftguard >/dev/null
ok $? "the driftguard system user exists"
is "$(in_root stat -c '%a %U:%G' /etc/driftguard)" "750 root:driftguard" "/etc/driftguard is 0750 root:driftguard"
is "$(in_root stat -c '%a %U:%G' /etc/driftguard/executor.conf)" "640 root:driftguard" \
  "executor.conf is 0640 root:driftguard, as in the rpm"
[ -L "$root/etc/systemd/system/multi-user.target.wants/driftguard-executor.service" ]
ok $? "the executor's unit is enabled"
! policy_log | grep -q 'driftguard-executor'
ok $? "a fresh install starts nothing (the executor needs its keys first)" || policy_log | sed 's/^/# /'
collectd_loads install && ! grep -q reconcile "$DG_TMP/collectd-install.log"
ok $? "collectd loads its config with the package as shipped (plugin disabled)" ||
  sed 's/^/# /' "$DG_TMP/collectd-install.log"

# --- the operator configures, key files in the documented layout ------------------------
# 0640 root:driftguard, shared by the plugin (root's collectd) and the executor.
keys="$root/etc/driftguard"
dg_keyfile "$keys/main-readonly.key" "$DG_API_KEY" "$DG_API_SECRET"
dg_keyfile "$keys/executor-trading.key" "$DG_API_KEY" "$DG_API_SECRET"
echo "planKey0123456789" >"$keys/plan.key"
echo "redispass" >"$keys/redis.pass"
in_root sh -c 'cd /etc/driftguard &&
  chown root:driftguard main-readonly.key executor-trading.key plan.key redis.pass &&
  chmod 0640 main-readonly.key executor-trading.key plan.key redis.pass'
closed=$(dg_free_port)
sed -i -e '/^#LoadPlugin reconcile/,$ s/^#\([^ ]\|  \)/\1/' \
  -e "s|https://fapi.binance.com|http://127.0.0.1:$closed|" \
  -e "s|redis://127.0.0.1:6379/0|redis://127.0.0.1:$closed/0|" \
  -e "s|/var/run/collectd-unixsock|/run/dgtest-unixsock|" "$conf"
sed -i -e 's|^#\(PlanKeyFile\)|\1|' -e 's|^#\(RedisPasswordFile\)|\1|' \
  -e "s|redis://127.0.0.1:6379/0|redis://127.0.0.1:$closed/0|" "$root/etc/driftguard/executor.conf"
collectd_loads configured && grep -q 'reconcile plugin: account=main' "$DG_TMP/collectd-configured.log" &&
  ! grep -q 'Initialization of plugin .reconcile. failed' "$DG_TMP/collectd-configured.log"
ok $? "with 0640 root:driftguard keys, collectd (root) loads the plugin" ||
  sed 's/^/# /' "$DG_TMP/collectd-configured.log"
asan="ASAN_OPTIONS=detect_leaks=0"
in_root "$asan" setpriv --reuid=driftguard --regid=driftguard --clear-groups \
  /usr/sbin/driftguard-executor -t -C /etc/driftguard/executor.conf >"$DG_TMP/t-service.log" 2>&1
ok $? "driftguard-executor -t as the service user accepts them" || sed 's/^/# /' "$DG_TMP/t-service.log"
in_root "$asan" /usr/sbin/driftguard-executor -t -C /etc/driftguard/executor.conf >"$DG_TMP/t-root.log" 2>&1
ok $? "driftguard-executor -t as root accepts them too" || sed 's/^/# /' "$DG_TMP/t-root.log"
in_root "$asan" /usr/bin/driftguard-ctl --json check >"$DG_TMP/ctl-check.json" 2>"$DG_TMP/ctl-check.err"
[ "$(jq -r '[.checks[] | select(.check | test("_file$")) | .result] | unique | join(",")' \
  "$DG_TMP/ctl-check.json")" = OK ]
ok $? "driftguard-ctl check as root finds every key file OK" ||
  sed 's/^/# /' "$DG_TMP/ctl-check.json" "$DG_TMP/ctl-check.err"
# A root-only 0600 file is fine for root but not for the service: -t says so.
in_root chown root:root /etc/driftguard/executor-trading.key
in_root chmod 0600 /etc/driftguard/executor-trading.key
in_root "$asan" /usr/sbin/driftguard-executor -t -C /etc/driftguard/executor.conf >"$DG_TMP/t-root2.log" 2>&1
[ $? -ne 0 ] && grep -q 'cannot be read by user driftguard' "$DG_TMP/t-root2.log" &&
  grep -q 'chown root:driftguard /etc/driftguard/executor-trading.key' "$DG_TMP/t-root2.log"
ok $? "-t as root refuses a 0600 root key the service could not read, and says how to fix it" ||
  sed 's/^/# /' "$DG_TMP/t-root2.log"
in_root chown root:driftguard /etc/driftguard/executor-trading.key
in_root chmod 0640 /etc/driftguard/executor-trading.key
edited=$(md5sum <"$conf")

# --- upgrade ---------------------------------------------------------------------------
policy_reset
in_root dpkg -i /tmp/upgrade.deb >"$DG_TMP/dpkg-upgrade.log" 2>&1
ok $? "dpkg -i upgrades to 0.1.0-2" || sed 's/^/# /' "$DG_TMP/dpkg-upgrade.log"
policy_log | grep -q -x 'driftguard-executor.service try-restart'
ok $? "the upgrade restarts a running executor (try-restart)" || policy_log | sed 's/^/# /'
! policy_log | grep -q 'driftguard-executor.service stop'
ok $? "and does not stop it before the new files are in" || policy_log | sed 's/^/# /'
is "$(md5sum <"$conf")" "$edited" "the upgrade keeps the operator's reconcile.conf"
collectd_loads upgraded && grep -q 'reconcile plugin: account=main' "$DG_TMP/collectd-upgraded.log"
ok $? "after the upgrade collectd loads its config and the plugin" ||
  sed 's/^/# /' "$DG_TMP/collectd-upgraded.log"

# --- remove ------------------------------------------------------------------------------
policy_reset
in_root dpkg -r driftguard >"$DG_TMP/dpkg-remove.log" 2>&1
ok $? "dpkg -r removes driftguard" || sed 's/^/# /' "$DG_TMP/dpkg-remove.log"
policy_log | grep -q -x 'driftguard-executor.service stop'
ok $? "removing stops the executor" || policy_log | sed 's/^/# /'
[ ! -e "$root/usr/lib/collectd/reconcile.so" ] && [ ! -e "$conf" ] && [ -f "$parked" ]
ok $? "reconcile.so is gone and the plugin's config is parked as reconcile.conf.driftguard-removed"
collectd_loads removed && ! grep -q -i 'reconcile' "$DG_TMP/collectd-removed.log"
ok $? "after remove collectd still loads its config (it would refuse LoadPlugin reconcile)" ||
  sed 's/^/# /' "$DG_TMP/collectd-removed.log"
# The check is real: with the parked file back, collectd refuses to start.
cp "$parked" "$conf" && ! collectd_loads refused && grep -q 'Could not find plugin "reconcile"' \
  "$DG_TMP/collectd-refused.log"
ok $? "(without parking, collectd would refuse its whole config)" ||
  sed 's/^/# /' "$DG_TMP/collectd-refused.log"
rm -f "$conf"

# --- install again: the operator's config comes back ------------------------------------
in_root dpkg -i /tmp/upgrade.deb >"$DG_TMP/dpkg-reinstall.log" 2>&1
ok $? "dpkg -i installs driftguard again" || sed 's/^/# /' "$DG_TMP/dpkg-reinstall.log"
[ ! -e "$parked" ] && [ "$(md5sum <"$conf")" = "$edited" ]
ok $? "the reinstall puts the operator's reconcile.conf back"
collectd_loads reinstalled && grep -q 'reconcile plugin: account=main' "$DG_TMP/collectd-reinstalled.log"
ok $? "after the reinstall collectd loads the plugin again" ||
  sed 's/^/# /' "$DG_TMP/collectd-reinstalled.log"

# --- purge ---------------------------------------------------------------------------------
in_root dpkg -P driftguard >"$DG_TMP/dpkg-purge.log" 2>&1
ok $? "dpkg -P purges driftguard" || sed 's/^/# /' "$DG_TMP/dpkg-purge.log"
[ ! -e "$conf" ] && [ ! -e "$parked" ] && [ ! -e "$root/etc/driftguard/executor.conf" ]
ok $? "purge deletes the configs, parked or not"
[ -f "$keys/main-readonly.key" ] && in_root getent passwd driftguard >/dev/null
ok $? "purge leaves the operator's key files and the driftguard user (as documented)"
collectd_loads purged && ! grep -q -i 'reconcile' "$DG_TMP/collectd-purged.log"
ok $? "after purge collectd loads its config" || sed 's/^/# /' "$DG_TMP/collectd-purged.log"

# --- the simulator's own package ----------------------------------------------------------
in_root dpkg -i "/tmp/$(basename "$sim_deb")" >"$DG_TMP/dpkg-sim.log" 2>&1 &&
  [ -x "$root/usr/bin/driftguard-exchange-sim" ] && [ ! -e "$root/usr/sbin/driftguard-executor" ]
ok $? "driftguard-exchange-sim installs on its own" || sed 's/^/# /' "$DG_TMP/dpkg-sim.log"

dg_done
