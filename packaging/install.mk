# packaging/install.mk: `make install` (install-migstate), `make deb` (the
# three Debian packages) and their test, tests/integration/packaging.sh (in
# INTEGRATION; `make check-packages` runs it alone).
#
# Where things go, and why (DESTDIR is prepended to every path):
#   $(PREFIX)/sbin             migbridge, migstate-agent (root daemons)
#   $(PREFIX)/bin              migbridge-ctl (read-only queries)
#   $(PREFIX)/lib/migstate     libmigstate-precopy.so and the save-helper
#                              wrapper: private to migstate, loaded by path,
#                              not a public library (no SONAME, no ldconfig)
#   $(PREFIX)/share/man/man5|8 every docs/*.5 and docs/*.8
#   $(PREFIX)/share/doc/migstate  docs/*.md (mod_migstate's directives)
#   /etc/migstate              migbridge.conf, agent.conf.  Always /etc, also
#                              for PREFIX=/usr/local: the daemons' compiled-in
#                              defaults are /etc/migstate/*.conf (FHS: host
#                              configuration lives in /etc).  An existing
#                              file is never overwritten (a local edit wins;
#                              the new default is left as *.conf.dist).
#   `apxs -q LIBEXECDIR`       mod_migstate.so: where Apache loads modules
#                              from, whatever PREFIX is
#   `apxs -q SYSCONFDIR`/mods-available  migstate.load, migstate.conf (Debian's
#                              a2enmod layout; skipped without mods-available)
#   $(SYSTEMDUNITDIR)          the units: /lib/systemd/system for PREFIX=/usr
#                              (Debian 12's unit directory), else
#                              $(PREFIX)/lib/systemd/system (in systemd's
#                              search path for /usr/local); ExecStart paths
#                              are rewritten to $(PREFIX)/sbin (and the
#                              wrapper's hook path to $(PREFIX)/lib/migstate).
# Only what was built is installed: a part that could not be built (no apxs,
# say) is skipped with a note, never an error.
#
# `make install` does not divert Xen's save helper (only the migbridge
# package does, see packaging/debian/migbridge.preinst); by hand:
#   dpkg-divert --add --rename --divert \
#     /usr/lib/xen-4.17/bin/libxl-save-helper.distrib \
#     /usr/lib/xen-4.17/bin/libxl-save-helper
#   ln -s $(PREFIX)/lib/migstate/libxl-save-helper-wrapper \
#     /usr/lib/xen-4.17/bin/libxl-save-helper
# (the installed wrapper names $(PREFIX)/lib/migstate's hook).  Undo that (rm the
# link, dpkg-divert --rename --remove the same path) before installing the
# migbridge package, whose own diversion would clash with this local one.

DEPS_PKGS	+= debhelper dpkg-dev fakeroot lintian git xen-utils-4.17
INSTALL_RULES	+= install-migstate

PKG_SBINDIR	= $(PREFIX)/sbin
PKG_BINDIR	= $(PREFIX)/bin
PKG_LIBDIR	= $(PREFIX)/lib/migstate
PKG_MANDIR	= $(PREFIX)/share/man
PKG_DOCDIR	= $(PREFIX)/share/doc/migstate
PKG_CONFDIR	= /etc/migstate
SYSTEMDUNITDIR	?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
PKG_APXS_MODDIR	= $(shell $(APXS) -q LIBEXECDIR 2>/dev/null)
PKG_APXS_CONFDIR = $(shell $(APXS) -q SYSCONFDIR 2>/dev/null)

# $(call pkg_inst,mode,file,dir): install file into $(DESTDIR)dir if built.
pkg_inst = if [ -f $(2) ]; then install -D -m $(1) $(2) $(DESTDIR)$(3)/$(notdir $(2)); \
	   else echo "install-migstate: $(2) not built: skipped"; fi

# $(call pkg_conf,file,dir): a configuration file, never over a local one.
pkg_conf = if [ ! -f $(1) ]; then echo "install-migstate: $(1) missing: skipped"; \
	   elif [ -e $(DESTDIR)$(2)/$(notdir $(1)) ] && ! cmp -s $(1) $(DESTDIR)$(2)/$(notdir $(1)); then \
	     install -m 0644 $(1) $(DESTDIR)$(2)/$(notdir $(1)).dist; \
	     echo "install-migstate: kept $(DESTDIR)$(2)/$(notdir $(1)); new default: $(notdir $(1)).dist"; \
	   else install -D -m 0644 $(1) $(DESTDIR)$(2)/$(notdir $(1)); fi

# $(call pkg_unit,file): a systemd unit, ExecStart* paths under $(PREFIX).
pkg_unit = if [ -f $(1) ]; then mkdir -p $(DESTDIR)$(SYSTEMDUNITDIR) && \
	     sed 's|/usr/sbin/|$(PKG_SBINDIR)/|g; s|/usr/bin/|$(PKG_BINDIR)/|g' $(1) \
	       >$(DESTDIR)$(SYSTEMDUNITDIR)/$(notdir $(1)) && \
	     chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$(notdir $(1)); \
	   else echo "install-migstate: $(1) missing: skipped"; fi

