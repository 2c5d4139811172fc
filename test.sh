#!/usr/bin/env bash
# test.sh - install what is needed, build with AddressSanitizer/UBSan and run
# every test (unit, integration, end-to-end). Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
top=$(pwd)
scripts/install-deps.sh || exit 1
./autogen.sh >/dev/null 2>&1 || { echo "autogen failed"; ./autogen.sh; exit 1; }

build="$top/build-check"
rm -rf "$build"
mkdir -p "$build"
cd "$build" || exit 1
../configure --prefix=/usr --sysconfdir=/etc --localstatedir=/var \
  --enable-sanitizers --enable-werror >configure.out 2>&1 || {
  cat configure.out
  echo "0 passed, 1 failed"
  exit 1
}
make -j"$(nproc)" >make.out 2>&1 || {
  tail -n 60 make.out
  echo "0 passed, 1 failed"
  exit 1
}
make -j"$(nproc)" check >check.out 2>&1
check_rc=$?
grep -E '^(PASS|FAIL|XFAIL|XPASS|SKIP|ERROR):' check.out | sed 's/^/  /' | grep -v '^  PASS' || true

passed=0 failed=0 skipped=0
while IFS= read -r trs; do
  while IFS= read -r line; do
    case "$line" in
    ":test-result: PASS"* | ":test-result: XFAIL"*) passed=$((passed + 1)) ;;
    ":test-result: SKIP"*) skipped=$((skipped + 1)) ;;
    ":test-result: "*) failed=$((failed + 1)) ;;
    esac
  done <"$trs"
done < <(find . -name '*.trs')

# The daemons under valgrind: a plain (non-sanitizer) build of the same tree.
if [ -x "$top/tests/valgrind/run.sh" ]; then
  plain="$top/build-plain"
  rm -rf "$plain"
  mkdir -p "$plain"
  if (cd "$plain" && ../configure --prefix=/usr --sysconfdir=/etc --localstatedir=/var \
    --enable-werror CFLAGS='-O1 -g' >configure.out 2>&1 && make -j"$(nproc)" >make.out 2>&1); then
    top_srcdir="$top" top_builddir="$plain" "$top/tests/valgrind/run.sh" >"$plain/valgrind.log" 2>&1
    vg_passed=$(grep -c '^ok ' "$plain/valgrind.log")
    vg_failed=$(grep -c '^not ok ' "$plain/valgrind.log")
    grep -E '^(ok|not ok) ' "$plain/valgrind.log" | sed 's/^/  valgrind: /' | grep 'not ok' || true
    if [ "$vg_passed$vg_failed" = "00" ]; then
      tail -n 40 "$plain/valgrind.log"
      vg_failed=1
    elif [ "$vg_failed" -ne 0 ]; then
      tail -n 80 "$plain/valgrind.log"
    fi
    passed=$((passed + vg_passed))
    failed=$((failed + vg_failed))
  else
    tail -n 40 "$plain/make.out" "$plain/configure.out"
    echo "plain (non-sanitizer) build failed"
    failed=$((failed + 1))
  fi
fi

# Show the logs of whatever failed.
grep -l -E '^:test-result: (FAIL|XPASS|ERROR)' $(find . -name '*.trs') 2>/dev/null |
  while read -r trs; do
    echo "==== ${trs%.trs}.log"
    tail -n 80 "${trs%.trs}.log"
  done
if [ "$check_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  tail -n 40 check.out
  failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
