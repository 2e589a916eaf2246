# proto/: libmigproto.a - the wire protocol, channels, xenstore access,
# shared-memory layout and protocol trackers.  Pure library.
PROTO_SRCS	:= proto/wire.c proto/chan.c proto/chan_unix.c proto/chan_vchan.c \
		   proto/chan_virtio.c \
		   proto/migxs.c proto/shm.c
PROTO_LIBS	:= $(shell pkg-config --libs xenvchan xenstore 2>/dev/null || echo -lxenvchan -lxenstore)
-include proto/trackers.mk
-include proto/shm.mk

$(eval $(call static_lib,migproto,$(PROTO_SRCS)))

$(eval $(call unit_test,test_wire,tests/unit/test_wire.c,migproto,))
$(eval $(call unit_test,test_chan,tests/unit/test_chan.c,migproto,$(PROTO_LIBS)))
$(eval $(call unit_test,test_migxs,tests/unit/test_migxs.c,migproto,$(PROTO_LIBS)))
$(eval $(call fuzz_target,fuzz_wire,tests/fuzz/fuzz_wire.c proto/wire.c,))
$(eval $(call unit_test,test_shm,tests/unit/test_shm.c,migproto,))
$(eval $(call fuzz_target,fuzz_shm,tests/fuzz/fuzz_shm.c proto/shm.c,))
