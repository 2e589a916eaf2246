# tests/migload/: migload, the SPECweb2005 Support-like load generator
# (libev + OpenSSL), and `make demo` / `make bench` (tests/demo/).
MIGLOAD_SRCS	:= tests/migload/migload.c tests/migload/ml_conn.c \
		   tests/migload/ml_resp.c tests/migload/ml_session.c \
		   tests/migload/ml_stats.c tests/migload/ml_work.c \
		   tests/migload/ml_pop3.c tests/migload/ml_pop3sess.c

$(eval $(call program,tests/migload/migload,$(MIGLOAD_SRCS),,-lev -lssl -lcrypto -lm))

DEPS_PKGS	+= libev-dev libssl-dev apache2 apache2-dev openssl nftables iproute2 curl \
		   gnuplot-nox dovecot-pop3d python3

$(eval $(call unit_test,test_migload_resp,tests/unit/test_migload_resp.c tests/migload/ml_resp.c,,))
$(eval $(call fuzz_target,fuzz_migload_resp,tests/fuzz/fuzz_migload_resp.c tests/migload/ml_resp.c,))
# POP3 mode: the response parser, and the QoS rules (ml_stats.c needs the rest).
$(eval $(call unit_test,test_ml_pop3,tests/unit/test_ml_pop3.c tests/migload/ml_pop3.c,,))
$(eval $(call fuzz_target,fuzz_migload_pop3,tests/fuzz/fuzz_migload_pop3.c tests/migload/ml_pop3.c,))
$(eval $(call unit_test,test_ml_stats,tests/unit/test_ml_stats.c \
    $(filter-out tests/migload/migload.c,$(MIGLOAD_SRCS)),,-lev -lssl -lcrypto -lm))
BENCH_SCRIPTS	+= tests/bench/bench-demo.sh
INTEGRATION	+= tests/integration/migload_basic.sh tests/integration/migload_pop3.sh \
		   tests/integration/demo_short.sh
