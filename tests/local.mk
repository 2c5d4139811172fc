# tests/: unit tests of libdriftguard (C, TAP) and integration tests (sh, TAP).
# Other components add their own tests to TESTS in their local.mk.
UNIT_LDADD = lib/libdriftguard.la
UNIT_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(HIREDIS_CFLAGS) $(CURL_CFLAGS)

check_PROGRAMS += tests/unit/test_decimal tests/unit/test_sign
tests_unit_test_decimal_SOURCES = tests/unit/test_decimal.c tests/tap.h
tests_unit_test_decimal_LDADD = $(UNIT_LDADD)
tests_unit_test_decimal_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_sign_SOURCES = tests/unit/test_sign.c tests/tap.h
tests_unit_test_sign_LDADD = $(UNIT_LDADD)
tests_unit_test_sign_CFLAGS = $(UNIT_CFLAGS)

TESTS += tests/unit/test_decimal tests/unit/test_sign
# Secrets out of core dumps: plugin (MADV_DONTDUMP), executor (undumpable).
TESTS += tests/integration/secrets_core.sh
EXTRA_DIST += tests/integration/secrets_core.sh
# The core (executor, plugin, ctl, lib) holds no venue code, header or
# endpoint: those live in the drivers (lib/binance_*, lib/bybit_*, lib/okx_*).
TESTS += tests/integration/venue_free_core.sh
EXTRA_DIST += tests/integration/venue_free_core.sh
EXTRA_DIST += tests/harness.sh tests/dec_literal.h tests/valgrind/run.sh tests/valgrind/collectd.supp
include tests/chaos.mk
include tests/e2e.mk
include tests/venues.mk
