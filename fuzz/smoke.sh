#!/usr/bin/env bash
# fuzz/smoke.sh - the fuzz targets in make check: every target runs over
# its seed corpus (fuzz/replay, built by any compiler, so a regression on a
# known input fails CI everywhere); where clang's libFuzzer is installed,
# each target is then fuzzed for DG_FUZZ_SMOKE_S seconds (default 1; 0
# skips), starting from a copy of its corpus. Longer runs: make fuzz.
. "$top_srcdir/tests/harness.sh"
dg_time_limit 240

corpus="$top_srcdir/fuzz/corpus"
targets=$(ls "$corpus")
for t in $targets; do
  out=$("$top_builddir/fuzz/replay" "$t" "$corpus/$t" 2>&1)
  ok $? "replay $t over its corpus ($(tail -n 1 <<<"$out"))" ||
    sed 's/^/# /' <<<"$out" | tail -n 40
done

secs=${DG_FUZZ_SMOKE_S:-1}
if [ "$secs" -le 0 ]; then
  ok 0 "# SKIP libFuzzer smoke run (DG_FUZZ_SMOKE_S=0)"
elif ! command -v clang >/dev/null; then
  ok 0 "# SKIP libFuzzer smoke run: clang not installed (the corpora ran above)"
elif ! env -u MAKEFLAGS -u MFLAGS make -C "$top_builddir" -j2 fuzz-build \
  >"$DG_TMP/fuzz-build.log" 2>&1; then
  # clang without libFuzzer's runtime: the replay above still ran.
  ok 0 "# SKIP libFuzzer smoke run: clang cannot build -fsanitize=fuzzer ($(tail -n 1 "$DG_TMP/fuzz-build.log"))"
else
  for t in $targets; do
    mkdir -p "$DG_TMP/work-$t"
    cp "$corpus/$t"/* "$DG_TMP/work-$t/" 2>/dev/null
    ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1" \
      "$top_builddir/fuzz-bin/$t" -max_total_time="$secs" -timeout=10 \
      -rss_limit_mb=1024 -dict="$top_srcdir/fuzz/driftguard.dict" \
      -artifact_prefix="$DG_TMP/$t-" "$DG_TMP/work-$t" >"$DG_TMP/fuzz-$t.log" 2>&1
    ok $? "libFuzzer $t for ${secs} s ($(grep -o 'Done [0-9]* runs' "$DG_TMP/fuzz-$t.log" | tail -n 1))" ||
      tail -n 40 "$DG_TMP/fuzz-$t.log" | sed 's/^/# /'
  done
fi
dg_done
