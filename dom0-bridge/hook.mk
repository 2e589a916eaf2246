# dom0-bridge/hook.mk: libmigstate-precopy.so (the LD_PRELOAD interposer on
# xc_domain_save), the libxenguest harness that drives it without a
# hypervisor, and their tests.
HOOK_SRCS	:= dom0-bridge/hook.c dom0-bridge/quiesce.c
HOOK_LDLIBS	:= $(shell pkg-config --libs xenstore 2>/dev/null || echo -lxenstore) -ldl
HOOK_SO		:= $(B)/dom0-bridge/libmigstate-precopy.so
HARNESS_DIR	:= $(B)/tests/harness
HARNESS_SO	:= $(HARNESS_DIR)/libxenguest-harness.so

DEPS_PKGS	+= libxen-dev libcmocka-dev
BINS		+= $(HOOK_SO) $(HARNESS_SO) $(HARNESS_DIR)/savedriver \
		   $(HARNESS_DIR)/bindcheck
INTEGRATION	+= $(sort $(wildcard tests/integration/hook_*.sh))
BENCH_SCRIPTS	+= tests/bench/bench-harness.sh

# The hook exports xc_domain_save@@VERS_4.17.0 and nothing else: the
# version script hides libmigproto's symbols too (-fvisibility would not).
$(B)/dom0-bridge/hook.map:
	@mkdir -p $(@D)
	printf 'VERS_4.17.0 {\n\tglobal: xc_domain_save;\n\tlocal: *;\n};\n' >$@

$(HOOK_SO): $(call objs,$(HOOK_SRCS)) $(B)/libmigproto.a $(B)/dom0-bridge/hook.map
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -shared -Wl,-z,defs -Wl,--as-needed \
	    -Wl,--version-script=$(B)/dom0-bridge/hook.map -o $@ \
	    $(filter %.o,$^) $(B)/libmigproto.a $(HOOK_LDLIBS)

$(HARNESS_SO): $(call objs,tests/harness/xg_harness.c) tests/harness/xg_harness.map
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -shared -Wl,-z,defs -Wl,-soname,libxenguest-harness.so \
	    -Wl,--version-script=tests/harness/xg_harness.map -o $@ \
	    $(filter %.o,$^) -lm

$(HARNESS_DIR)/savedriver: $(call objs,tests/harness/savedriver.c) $(HARNESS_SO)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) -L$(HARNESS_DIR) -lxenguest-harness \
	    -Wl,-rpath,'$$ORIGIN'

# Linked against Debian's real libxenguest: the binding test.
$(HARNESS_DIR)/bindcheck: $(call objs,tests/harness/bindcheck.c)
	$(CC) $(LDFLAGS) -o $@ $^ -lxenguest -ldl

$(eval $(call unit_test,test_hook,tests/unit/test_hook.c $(HOOK_SRCS),migproto,$(HOOK_LDLIBS) -lpthread))
