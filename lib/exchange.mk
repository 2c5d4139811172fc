# lib/exchange.mk: the exchange interface (exchange.h), its HTTP client, the
# helpers drivers share and the drivers (Binance USD-M, Bybit v5 linear, OKX
# v5 SWAP); their unit tests and the client integration tests.
lib_libdriftguard_la_SOURCES += \
	include/driftguard/exchange.h lib/exchange.c lib/exchange_driver.h \
	lib/exchange_handle.c lib/exchange_rules.c \
	include/driftguard/http.h lib/http.c \
	include/driftguard/query.h lib/query.c \
	include/driftguard/json_tree.h lib/json_tree.c \
	include/driftguard/binance_parse.h lib/binance_parse.c \
	lib/binance_usdm.c \
	include/driftguard/bybit_parse.h lib/bybit_parse.c \
	lib/bybit_linear.c \
	include/driftguard/okx_parse.h lib/okx_parse.c \
	lib/okx_swap.c

check_PROGRAMS += tests/unit/test_binance_parse tests/unit/test_bybit_parse \
	tests/unit/test_okx_parse tests/unit/exchange_probe
tests_unit_test_binance_parse_SOURCES = tests/unit/test_binance_parse.c tests/tap.h
tests_unit_test_binance_parse_LDADD = lib/libdriftguard.la
tests_unit_test_binance_parse_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(CURL_CFLAGS)
tests_unit_test_bybit_parse_SOURCES = tests/unit/test_bybit_parse.c tests/tap.h
tests_unit_test_bybit_parse_LDADD = lib/libdriftguard.la
tests_unit_test_bybit_parse_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(CURL_CFLAGS)
tests_unit_test_okx_parse_SOURCES = tests/unit/test_okx_parse.c tests/tap.h
tests_unit_test_okx_parse_LDADD = lib/libdriftguard.la
tests_unit_test_okx_parse_CFLAGS = $(AM_CFLAGS)
# A one-call command-line client of exchange.h, driven by exchange_client.sh.
tests_unit_exchange_probe_SOURCES = tests/unit/exchange_probe.c
tests_unit_exchange_probe_LDADD = lib/libdriftguard.la
tests_unit_exchange_probe_CFLAGS = $(AM_CFLAGS)

TESTS += tests/unit/test_binance_parse tests/unit/test_bybit_parse \
	tests/unit/test_okx_parse \
	tests/integration/exchange_client.sh \
	tests/integration/exchange_client_bybit.sh \
	tests/integration/exchange_client_okx.sh
EXTRA_DIST += tests/integration/exchange_client.sh \
	tests/integration/exchange_client_bybit.sh \
	tests/integration/exchange_client_okx.sh
