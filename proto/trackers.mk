# proto/trackers.mk - the application-protocol trackers (proto/track*.c),
# included by proto/build.mk before libmigproto.a is defined.
TRACK_SRCS	:= proto/track.c proto/track_http.c proto/track_pop3.c \
		   proto/track_ftp.c proto/track_smtp.c proto/track_imap.c
PROTO_SRCS	+= $(TRACK_SRCS)
# libhttp-parser and valgrind: the benchmark (tests/bench/bench-trackers.sh).
DEPS_PKGS	+= libhttp-parser-dev valgrind

# One unit test for the registry and helpers, one per protocol; the
# protocol tests share tests/unit/track_feed.c (transcript tables).
TRACK_PROTOS	:= http pop3 ftp smtp imap
$(eval $(call unit_test,test_track,tests/unit/test_track.c,migproto,))
$(foreach p,$(TRACK_PROTOS),$(eval $(call unit_test,test_track_$(p),\
	tests/unit/test_track_$(p).c tests/unit/track_feed.c,migproto,)))
$(foreach p,$(TRACK_PROTOS),$(eval test_track_$(p)_CFLAGS := -Itests/unit))
track_feed_CFLAGS := -Itests/unit

# One libFuzzer target per tracker, both directions interleaved.
$(foreach p,$(TRACK_PROTOS),$(eval $(call fuzz_target,fuzz_track_$(p),\
	tests/fuzz/fuzz_track_$(p).c $(TRACK_SRCS),)))

BENCH_SCRIPTS	+= tests/bench/bench-trackers.sh
