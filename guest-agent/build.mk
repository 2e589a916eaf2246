# guest-agent/: migstate-agent (libev), its unit tests, and the test tools
# that stand in for its peers: testbridge (Dom-0 on the unix uplink) and
# shmwriter (mod_migstate's shared-memory writers).
AGENT_SRCS	:= guest-agent/config.c guest-agent/source.c guest-agent/src_shm.c \
		   guest-agent/uplink.c guest-agent/quiesce.c
# The TLS-terminating tracking proxy ([service NAME] sections).
PROXY_SRCS	:= guest-agent/config_service.c guest-agent/proxy.c guest-agent/tls.c \
		   guest-agent/starttls.c guest-agent/src_proxy.c guest-agent/proxyproto.c \
		   guest-agent/ftp_filter.c guest-agent/proxy_ftp.c
AGENT_SRCS	+= $(PROXY_SRCS)
AGENT_LDLIBS	:= -lev -linih -lssl -lcrypto $(PROTO_LIBS)
DEPS_PKGS	+= libev-dev libinih-dev libcmocka-dev libxen-dev
# The proxy's tests and benchmark: real daemons on loopback (nginx is the
# benchmark's backend).
DEPS_PKGS	+= libssl-dev openssl curl dovecot-pop3d dovecot-imapd opensmtpd apache2 \
		   python3 haproxy stunnel4 wrk vsftpd lftp nginx-light

$(eval $(call program,guest-agent/migstate-agent,guest-agent/agent.c $(AGENT_SRCS),migproto migcommon,$(AGENT_LDLIBS)))
$(eval $(call program,tests/tools/testbridge,tests/tools/testbridge.c,migproto,$(PROTO_LIBS)))
$(eval $(call program,tests/tools/shmwriter,tests/tools/shmwriter.c,,))

$(eval $(call unit_test,test_agent_config,tests/unit/test_agent_config.c guest-agent/config.c guest-agent/config_service.c,migcommon,-linih))
$(eval $(call unit_test,test_agent_source,tests/unit/test_agent_source.c guest-agent/source.c guest-agent/src_shm.c,migproto migcommon,$(PROTO_LIBS)))
$(eval $(call unit_test,test_agent_uplink,tests/unit/test_agent_uplink.c guest-agent/uplink.c guest-agent/source.c guest-agent/config.c guest-agent/config_service.c,migproto migcommon,-lev -linih $(PROTO_LIBS)))
$(eval $(call unit_test,test_agent_quiesce,tests/unit/test_agent_quiesce.c guest-agent/quiesce.c,migproto migcommon,-lev $(PROTO_LIBS)))

$(eval $(call unit_test,test_proxy_config,tests/unit/test_proxy_config.c guest-agent/config.c guest-agent/config_service.c guest-agent/proxyproto.c,migproto migcommon,-linih))
$(eval $(call unit_test,test_proxy_engine,tests/unit/test_proxy_engine.c guest-agent/config.c guest-agent/source.c $(PROXY_SRCS),migproto migcommon,-lev -linih -lssl -lcrypto))
$(eval $(call unit_test,test_ftp_filter,tests/unit/test_ftp_filter.c guest-agent/starttls.c guest-agent/ftp_filter.c,migproto,))
$(eval $(call unit_test,test_proxy_starttls,tests/unit/test_proxy_starttls.c guest-agent/starttls.c guest-agent/ftp_filter.c,migproto,))

INTEGRATION	+= $(filter-out %/agent_lib.sh,$(sort $(wildcard tests/integration/agent_*.sh)))
INTEGRATION	+= $(filter-out %/proxy_lib.sh,$(sort $(wildcard tests/integration/proxy_*.sh)))
BENCH_SCRIPTS	+= tests/bench/bench-agent.sh tests/bench/bench-proxy.sh tests/bench/bench-ftp.sh

$(eval $(call fuzz_target,fuzz_agent_uplink,tests/fuzz/fuzz_agent_uplink.c guest-agent/uplink.c guest-agent/source.c guest-agent/config.c guest-agent/config_service.c proto/wire.c proto/chan.c proto/chan_unix.c proto/chan_virtio.c common/log.c common/conf.c,-lev -linih))
$(eval $(call fuzz_target,fuzz_ftp_reply,tests/fuzz/fuzz_ftp_reply.c guest-agent/starttls.c guest-agent/ftp_filter.c proto/wire.c,))
$(eval $(call fuzz_target,fuzz_proxy_starttls,tests/fuzz/fuzz_proxy_starttls.c guest-agent/starttls.c guest-agent/ftp_filter.c proto/wire.c,))
