# mod_migstate/: the Apache httpd 2.4 module, its test tool and tests.
# Built with $(CC) (our warnings, -Werror) and apxs -q for Apache's and
# APR's include directories and defines; skipped if apxs is missing.
MIGSTATE_APXS_INC	:= $(shell $(APXS) -q INCLUDEDIR 2>/dev/null)
MIGSTATE_APR_INC	:= $(shell $(APXS) -q APR_INCLUDEDIR 2>/dev/null)
MIGSTATE_APXS_DEFS	:= $(shell $(APXS) -q EXTRA_CPPFLAGS 2>/dev/null)

DEPS_PKGS	+= apache2 apache2-dev curl openssl python3 wrk procps valgrind

ifneq ($(MIGSTATE_APXS_INC),)
BINS		+= $(B)/mod_migstate/mod_migstate.so
$(B)/mod_migstate/mod_migstate.so: mod_migstate/mod_migstate.c proto/migshm.h proto/migwire.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(MIGSTATE_APXS_DEFS) -I$(MIGSTATE_APXS_INC) -I$(MIGSTATE_APR_INC) \
		-Iproto -shared $(LDFLAGS) -Wl,-z,relro,-z,now -o $@ mod_migstate/mod_migstate.c
endif

# The reader is compiled in directly: the tool needs nothing else of
# libmigproto.
$(eval $(call program,tests/tools/migshm-dump,tests/tools/migshm-dump.c proto/shm.c,,))

INTEGRATION	+= $(sort $(wildcard tests/integration/mod_migstate_*.sh))
BENCH_SCRIPTS	+= tests/bench/bench-mod_migstate.sh
