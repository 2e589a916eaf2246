# guest-agent/: migstate-agent (libev), its unit tests, and the test tools
# that stand in for its peers: testbridge (Dom-0 on the unix uplink) and
# shmwriter (mod_migstate's shared-memory writers).
AGENT_SRCS	:= guest-agent/config.c guest-agent/source.c guest-agent/src_shm.c \
		   guest-agent/uplink.c guest-agent/quiesce.c
AGENT_LDLIBS	:= -lev -linih $(PROTO_LIBS)
DEPS_PKGS	+= libev-dev libinih-dev libcmocka-dev libxen-dev

$(eval $(call program,guest-agent/migstate-agent,guest-agent/agent.c $(AGENT_SRCS),migproto migcommon,$(AGENT_LDLIBS)))
$(eval $(call program,tests/tools/testbridge,tests/tools/testbridge.c,migproto,$(PROTO_LIBS)))
$(eval $(call program,tests/tools/shmwriter,tests/tools/shmwriter.c,,))

$(eval $(call unit_test,test_agent_config,tests/unit/test_agent_config.c guest-agent/config.c,migcommon,-linih))
$(eval $(call unit_test,test_agent_source,tests/unit/test_agent_source.c guest-agent/source.c guest-agent/src_shm.c,migproto migcommon,$(PROTO_LIBS)))
$(eval $(call unit_test,test_agent_uplink,tests/unit/test_agent_uplink.c guest-agent/uplink.c guest-agent/source.c guest-agent/config.c,migproto migcommon,-lev -linih $(PROTO_LIBS)))
$(eval $(call unit_test,test_agent_quiesce,tests/unit/test_agent_quiesce.c guest-agent/quiesce.c,migproto migcommon,-lev $(PROTO_LIBS)))

INTEGRATION	+= $(filter-out %/agent_lib.sh,$(sort $(wildcard tests/integration/agent_*.sh)))
BENCH_SCRIPTS	+= tests/bench/bench-agent.sh

.PHONY: install-agent
INSTALL_RULES	+= install-agent
install-agent: $(B)/guest-agent/migstate-agent
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/man/man5
	install -m 0755 $(B)/guest-agent/migstate-agent $(DESTDIR)$(PREFIX)/sbin/
	install -m 0644 docs/migstate-agent.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 0644 docs/migstate-agent.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/

$(eval $(call fuzz_target,fuzz_agent_uplink,tests/fuzz/fuzz_agent_uplink.c guest-agent/uplink.c guest-agent/source.c guest-agent/config.c proto/wire.c proto/chan.c proto/chan_unix.c common/log.c common/conf.c,-lev -linih))
