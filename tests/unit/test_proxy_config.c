/*
 * test_proxy_config.c - the [service NAME] sections: a valid service read
 * whole (IPv4 and IPv6 listen addresses, defaults, limits), a table of bad
 * ones each with its one error (file:line and text), and the PROXY v2
 * header's bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "guest-agent/agent.h"

static char	cert[64], key[64];

static int
load(struct agent_conf *c, struct conf *cf, const char *text)
{
	memset(cf, 0, sizeof(*cf));
	config_defaults(c, 0);
	return config_load_buf(c, cf, "t", text, strlen(text));
}

static int
setup(void **state)
{
	int	fd;

	(void)state;
	strcpy(cert, "/tmp/test_proxy_cert.XXXXXX");
	strcpy(key, "/tmp/test_proxy_key.XXXXXX");
	if ((fd = mkstemp(cert)) == -1)
		return -1;
	close(fd);
	if ((fd = mkstemp(key)) == -1)
		return -1;
	close(fd);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(cert);
	unlink(key);
	return 0;
}

static void
test_valid(void **state)
{
	static struct agent_conf c_;
	struct agent_conf	*c = &c_;
	struct conf		 cf;
	char			 text[2048], b[64];
	const struct svc_conf	*s;

	(void)state;
	snprintf(text, sizeof(text),
	    "[agent]\ndomid = 3\nshutdown_timeout = 5s\n"
	    "[service pop3s]\nlisten = 127.0.0.1:995\nlisten = [::1]:995\n"
	    "backend = 127.0.0.1:110\nprotocol = pop3\ntls = implicit\n"
	    "cert = %s\nkey = %s\nproxy_protocol = v2\nmax_connections = 50\n"
	    "idle_timeout = 30s\nhandshake_timeout = 2s\nbuffer_size = 16K\n"
	    "[service web]\nlisten = 0.0.0.0:8080\nbackend = [::1]:80\nprotocol = http\n"
	    "[service ftp]\nlisten = 10.0.0.5:21\nbackend = 127.0.0.1:2121\nprotocol = ftp\n"
	    "ftp_data_ports = 40000-40009\nftp_pasv_address = 192.0.2.7\n",
	    cert, key);
	assert_int_equal(load(c, &cf, text), 0);
	assert_int_equal(c->shutdown_timeout_ms, 5000);
	assert_int_equal(c->nsvc, 3);
	s = &c->svc[0];
	assert_string_equal(s->name, "pop3s");
	assert_int_equal(s->nlisten, 2);
	assert_string_equal(svc_addr_str(&s->listen[0].ss, b, sizeof(b)), "127.0.0.1:995");
	assert_string_equal(svc_addr_str(&s->listen[1].ss, b, sizeof(b)), "[::1]:995");
	assert_string_equal(svc_addr_str(&s->backend.ss, b, sizeof(b)), "127.0.0.1:110");
	assert_int_equal(s->proto, WIRE_P_POP3);
	assert_int_equal(s->tls, SVC_TLS_IMPLICIT);
	assert_true(s->proxy_v2);
	assert_int_equal(s->max_conns, 50);
	assert_int_equal(s->idle_ms, 30000);
	assert_int_equal(s->handshake_ms, 2000);
	assert_int_equal(s->buffer_size, 16384);
	s = &c->svc[1];
	assert_int_equal(s->tls, SVC_TLS_NONE);
	assert_int_equal(s->max_conns, 1024);		/* defaults */
	assert_int_equal(s->idle_ms, 600000);
	assert_int_equal(s->buffer_size, 65536);
	assert_string_equal(svc_addr_str(&s->backend.ss, b, sizeof(b)), "[::1]:80");
	assert_false(s->pasv_addr_set);
	s = &c->svc[2];
	assert_int_equal(s->data_port_min, 40000);
	assert_int_equal(s->data_port_max, 40009);
	assert_true(s->pasv_addr_set);
	assert_string_equal(inet_ntop(AF_INET, &s->pasv_addr, b, sizeof(b)), "192.0.2.7");
}

