# sim/: driftguard-exchange-sim, the loopback exchange simulator (Binance
# USD-M, Bybit v5 linear, OKX v5 SWAP) shipped for the demo and the tests.
bin_PROGRAMS += sim/driftguard-exchange-sim
sim_driftguard_exchange_sim_SOURCES = sim/sim.h sim/main.c sim/server.c \
	sim/params.c sim/reply.c sim/auth.c sim/limits.c sim/faults.c \
	sim/state.c sim/routes_fapi.c sim/routes_bybit.c sim/routes_okx.c \
	sim/routes_control.c
sim_driftguard_exchange_sim_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(JSONC_CFLAGS) \
	$(OPENSSL_CFLAGS) -pthread
sim_driftguard_exchange_sim_LDADD = lib/libdriftguard.la $(MHD_LIBS) $(JSONC_LIBS) \
	$(OPENSSL_LIBS) -lpthread

SIM_TESTS = tests/integration/sim_auth.sh tests/integration/sim_orders.sh \
	tests/integration/sim_limits.sh tests/integration/sim_lifecycle.sh \
	tests/integration/sim_venues.sh tests/integration/sim_bybit.sh \
	tests/integration/sim_okx.sh
TESTS += $(SIM_TESTS)
EXTRA_DIST += $(SIM_TESTS) tests/integration/sim_lib.sh \
	tests/integration/sim_venue_lib.sh