.PHONY: install-migstate deb check-packages
install-migstate: all
	@$(call pkg_inst,0755,$(B)/dom0-bridge/migbridge,$(PKG_SBINDIR))
	@# The agent's place fixed by the lead is $(B)/guest-agent/; accept the
	@# top of $(B) too, where guest-agent/build.mk first put it.
	@if [ -f $(B)/guest-agent/migstate-agent ]; then \
	  $(call pkg_inst,0755,$(B)/guest-agent/migstate-agent,$(PKG_SBINDIR)); \
	 else $(call pkg_inst,0755,$(B)/migstate-agent,$(PKG_SBINDIR)); fi
	@$(call pkg_inst,0755,$(B)/dom0-bridge/migbridge-ctl,$(PKG_BINDIR))
	@$(call pkg_inst,0644,$(B)/dom0-bridge/libmigstate-precopy.so,$(PKG_LIBDIR))
	@# The wrapper's default hook path, /usr/lib/migstate/, follows PREFIX.
	@mkdir -p $(DESTDIR)$(PKG_LIBDIR) && \
	 sed 's|/usr/lib/migstate/|$(PKG_LIBDIR)/|g' packaging/libxl-save-helper-wrapper \
	   >$(DESTDIR)$(PKG_LIBDIR)/libxl-save-helper-wrapper && \
	 chmod 0755 $(DESTDIR)$(PKG_LIBDIR)/libxl-save-helper-wrapper
	@$(foreach m,$(wildcard docs/*.5),$(call pkg_inst,0644,$(m),$(PKG_MANDIR)/man5);)
	@$(foreach m,$(wildcard docs/*.8),$(call pkg_inst,0644,$(m),$(PKG_MANDIR)/man8);)
	@$(foreach d,$(wildcard docs/*.md),$(call pkg_inst,0644,$(d),$(PKG_DOCDIR));)
	@$(call pkg_conf,packaging/migbridge.conf,$(PKG_CONFDIR))
	@$(call pkg_conf,packaging/agent.conf,$(PKG_CONFDIR))
	@$(call pkg_unit,packaging/systemd/migbridge.service)
	@$(call pkg_unit,packaging/systemd/migstate-agent.service)
ifneq ($(PKG_APXS_MODDIR),)
	@$(call pkg_inst,0644,$(B)/mod_migstate/mod_migstate.so,$(PKG_APXS_MODDIR))
	@if [ -d $(PKG_APXS_CONFDIR)/mods-available ] || [ -n "$(DESTDIR)" ]; then \
	  $(call pkg_inst,0644,packaging/apache2/migstate.load,$(PKG_APXS_CONFDIR)/mods-available); \
	  $(call pkg_inst,0644,packaging/apache2/migstate.conf,$(PKG_APXS_CONFDIR)/mods-available); \
	 else echo "install-migstate: no $(PKG_APXS_CONFDIR)/mods-available: add packaging/apache2/migstate.load to httpd.conf by hand"; fi
else
	@echo "install-migstate: no apxs: mod_migstate not installed"
endif

# deb: the three binary packages (and their -dbgsym) in $(DEB_OUT).
# dpkg-buildpackage wants debian/ at the top of the source tree, ours is
# packaging/debian: build in a temporary export of the tree, with
# packaging/debian copied to debian/.  DEB_FROM=worktree (default) exports
# the working tree as git sees it (tracked and untracked files, .gitignore'd
# build folders left out); DEB_FROM=HEAD exports the last commit only.
# The package build starts from a clean environment as far as make goes:
# this make's command-line variables (B=, DESTDIR=, PREFIX=) must not reach
# the make that debian/rules runs (through MAKEFLAGS).  The build is
# parallel (one job a CPU) unless DEB_BUILD_OPTIONS says otherwise.
DEB_OUT		?= $(B)/deb
DEB_FROM	?= worktree
DEB_BUILD_FLAGS	?= -us -uc -b
deb:
	@set -e; out=$(abspath $(DEB_OUT)); tmp=$$(mktemp -d); \
	trap 'rm -rf "$$tmp"' EXIT INT TERM; src=$$tmp/migstate; mkdir -p "$$src"; \
	if [ "$(DEB_FROM)" = HEAD ]; then \
	  git archive --format=tar HEAD | tar -x -C "$$src"; \
	elif git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  git ls-files -z -c -o --exclude-standard | \
	    tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -x -C "$$src"; \
	else \
	  tar --exclude='./build*' --exclude=./.git --exclude=./debian -cf - . | tar -x -C "$$src"; \
	fi; \
	rm -rf "$$src/debian"; cp -a "$$src/packaging/debian" "$$src/debian"; \
	echo "deb: building in $$src ($(DEB_FROM))"; \
	(cd "$$src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u B -u DESTDIR -u PREFIX \
	  DEB_BUILD_OPTIONS="$${DEB_BUILD_OPTIONS:-parallel=$$(nproc)}" \
	  dpkg-buildpackage $(DEB_BUILD_FLAGS)); \
	mkdir -p "$$out"; \
	for f in "$$tmp"/*.deb "$$tmp"/*.changes "$$tmp"/*.buildinfo; do \
	  if [ -e "$$f" ]; then cp "$$f" "$$out/"; fi; done; \
	ls -1 "$$out"

# tests/integration/packaging.sh: a package build from a clean clone,
# lintian, install/upgrade/remove/purge on this machine (root only, else it
# skips; it restores the machine's packages).  About 80-90 s on the shared
# development machine, so part of INTEGRATION; check-packages runs it alone.
INTEGRATION	+= tests/integration/packaging.sh
check-packages:
	@B=$(B) sh tests/run-tests.sh packaging tests/integration/packaging.sh