static const struct {
	const char	*text;
	const char	*error;
} bad[] = {
	{ "[service a]\nlisten = 127.0.0.1\n", "t:2: listen: \"127.0.0.1\" is not ADDR:PORT" },
	{ "[service a]\nlisten = 127.0.0.1:0\n", "t:2: listen: \"127.0.0.1:0\" has no valid port" },
	{ "[service a]\nlisten = 127.0.0.1:99999\n", "t:2: listen: \"127.0.0.1:99999\" has no valid port" },
	{ "[service a]\nlisten = ::1:80\n", "t:2: listen: \"::1:80\" is not ADDR:PORT" },
	{ "[service a]\nlisten = [::1:80\n", "t:2: listen: \"[::1:80\" is not [IPV6]:PORT" },
	{ "[service a]\nlisten = localhost:80\n", "t:2: listen: \"localhost:80\" has no numeric" },
	{ "[service a]\nbackend = 1.2.3:80\n", "t:2: backend: \"1.2.3:80\" has no numeric" },
	{ "[service a]\nftp_data_ports = 80-90\n", "t:2: ftp_data_ports: \"80-90\" is not LOW-HIGH" },
	{ "[service a]\nftp_data_ports = 40010-40000\n", "t:2: ftp_data_ports: \"40010-40000\" is not LOW-HIGH" },
	{ "[service a]\nftp_pasv_address = 2001:db8::1\n",
	  "t:2: ftp_pasv_address: \"2001:db8::1\" is not an IPv4 address" },
	{ "[service a]\nftp_pasv_address = 192.0.2.300\n",
	  "t:2: ftp_pasv_address: \"192.0.2.300\" is not an IPv4 address" },
	{ "[service a]\nftp_data_timeout = 1ms\n", "t:2: ftp_data_timeout: 1 is out of range" },
	{ "[service a]\nprotocol = gopher\n", "t:2: protocol: \"gopher\" is not http, pop3" },
	{ "[service a]\ntls = maybe\n", "t:2: tls: \"maybe\" is not none, implicit or starttls" },
	{ "[service a]\ncert = rel.pem\n", "t:2: cert: \"rel.pem\" is not an absolute path" },
	{ "[service a]\nproxy_protocol = v1\n", "t:2: proxy_protocol: \"v1\" is not v2 or none" },
	{ "[service a]\nbuffer_size = 1K\n", "t:2: buffer_size: 1024 is out of range" },
	{ "[service a]\ncolour = red\n", "t:2: unknown key \"colour\" in [service a]" },
	{ "[service]\nlisten = 127.0.0.1:1\n", "t:2: section [service] needs a name" },
	{ "[service a/b]\nlisten = 127.0.0.1:1\n", "t:2: [service a/b]: a name is up to 31" },
};

/* A complete service but for the line given (to test the whole-file checks). */
#define SVC_OK "listen = 127.0.0.1:1\nbackend = 127.0.0.1:2\n"

