# plugins/: the collectd plugin reconcile.so, loaded by an unmodified
# collectd with "LoadPlugin reconcile". It carries libdriftguard (PIC
# convenience library) and exports module_register only; collectd's own
# symbols resolve at dlopen, so nothing of collectd is linked.
collectdplugindir = $(collectd_plugindir)
collectdplugin_LTLIBRARIES = plugins/reconcile.la
plugins_reconcile_la_SOURCES = \
	plugins/reconcile.c \
	plugins/reconcile_account.h \
	plugins/reconcile_poll.c \
	plugins/reconcile_store.c \
	plugins/reconcile_decide.h plugins/reconcile_decide.c \
	plugins/reconcile_template.h plugins/reconcile_template.c \
	plugins/reconcile_metrics.c
# collectd's config.h comes first through COLLECTD_CPPFLAGS; ours is
# driftguard_config.h and is never included here.
plugins_reconcile_la_CPPFLAGS = $(COLLECTD_CPPFLAGS) $(AM_CPPFLAGS)
plugins_reconcile_la_CFLAGS = $(AM_CFLAGS) $(HIREDIS_CFLAGS) $(OPENSSL_CFLAGS) \
	$(CURL_CFLAGS) $(JSONC_CFLAGS)
plugins_reconcile_la_LDFLAGS = -module -avoid-version -shared \
	-export-symbols-regex '^module_register$$' $(AM_LDFLAGS)
plugins_reconcile_la_LIBADD = lib/libdriftguard.la $(HIREDIS_LIBS) \
	$(OPENSSL_LIBS) $(CURL_LIBS) $(JSONC_LIBS)

# collectd loads reconcile.so; the libtool archive is of no use there.
install-data-hook: plugins-remove-la
plugins-remove-la:
	rm -f $(DESTDIR)$(collectdplugindir)/reconcile.la

uninstall-hook: plugins-remove-so
plugins-remove-so:
	rm -f $(DESTDIR)$(collectdplugindir)/reconcile.so
.PHONY: plugins-remove-la plugins-remove-so

# The pure key-template code, tested without collectd.
check_PROGRAMS += tests/unit/test_reconcile_template
tests_unit_test_reconcile_template_SOURCES = \
	tests/unit/test_reconcile_template.c tests/tap.h \
	plugins/reconcile_template.h plugins/reconcile_template.c
tests_unit_test_reconcile_template_LDADD = $(UNIT_LDADD)
tests_unit_test_reconcile_template_CFLAGS = $(UNIT_CFLAGS)
TESTS += tests/unit/test_reconcile_template

# The plugin's per-symbol decision, pure, tested with a table.
check_PROGRAMS += tests/unit/test_reconcile_decide
tests_unit_test_reconcile_decide_SOURCES = \
	tests/unit/test_reconcile_decide.c tests/tap.h tests/dec_literal.h \
	plugins/reconcile_decide.h plugins/reconcile_decide.c
tests_unit_test_reconcile_decide_LDADD = $(UNIT_LDADD)
tests_unit_test_reconcile_decide_CFLAGS = $(UNIT_CFLAGS)
TESTS += tests/unit/test_reconcile_decide

# Integration tests: a real collectd loading the built plugin, a real
# redis-server and the exchange simulator (see tests/harness.sh).
PLUGIN_TESTS = tests/integration/plugin_drift.sh \
	tests/integration/plugin_auto.sh \
	tests/integration/plugin_two_instances.sh \
	tests/integration/plugin_ban.sh \
	tests/integration/plugin_repoll.sh \
	tests/integration/plugin_redis.sh \
	tests/integration/plugin_config.sh \
	tests/integration/plugin_accounts.sh
TESTS += $(PLUGIN_TESTS)
EXTRA_DIST += $(PLUGIN_TESTS) tests/integration/plugin_common.sh
