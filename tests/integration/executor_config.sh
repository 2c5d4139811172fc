#!/usr/bin/env bash
# driftguard-executor's command line and config checks (SPEC section 8):
# -t accepts a good config, refuses a bad option with FILE:LINE, refuses a
# key file readable by others, a missing required option (PlanKeyFile
# unless Unauthenticated true), a NUL byte, a missing file;
# --help and --version; a bad argument exits 2.
. "$top_srcdir/tests/harness.sh"
dg_time_limit 30

key="$DG_TMP/trade.key"
dg_keyfile "$key" "$DG_API_KEY" "$DG_API_SECRET"
plankey="$DG_TMP/plan.key"
(umask 077 && echo "plan-key-0123456789" >"$plankey")
conf="$DG_TMP/executor.conf"
write_conf() {
  cat >"$conf" <<CONF
# test
URL "http://127.0.0.1:1"
KeyFile "$key"
PlanKeyFile "$plankey"
RedisURL "redis://127.0.0.1:1/0"
MetricsInterval 5
DryRun false
$1
CONF
}

write_conf ""
out=$("$DG_EXECUTOR" -t -C "$conf" 2>&1)
is "$?" 0 "-t accepts a good config"
grep -q "configuration OK" <<<"$out"
ok $? "-t says the configuration is OK"

write_conf 'Frobnicate "yes"'
out=$("$DG_EXECUTOR" -t -C "$conf" 2>&1)
is "$?" 1 "-t refuses an unknown option"
grep -q "$conf:8: unknown option \"Frobnicate\"" <<<"$out"
ok $? "the message names FILE:LINE and the option ($out)"

write_conf 'MetricsInterval "often"'
out=$("$DG_EXECUTOR" -t -C "$conf" 2>&1)
grep -q "$conf:8:.*MetricsInterval" <<<"$out"
ok $? "a bad value is refused with FILE:LINE ($out)"

write_conf 'BatchSize 0'
"$DG_EXECUTOR" -t -C "$conf" >/dev/null 2>&1
is "$?" 1 "an out-of-range BatchSize is refused"

write_conf ""
chmod 0644 "$key"
out=$("$DG_EXECUTOR" -t -C "$conf" 2>&1)
is "$?" 1 "-t refuses a world-readable key file"
grep -q "KeyFile" <<<"$out"
ok $? "the message names the key file option ($out)"
chmod 0600 "$key"
grep -q "$DG_API_SECRET" <<<"$out"
ok $((!$?)) "the secret is not printed"

write_conf "PlanKeyFile \"$DG_TMP/missing.key\""
"$DG_EXECUTOR" -t -C "$conf" >/dev/null 2>&1
is "$?" 1 "a missing PlanKeyFile is refused"

# Fail closed: without PlanKeyFile, only an explicit Unauthenticated true.
write_conf ""
sed -i '/^PlanKeyFile/d' "$conf"
out=$("$DG_EXECUTOR" -t -C "$conf" 2>&1)
is "$?" 1 "no PlanKeyFile: refused"
grep -q "$conf: option PlanKeyFile is required .*Unauthenticated true" <<<"$out"
ok $? "the message says how to run without one ($out)"
echo "Unauthenticated true" >>"$conf"
"$DG_EXECUTOR" -t -C "$conf" >/dev/null 2>&1
is "$?" 0 "no PlanKeyFile with Unauthenticated true: accepted"
write_conf "Unauthenticated true"
"$DG_EXECUTOR" -t -C "$conf" >/dev/null 2>&1
is "$?" 1 "PlanKeyFile with Unauthenticated true: refused as a contradiction"

# A NUL byte used to end the file silently, dropping what followed it.
write_conf ""
printf 'Timeout 3 # \0\nDryRun true\n' >>"$conf"
out=$("$DG_EXECUTOR" -t -C "$conf" 2>&1)
is "$?" 1 "a NUL byte in the config: refused"
grep -q "$conf:9: control byte 0x00 at column 13" <<<"$out"
ok $? "the message names FILE:LINE and the byte ($out)"

write_conf ""
sed -i '/^URL/d' "$conf"
out=$("$DG_EXECUTOR" -t -C "$conf" 2>&1)
grep -q "URL is required" <<<"$out"
ok $? "a missing URL is refused ($out)"

out=$("$DG_EXECUTOR" -t -C "$DG_TMP/nope.conf" 2>&1)
is "$?" 1 "a missing config file is refused"

"$DG_EXECUTOR" --help | grep -q -- "-C, --config FILE"
ok $? "--help describes -C"
"$DG_EXECUTOR" --version | grep -q "^driftguard-executor [0-9]"
ok $? "--version prints the version"
"$DG_EXECUTOR" --bogus >/dev/null 2>&1
is "$?" 2 "an unknown flag exits 2"
dg_done
