# lib/infra.mk: libdriftguard's I/O edge (key files, Redis, config files,
# logging, the shared exchange ban) and its tests. See lib/local.mk.
lib_libdriftguard_la_SOURCES += \
	include/driftguard/keyfile.h lib/keyfile.c \
	include/driftguard/secret.h lib/secret.c \
	include/driftguard/redis.h lib/redis.c \
	lib/redis_sentinel.h lib/redis_sentinel.c \
	include/driftguard/conf.h lib/conf.c \
	include/driftguard/log.h lib/log.c \
	include/driftguard/log_limit.h lib/log_limit.c \
	include/driftguard/ban.h lib/ban.c

check_PROGRAMS += tests/unit/test_keyfile tests/unit/test_conf \
	tests/unit/test_redis_url tests/unit/test_log tests/unit/redis_probe \
	tests/unit/test_log_limit
tests_unit_test_log_limit_SOURCES = tests/unit/test_log_limit.c tests/tap.h
tests_unit_test_log_limit_LDADD = $(UNIT_LDADD)
tests_unit_test_log_limit_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_keyfile_SOURCES = tests/unit/test_keyfile.c tests/tap.h
tests_unit_test_keyfile_LDADD = $(UNIT_LDADD)
tests_unit_test_keyfile_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_conf_SOURCES = tests/unit/test_conf.c tests/tap.h
tests_unit_test_conf_LDADD = $(UNIT_LDADD)
tests_unit_test_conf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_redis_url_SOURCES = tests/unit/test_redis_url.c tests/tap.h
tests_unit_test_redis_url_LDADD = $(UNIT_LDADD)
tests_unit_test_redis_url_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_log_SOURCES = tests/unit/test_log.c tests/tap.h
tests_unit_test_log_LDADD = $(UNIT_LDADD)
tests_unit_test_log_CFLAGS = $(UNIT_CFLAGS)
# Driven by tests/integration/redis_conn.sh against a real redis-server.
tests_unit_redis_probe_SOURCES = tests/unit/redis_probe.c
tests_unit_redis_probe_LDADD = $(UNIT_LDADD)
tests_unit_redis_probe_CFLAGS = $(UNIT_CFLAGS)

TESTS += tests/unit/test_keyfile tests/unit/test_conf \
	tests/unit/test_redis_url tests/unit/test_log tests/unit/test_log_limit \
	tests/integration/redis_conn.sh tests/integration/redis_sentinel.sh
EXTRA_DIST += tests/integration/redis_conn.sh tests/integration/redis_sentinel.sh \
	tests/integration/sentinel_lib.sh
