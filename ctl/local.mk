# ctl/: driftguard-ctl, the operator's tool (check, status, holds, results,
# release) and its integration tests against a real redis-server and the
# exchange simulator.
bin_PROGRAMS += ctl/driftguard-ctl
ctl_driftguard_ctl_SOURCES = \
	ctl/ctl.h \
	ctl/main.c \
	ctl/config.c \
	ctl/session.c \
	ctl/output.c \
	ctl/cmd_check.c \
	ctl/redis_setup.h ctl/redis_setup.c \
	ctl/cmd_status.c \
	ctl/cmd_results.c \
	ctl/cmd_release.c
ctl_driftguard_ctl_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(HIREDIS_CFLAGS) \
	$(CURL_CFLAGS) $(LCC_CFLAGS)
ctl_driftguard_ctl_LDADD = lib/libdriftguard.la $(JSONC_LIBS) $(HIREDIS_LIBS) \
	$(CURL_LIBS) $(OPENSSL_LIBS) $(LCC_LIBS)

# The INFO reader of check's Redis findings, on its own.
check_PROGRAMS += tests/unit/test_redis_info
tests_unit_test_redis_info_SOURCES = tests/unit/test_redis_info.c tests/tap.h \
	ctl/redis_setup.h ctl/redis_setup.c
tests_unit_test_redis_info_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
tests_unit_test_redis_info_CFLAGS = $(ctl_driftguard_ctl_CFLAGS)
tests_unit_test_redis_info_LDADD = $(ctl_driftguard_ctl_LDADD)
TESTS += tests/unit/test_redis_info

CTL_TESTS = tests/integration/ctl_check.sh \
	tests/integration/ctl_status.sh \
	tests/integration/ctl_release.sh \
	tests/integration/ctl_e2e.sh
TESTS += $(CTL_TESTS)
EXTRA_DIST += $(CTL_TESTS) tests/integration/ctl_lib.sh
