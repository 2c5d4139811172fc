# packaging: where the configs, the systemd unit, the monitoring files and the
# man pages are installed, and the `make deb` / `make rpm` targets.

dist_man_MANS = doc/driftguard-executor.8 doc/reconcile.conf.5 doc/driftguard-ctl.1 \
	doc/driftguard-exchange-sim.1

# Example configs (the plugin's is disabled until configured), installed by
# the rules below so that a reinstall never overwrites an operator's edits.
collectdconfdir = $(sysconfdir)/collectd/collectd.conf.d
driftguardconfdir = $(sysconfdir)/driftguard
EXTRA_DIST += conf.d/reconcile.conf conf.d/executor.conf

# Alert rules, the scrape job they assume, and the dashboard:
# /usr/share/driftguard (SPEC 7).
dist_pkgdata_DATA = packaging/prometheus/driftguard-alerts.yml \
	packaging/prometheus/driftguard-scrape.yml packaging/grafana/driftguard-dashboard.json
dist_doc_DATA = doc/runbook.md packaging/collectd/graphite-example.conf \
	packaging/redis/driftguard.acl packaging/stunnel/driftguard-redis.conf

PACKAGING_DEBIAN = packaging/debian/changelog packaging/debian/control \
	packaging/debian/copyright packaging/debian/rules packaging/debian/source/format \
	packaging/debian/driftguard.install packaging/debian/driftguard-exchange-sim.install \
	packaging/debian/driftguard.preinst packaging/debian/driftguard.postinst \
	packaging/debian/driftguard.prerm packaging/debian/driftguard.postrm
EXTRA_DIST += packaging/systemd/driftguard-executor.service \
	packaging/prometheus/driftguard-alerts.test.yml \
	packaging/rpm/driftguard.spec.in $(PACKAGING_DEBIAN)

PACKAGING_TESTS = tests/integration/alert_rules.sh tests/integration/unit_verify.sh \
	tests/integration/build_werror.sh \
	tests/integration/shipped_configs.sh tests/integration/graphite_paths.sh \
	tests/integration/deb_lifecycle.sh tests/integration/alert_rules_live.sh \
	tests/integration/rpm_spec.sh
TESTS += $(PACKAGING_TESTS)
EXTRA_DIST += $(PACKAGING_TESTS) LICENSE

# --- systemd unit -------------------------------------------------------------
# Empty: systemd's own unit directory (pkg-config) when installing into
# systemd's prefix, else $(prefix)/lib/systemd/system, so that a private
# prefix (make distcheck) never writes outside it. Override on the command
# line: make install systemdsystemunitdir=/lib/systemd/system
systemdsystemunitdir =
packaging_unitdir = \
	unitdir='$(systemdsystemunitdir)'; \
	if test -z "$$unitdir" && \
	   test "`$(PKG_CONFIG) --variable=prefix systemd 2>/dev/null`" = '$(prefix)'; then \
	  unitdir=`$(PKG_CONFIG) --variable=systemdsystemunitdir systemd`; \
	fi; \
	test -n "$$unitdir" || unitdir='$(prefix)/lib/systemd/system'
PACKAGING_UNIT = driftguard-executor.service

# The unit names /usr/sbin and /etc/driftguard (SPEC 7); other install
# directories are substituted in.
install-data-local: packaging-install-unit
packaging-install-unit:
	@$(packaging_unitdir); \
	echo " installing $(DESTDIR)$$unitdir/$(PACKAGING_UNIT)"; \
	$(MKDIR_P) "$(DESTDIR)$$unitdir" && \
	sed -e 's|/usr/sbin/|$(sbindir)/|g' -e 's|/etc/driftguard/|$(sysconfdir)/driftguard/|g' \
	  -e 's|=/etc/driftguard$$|=$(sysconfdir)/driftguard|' \
	  $(srcdir)/packaging/systemd/$(PACKAGING_UNIT) >"$(DESTDIR)$$unitdir/$(PACKAGING_UNIT)" && \
	chmod 644 "$(DESTDIR)$$unitdir/$(PACKAGING_UNIT)"

uninstall-local: packaging-uninstall-unit
packaging-uninstall-unit:
	@$(packaging_unitdir); rm -f "$(DESTDIR)$$unitdir/$(PACKAGING_UNIT)"

# --- configs ------------------------------------------------------------------
# DIR:FILE pairs; an existing file is kept, and uninstall only removes a file
# still identical to the shipped one. The files name their own paths: those
# follow the install directories (the rpm's collectd snippets are in
# /etc/collectd.d).
PACKAGING_CONFS = $(collectdconfdir):conf.d/reconcile.conf \
	$(driftguardconfdir):conf.d/executor.conf
