# tests/migload/: migload, the SPECweb2005 Support-like load generator
# (libev + OpenSSL), and `make demo` / `make bench` (tests/demo/).
MIGLOAD_SRCS	:= tests/migload/migload.c tests/migload/ml_conn.c \
		   tests/migload/ml_resp.c tests/migload/ml_session.c \
		   tests/migload/ml_stats.c tests/migload/ml_work.c

$(eval $(call program,tests/migload/migload,$(MIGLOAD_SRCS),,-lev -lssl -lcrypto -lm))

DEPS_PKGS	+= libev-dev libssl-dev apache2 apache2-dev openssl nftables iproute2 curl \
		   gnuplot-nox

$(eval $(call unit_test,test_migload_resp,tests/unit/test_migload_resp.c tests/migload/ml_resp.c,,))
$(eval $(call fuzz_target,fuzz_migload_resp,tests/fuzz/fuzz_migload_resp.c tests/migload/ml_resp.c,))
BENCH_SCRIPTS	+= tests/bench/bench-demo.sh
INTEGRATION	+= tests/integration/migload_basic.sh tests/integration/demo_short.sh
