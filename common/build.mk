# common/: libmigcommon.a - what the daemons share: logging, configuration
# file reading.  Daemon-side only (proto/ never logs).
COMMON_SRCS	:= common/log.c common/conf.c

$(eval $(call static_lib,migcommon,$(COMMON_SRCS)))
$(eval $(call unit_test,test_conf,tests/unit/test_conf.c,migcommon,-linih))
$(eval $(call fuzz_target,fuzz_conf,tests/fuzz/fuzz_conf.c common/conf.c common/log.c,-linih))