packaging_conf_paths = sed -e 's|/etc/collectd/collectd\.conf\.d|$(collectdconfdir)|g' \
	-e 's|/etc/driftguard/|$(driftguardconfdir)/|g'
install-data-local: packaging-install-conf
packaging-install-conf:
	@for pair in $(PACKAGING_CONFS); do \
	  dir=$${pair%%:*}; src=$(srcdir)/$${pair#*:}; dest="$(DESTDIR)$$dir/`basename $$src`"; \
	  if test -f "$$dest"; then echo " keeping existing $$dest"; continue; fi; \
	  echo " installing $$dest"; \
	  $(MKDIR_P) "$(DESTDIR)$$dir" && $(packaging_conf_paths) "$$src" >"$$dest" && \
	    chmod 644 "$$dest" || exit 1; \
	done

uninstall-local: packaging-uninstall-conf
packaging-uninstall-conf:
	@for pair in $(PACKAGING_CONFS); do \
	  dir=$${pair%%:*}; src=$(srcdir)/$${pair#*:}; dest="$(DESTDIR)$$dir/`basename $$src`"; \
	  if $(packaging_conf_paths) "$$src" | cmp -s - "$$dest"; then rm -f "$$dest"; \
	  elif test -f "$$dest"; then echo " keeping modified $$dest"; fi; \
	done

# --- packages ---------------------------------------------------------------------
# Both build from the distribution tarball, so a package holds exactly what
# `make dist` ships. Tests are not run again inside the package build
# (`make check` runs them); results land in the build directory.
PACKAGING_DEB_DIR = deb-build
deb: dist-gzip
	@command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null || { \
	  echo "make deb: needs dpkg-buildpackage and debhelper (apt-get install dpkg-dev debhelper)" >&2; exit 1; }
	rm -rf $(PACKAGING_DEB_DIR) && $(MKDIR_P) $(PACKAGING_DEB_DIR)
	tar -C $(PACKAGING_DEB_DIR) -xzf $(distdir).tar.gz
	cp -R $(PACKAGING_DEB_DIR)/$(distdir)/packaging/debian $(PACKAGING_DEB_DIR)/$(distdir)/debian
	@v=`cd $(PACKAGING_DEB_DIR)/$(distdir) && dpkg-parsechangelog -S Version`; \
	case "$$v" in $(PACKAGE_VERSION)-*) ;; *) \
	  echo "make deb: packaging/debian/changelog is at $$v, the package at $(PACKAGE_VERSION): add a changelog entry (dch -v $(PACKAGE_VERSION)-1)" >&2; exit 1;; esac
	cd $(PACKAGING_DEB_DIR)/$(distdir) && \
	  DEB_BUILD_OPTIONS="nocheck $${DEB_BUILD_OPTIONS:-}" dpkg-buildpackage -us -uc -b -Pnocheck
	mv $(PACKAGING_DEB_DIR)/*.deb .
	@ls -1 *.deb

PACKAGING_RPM_DIR = rpm-build
rpm: dist-gzip
	@command -v rpmbuild >/dev/null || { \
	  echo "make rpm: rpmbuild not found (Debian: apt-get install rpm; Fedora: dnf install rpm-build)" >&2; exit 1; }
	rm -rf $(PACKAGING_RPM_DIR) && $(MKDIR_P) $(PACKAGING_RPM_DIR)/SOURCES $(PACKAGING_RPM_DIR)/SPECS
	cp $(distdir).tar.gz $(PACKAGING_RPM_DIR)/SOURCES/
	sed -e 's|[@]PACKAGE_VERSION[@]|$(PACKAGE_VERSION)|g' $(srcdir)/packaging/rpm/driftguard.spec.in \
	  >$(PACKAGING_RPM_DIR)/SPECS/driftguard.spec
# On a host without an RPM database of installed packages (Debian),
# BuildRequires cannot be checked: skip that check there.
	nodeps=; rpm -q rpm >/dev/null 2>&1 || nodeps=--nodeps; \
	rpmbuild $$nodeps --define "_topdir $(abs_builddir)/$(PACKAGING_RPM_DIR)" \
	  -bb $(PACKAGING_RPM_DIR)/SPECS/driftguard.spec
	mv $(PACKAGING_RPM_DIR)/RPMS/*/*.rpm .
	@ls -1 *.rpm

clean-local: packaging-clean
packaging-clean:
	rm -rf $(PACKAGING_DEB_DIR) $(PACKAGING_RPM_DIR)
CLEANFILES += *.deb *.rpm

.PHONY: deb rpm packaging-install-unit packaging-uninstall-unit packaging-clean \
	packaging-install-conf packaging-uninstall-conf
