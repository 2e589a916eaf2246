# migstate - top-level, non-recursive GNU Makefile.
#
# Each part has one fragment, <folder>/build.mk, included below.  A fragment
# adds to the lists at the end of this comment, using the templates defined
# here; it never sets global flags.
#
#   DEPS_PKGS          Debian packages the build or the tests need
#   BINS               what `make all` builds (paths under $(B))
#   UNIT_BINS          cmocka unit tests, normal and ASan+UBSan (via unit_test)
#   FUZZERS            libFuzzer targets (via fuzz_target)
#   INTEGRATION        integration test scripts (tests/integration/*.sh)
#   BENCH_SCRIPTS      benchmark scripts run by `make bench`
#   INSTALL_RULES      names of install-<x> targets
#   CHECK_RIGS         slow end-to-end targets `make check` runs last
#                      (check-vm, check-xen: real VMs under QEMU)
#
# B selects the build folder (default build/), so that several trees of
# objects can coexist: `make B=build-mine test`.

B		?= build
PREFIX		?= /usr/local
DESTDIR		?=
FUZZ_SECONDS	?= 60
CHECK_FUZZ_SECONDS ?= 10

CC		?= cc
ifeq ($(origin CC),default)
CC		:= gcc
endif
CLANG		?= clang
APXS		?= apxs

WARN		:= -Wall -Wextra -Werror
CFLAGS		?= -O2 -g
CFLAGS		+= -std=gnu11 $(WARN) -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIC
CPPFLAGS	+= -D_GNU_SOURCE -I. -Iproto -Icommon -MMD -MP
ASAN		:= -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# The ASan build drops _FORTIFY_SOURCE (it conflicts with the interceptors)
# and optimises lightly, so reports are readable.
ASAN_CFLAGS	:= -std=gnu11 $(WARN) -O1 -g -fPIC $(ASAN)
FUZZ_CFLAGS	:= -std=gnu11 $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined \
		   -fno-sanitize-recover=all -D_GNU_SOURCE -I. -Iproto -Icommon

DEPS_PKGS	:= build-essential clang libev-dev libssl-dev libxen-dev apache2-dev \
		   libcmocka-dev pkg-config libinih-dev
BINS		:=
UNIT_BINS	:=
FUZZERS		:=
INTEGRATION	:=
BENCH_SCRIPTS	:=
INSTALL_RULES	:=
CHECK_RIGS	:=

.PHONY: all check test unit integration fuzz fuzz-check bench demo deps install clean
all:

# ---------------------------------------------------------------- templates
# Objects: $(B)/x.o (normal) and $(B)/asan/x.o (ASan+UBSan) from x.c.
$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $($(*F)_CFLAGS) -c -o $@ $<

$(B)/asan/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ASAN_CFLAGS) $($(*F)_CFLAGS) -c -o $@ $<

objs		= $(patsubst %.c,$(B)/%.o,$(1))
asan_objs	= $(patsubst %.c,$(B)/asan/%.o,$(1))

# $(call static_lib,name,sources): $(B)/libname.a and $(B)/asan/libname.a
define static_lib
$(B)/lib$(1).a: $(call objs,$(2))
	@rm -f $$@
	$$(AR) rcs $$@ $$^
$(B)/asan/lib$(1).a: $(call asan_objs,$(2))
	@mkdir -p $$(@D)
	@rm -f $$@
	$$(AR) rcs $$@ $$^
endef

# $(call program,path,sources,libs,ldlibs): $(B)/path
define program
BINS += $(B)/$(1)
$(B)/$(1): $(call objs,$(2)) $(foreach l,$(3),$(B)/lib$(l).a)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $(foreach l,$(3),$(B)/lib$(l).a) $(4)
endef

# $(call unit_test,name,sources,libs,ldlibs): $(B)/tests/name and its ASan twin
define unit_test
UNIT_BINS += $(B)/tests/$(1) $(B)/asan/tests/$(1)
$(B)/tests/$(1): $(call objs,$(2)) $(foreach l,$(3),$(B)/lib$(l).a)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $(foreach l,$(3),$(B)/lib$(l).a) $(4) -lcmocka
$(B)/asan/tests/$(1): $(call asan_objs,$(2)) $(foreach l,$(3),$(B)/asan/lib$(l).a)
	@mkdir -p $$(@D)
	$$(CC) $$(LDFLAGS) $$(ASAN) -o $$@ $$(filter %.o,$$^) $(foreach l,$(3),$(B)/asan/lib$(l).a) $(4) -lcmocka
endef

# $(call fuzz_target,name,sources,ldlibs): $(B)/fuzz/name (clang, libFuzzer)
# Its seed corpus is tests/fuzz/corpus/name/.
define fuzz_target
FUZZERS += $(B)/fuzz/$(1)
$(B)/fuzz/$(1): $(2)
	@mkdir -p $$(@D)
	$$(CLANG) $$(FUZZ_CFLAGS) -o $$@ $(2) $(3)
endef

# ---------------------------------------------------------------- parts
include proto/build.mk
include common/build.mk
-include dom0-bridge/build.mk
-include guest-agent/build.mk
-include mod_migstate/build.mk
-include tests/build.mk
-include tests/migload/build.mk
-include tests/vm/build.mk
-include tests/xen/build.mk
-include packaging/install.mk

-include $(shell find $(B) -name '*.d' -type f -not -path '*-cache/*' 2>/dev/null)

# ---------------------------------------------------------------- targets
all: $(BINS)

# deps: install what is missing (as root), or say exactly what to run.
deps:
	@DEPS_PKGS="$(sort $(DEPS_PKGS))" sh tests/deps.sh

# test: the fast inner loop (build, unit tests normal and ASan).
test: all $(UNIT_BINS)
	@sh tests/run-tests.sh unit $(UNIT_BINS)

unit: test

integration: all $(UNIT_BINS)
	@B=$(B) sh tests/run-tests.sh integration $(INTEGRATION)

fuzz: $(FUZZERS)
	@sh tests/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZERS)

fuzz-check: $(FUZZERS)
	@sh tests/run-fuzz.sh $(CHECK_FUZZ_SECONDS) $(FUZZERS)

# check: everything, from a fresh machine.  The sub-make re-reads the
# fragments after deps may have installed what they probe for.  The VM
# rigs run last, each even if another failed (-k).
check: deps
	@$(MAKE) --no-print-directory check-all
	@if [ -n "$(strip $(CHECK_RIGS))" ]; then \
	  $(MAKE) --no-print-directory -k $(CHECK_RIGS); fi

.PHONY: check-all
check-all: all $(UNIT_BINS) $(FUZZERS)
	@B=$(B) sh tests/run-tests.sh all $(UNIT_BINS) $(INTEGRATION)
	@sh tests/run-fuzz.sh $(CHECK_FUZZ_SECONDS) $(FUZZERS)

bench: deps
	@$(MAKE) --no-print-directory all
	@B=$(B) sh tests/run-bench.sh $(BENCH_SCRIPTS)

demo: deps
	@$(MAKE) --no-print-directory all
	@if [ -x tests/demo/demo.sh ]; then B=$(B) sh tests/demo/demo.sh; \
	 else echo "make demo: not yet: see the issues (the demo issue builds it)"; fi

install: all $(INSTALL_RULES)

clean:
	rm -rf $(B)