static const struct {
	const char	*text;
	const char	*error;
} bad_check[] = {
	{ "[service a]\nbackend = 127.0.0.1:2\nprotocol = tcp\n", "t:2: [service a]: listen is required" },
	{ "[service a]\nlisten = 127.0.0.1:1\nprotocol = tcp\n", "t:2: [service a]: backend is required" },
	{ "[service a]\n" SVC_OK, "t:2: [service a]: protocol is required" },
	{ "[service a]\n" SVC_OK "protocol = http\ntls = starttls\ncert = /etc/hostname\n"
	  "key = /etc/hostname\n", "t:2: [service a]: tls = starttls is for pop3, imap, smtp and ftp only" },
	{ "[service a]\n" SVC_OK "protocol = pop3\ntls = implicit\n",
	  "t:2: [service a]: tls needs cert and key" },
	{ "[service a]\n" SVC_OK "protocol = pop3\ntls = implicit\ncert = /nonexistent/c.pem\n"
	  "key = /etc/hostname\n", "t:2: [service a]: cert /nonexistent/c.pem is not readable" },
	{ "[service a]\n" SVC_OK "protocol = tcp\nftp_data_ports = 40000-40009\n",
	  "t:2: [service a]: ftp_data_ports is for protocol = ftp only" },
	{ "[service a]\n" SVC_OK "protocol = pop3\nftp_pasv_address = 192.0.2.7\n",
	  "t:2: [service a]: ftp_pasv_address is for protocol = ftp only" },
	{ "[service a]\n" SVC_OK "protocol = ftp\nproxy_protocol = v2\n",
	  "t:2: [service a]: proxy_protocol = v2 is not for protocol = ftp" },
	{ "[service a]\n" SVC_OK "protocol = tcp\n[service b]\n" SVC_OK "protocol = tcp\n",
	  "t:6: [service b]: listen address used twice (also in [service a])" },
};

static void
test_bad(void **state)
{
	static struct agent_conf c_;	/* no leak when a check fails */
	struct agent_conf	*c = &c_;
	struct conf		 cf;
	char			 text[1024];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* The whole-file checks add errors about the incomplete service. */
		snprintf(text, sizeof(text), "[agent]\ndomid = 3\n%s", bad[i].text);
		load(c, &cf, text);
		char want[256];
		snprintf(want, sizeof(want), "t:%d%s", atoi(bad[i].error + 2) + 2,
		    strchr(bad[i].error + 2, ':'));
		if (cf.nerrors < 1 || strncmp(cf.errors[0], want, strlen(want)) != 0) {
			print_error("row %zu: %d errors, first \"%s\", expected \"%s\"\n", i,
			    cf.nerrors, cf.nerrors ? cf.errors[0] : "", want);
			fail();
		}
	}
	for (i = 0; i < sizeof(bad_check) / sizeof(bad_check[0]); i++) {
		snprintf(text, sizeof(text), "%s[agent]\ndomid = 3\n", bad_check[i].text);
		if (load(c, &cf, text) != 1 || strncmp(cf.errors[0], bad_check[i].error,
		    strlen(bad_check[i].error)) != 0) {
			print_error("check row %zu: %d errors, first \"%s\", expected \"%s\"\n", i,
			    cf.nerrors, cf.nerrors ? cf.errors[0] : "", bad_check[i].error);
			fail();
		}
	}
}

static void
test_proxyproto(void **state)
{
	struct svc_addr	src, dst;
	const char	*why;
	uint8_t		buf[64];
	static const uint8_t want4[] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
		0x21, 0x11, 0x00, 0x0c, 10, 0, 0, 1, 127, 0, 0, 1, 0x30, 0x39, 0x03, 0xe3,
	};

	(void)state;
	assert_int_equal(config_service_addr("10.0.0.1:12345", &src, &why), 0);
	assert_int_equal(config_service_addr("127.0.0.1:995", &dst, &why), 0);
	assert_int_equal(proxyproto_v2(&src.ss, &dst.ss, buf, sizeof(buf)), sizeof(want4));
	assert_memory_equal(buf, want4, sizeof(want4));
	assert_int_equal(proxyproto_v2(&src.ss, &dst.ss, buf, 20), 0);	/* too small */
	assert_int_equal(config_service_addr("[2001:db8::1]:1", &src, &why), 0);
	assert_int_equal(proxyproto_v2(&src.ss, &dst.ss, buf, sizeof(buf)), 0);	/* mixed */
	assert_int_equal(config_service_addr("[::1]:2", &dst, &why), 0);
	assert_int_equal(proxyproto_v2(&src.ss, &dst.ss, buf, sizeof(buf)), 16 + 36);
	assert_int_equal(buf[13], 0x21);
	assert_int_equal(buf[15], 36);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_proxyproto),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
