# dom0-bridge/bridge.mk: migbridge, migbridge-ctl, the decision policy, and
# their tests (the test agent, integration scripts, the benchmark).
BRIDGE_SRCS	:= dom0-bridge/migbridge.c dom0-bridge/config.c dom0-bridge/domain.c \
		   dom0-bridge/uplink.c dom0-bridge/query.c dom0-bridge/xen.c \
		   dom0-bridge/policy.c dom0-bridge/qemu.c dom0-bridge/qmp.c
BRIDGE_LIBS	:= -lev -linih -ljansson $(PROTO_LIBS)

DEPS_PKGS	+= libev-dev libinih-dev libxen-dev libcmocka-dev libjansson-dev

$(eval $(call program,dom0-bridge/migbridge,$(BRIDGE_SRCS),migproto migcommon,$(BRIDGE_LIBS)))
$(eval $(call unit_test,test_policy,tests/unit/test_policy.c dom0-bridge/policy.c,migproto,))
$(eval $(call program,dom0-bridge/migbridge-ctl,dom0-bridge/ctl.c,migproto,$(PROTO_LIBS)))
$(eval $(call program,tests/tools/testagent,tests/tools/testagent.c,migproto,$(PROTO_LIBS)))
$(eval $(call program,tests/bench/fakeagents,tests/bench/fakeagents.c,migproto,-lev $(PROTO_LIBS)))

INTEGRATION	+= $(sort $(wildcard tests/integration/bridge_*.sh))
BENCH_SCRIPTS	+= tests/bench/bench-bridge.sh
$(eval $(call fuzz_target,fuzz_bridge_uplink,tests/fuzz/fuzz_bridge_uplink.c dom0-bridge/uplink.c dom0-bridge/domain.c dom0-bridge/query.c dom0-bridge/policy.c dom0-bridge/config.c dom0-bridge/qemu.c dom0-bridge/qmp.c proto/wire.c proto/chan.c proto/chan_unix.c common/log.c common/conf.c,-lev -linih -ljansson))
