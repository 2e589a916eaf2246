/*
 * config_service.c - the [service NAME] sections of migstate-agent.conf(5):
 * one proxied TCP service each (listen, backend, protocol, tls, cert, key,
 * proxy_protocol, the limits, and FTP's data ports).  Every error names
 * file:line.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"

#define SVC_DEF_MAX_CONNS	1024
#define SVC_DEF_IDLE_MS		600000	/* 10 min: longer than any mail client's idle */
#define SVC_DEF_HANDSHAKE_MS	10000
#define SVC_DEF_BUFFER		65536
#define SVC_MIN_BUFFER		8192	/* >= two STARTTLS filter lines */
#define SVC_DEF_DATA_TIMEOUT_MS	30000	/* an FTP client connects at once after 227 */

char *
svc_addr_str(const struct sockaddr_storage *ss, char *buf, size_t cap)
{
	char	host[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		snprintf(buf, cap, "%s:%u", host, ntohs(in->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		snprintf(buf, cap, "[%s]:%u", host, ntohs(in6->sin6_port));
	} else
		snprintf(buf, cap, "(family %d)", ss->ss_family);
	return buf;
}

int
config_service_addr(const char *s, struct svc_addr *a, const char **why)
{
	char		 host[INET6_ADDRSTRLEN + 2];
	const char	*colon, *port;
	char		*end;
	unsigned long	 p;
	size_t		 hlen;

	memset(a, 0, sizeof(*a));
	if (s[0] == '[') {
		if ((colon = strstr(s, "]:")) == NULL) {
			*why = "is not [IPV6]:PORT";
			return -1;
		}
		hlen = (size_t)(colon - s - 1);
		port = colon + 2;
		s++;
	} else {
		if ((colon = strrchr(s, ':')) == NULL || strchr(s, ':') != colon) {
			*why = "is not ADDR:PORT (IPv6: [ADDR]:PORT)";
			return -1;
		}
		hlen = (size_t)(colon - s);
		port = colon + 1;
	}
	if (hlen == 0 || hlen >= sizeof(host)) {
		*why = "has no valid address";
		return -1;
	}
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	p = strtoul(port, &end, 10);
	if (*port < '0' || *port > '9' || *end != '\0' || p == 0 || p > 65535) {
		*why = "has no valid port (1-65535)";
		return -1;
	}
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&a->ss)->sin_addr) == 1) {
		struct sockaddr_in *in = (struct sockaddr_in *)&a->ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)p);
		a->len = sizeof(*in);
	} else if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)&a->ss)->sin6_addr) == 1) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a->ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)p);
		a->len = sizeof(*in6);
	} else {
		*why = "has no numeric IPv4 or IPv6 address";
		return -1;
	}
	return 0;
}

/* The service called name, created (with defaults) if new; NULL if full. */
static struct svc_conf *
config_service_get(struct agent_conf *c, struct conf *cf, const char *name)
{
	struct svc_conf	*s;
	unsigned	 i;

	for (i = 0; i < c->nsvc; i++)
		if (!strcmp(c->svc[i].name, name))
			return &c->svc[i];
	if (c->nsvc >= AGENT_MAX_SERVICES) {
		conf_error(cf, "[service %s]: more than %d services", name,
		    AGENT_MAX_SERVICES);
		return NULL;
	}
	if (strlen(name) >= sizeof(s->name) || strspn(name, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != strlen(name)) {
		conf_error(cf, "[service %s]: a name is up to %zu letters, digits, - _ .",
		    name, sizeof(s->name) - 1);
		return NULL;
	}
	s = &c->svc[c->nsvc++];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->line = cf->line;
	s->max_conns = SVC_DEF_MAX_CONNS;
	s->idle_ms = SVC_DEF_IDLE_MS;
	s->handshake_ms = SVC_DEF_HANDSHAKE_MS;
	s->buffer_size = SVC_DEF_BUFFER;
	s->data_timeout_ms = SVC_DEF_DATA_TIMEOUT_MS;
	return s;
}

static void
config_service_listen(struct svc_conf *s, struct conf *cf, const char *value)
{
	const char	*why;

	if (s->nlisten >= SVC_MAX_LISTEN) {
		conf_error(cf, "listen: more than %d addresses in [service %s]",
		    SVC_MAX_LISTEN, s->name);
		return;
	}
	if (config_service_addr(value, &s->listen[s->nlisten], &why) == -1)
		conf_error(cf, "listen: \"%s\" %s", value, why);
	else
		s->nlisten++;
}

static void
config_service_proto(struct svc_conf *s, struct conf *cf, const char *value)
{
	static const struct { const char *name; enum wire_proto p; } tab[] = {
		{ "http", WIRE_P_HTTP }, { "pop3", WIRE_P_POP3 }, { "imap", WIRE_P_IMAP },
		{ "smtp", WIRE_P_SMTP }, { "ftp", WIRE_P_FTP }, { "tcp", WIRE_P_TCP },
	};
	size_t	i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (!strcmp(value, tab[i].name)) {
			s->proto = tab[i].p;
			return;
		}
	conf_error(cf, "protocol: \"%s\" is not http, pop3, imap, smtp, ftp or tcp", value);
}

static void
config_service_tls(struct svc_conf *s, struct conf *cf, const char *value)
{
	if (!strcmp(value, "none"))
		s->tls = SVC_TLS_NONE;
	else if (!strcmp(value, "implicit"))
		s->tls = SVC_TLS_IMPLICIT;
	else if (!strcmp(value, "starttls"))
		s->tls = SVC_TLS_STARTTLS;
	else
		conf_error(cf, "tls: \"%s\" is not none, implicit or starttls", value);
}

/* ftp_data_ports = LOW-HIGH (1024-65535), or a single port. */
static void
config_service_ports(struct svc_conf *s, struct conf *cf, const char *value)
{
	unsigned long	 lo, hi;
	char		*end;

	lo = strtoul(value, &end, 10);
	hi = lo;
	if (*end == '-')
		hi = strtoul(end + 1, &end, 10);
	if (value[0] < '0' || value[0] > '9' || *end != '\0' || lo < 1024 || hi > 65535 ||
	    lo > hi) {
		conf_error(cf, "ftp_data_ports: \"%s\" is not LOW-HIGH within 1024-65535",
		    value);
		return;
	}
	s->data_port_min = (uint16_t)lo;
	s->data_port_max = (uint16_t)hi;
}

static void
config_service_path(struct conf *cf, const char *key, const char *value, char *out)
{
	if (value[0] != '/')
		conf_error(cf, "%s: \"%s\" is not an absolute path", key, value);
	else
		conf_string(cf, key, value, out, SVC_PATH_LEN);
}

void
config_service_key(struct agent_conf *c, struct conf *cf, const char *name,
    const char *key, const char *value)
{
	struct svc_conf	*s;
	const char	*why;

	if ((s = config_service_get(c, cf, name)) == NULL)
		return;
	if (!strcmp(key, "listen"))
		config_service_listen(s, cf, value);
	else if (!strcmp(key, "backend")) {
		if (config_service_addr(value, &s->backend, &why) == -1)
			conf_error(cf, "backend: \"%s\" %s", value, why);
	} else if (!strcmp(key, "protocol"))
		config_service_proto(s, cf, value);
	else if (!strcmp(key, "tls"))
		config_service_tls(s, cf, value);
	else if (!strcmp(key, "cert"))
		config_service_path(cf, key, value, s->cert);
	else if (!strcmp(key, "key"))
		config_service_path(cf, key, value, s->key);
	else if (!strcmp(key, "proxy_protocol")) {
		if (!strcmp(value, "v2"))
			s->proxy_v2 = 1;
		else if (!strcmp(value, "none"))
			s->proxy_v2 = 0;
		else
			conf_error(cf, "proxy_protocol: \"%s\" is not v2 or none", value);
	} else if (!strcmp(key, "max_connections"))
		conf_uint(cf, key, value, 1, 1000000, &s->max_conns);
	else if (!strcmp(key, "idle_timeout"))
		conf_msec(cf, key, value, 100, 86400000, &s->idle_ms);
	else if (!strcmp(key, "handshake_timeout"))
		conf_msec(cf, key, value, 100, 600000, &s->handshake_ms);
	else if (!strcmp(key, "buffer_size"))
		conf_size(cf, key, value, SVC_MIN_BUFFER, 16 << 20, &s->buffer_size);
	else if (!strcmp(key, "ftp_data_ports"))
		config_service_ports(s, cf, value);
	else if (!strcmp(key, "ftp_data_timeout"))
		conf_msec(cf, key, value, 100, 3600000, &s->data_timeout_ms);
	else if (!strcmp(key, "ftp_pasv_address")) {
		if (inet_pton(AF_INET, value, &s->pasv_addr) == 1)
			s->pasv_addr_set = 1;
		else
			conf_error(cf, "ftp_pasv_address: \"%s\" is not an IPv4 address", value);
	} else
		conf_error(cf, "unknown key \"%s\" in [service %s]", key, s->name);
}

/* Two listen addresses equal (family, address, port)? */
static int
config_service_same(const struct svc_addr *a, const struct svc_addr *b)
{
	return a->len == b->len && memcmp(&a->ss, &b->ss, a->len) == 0;
}

static void
config_service_check1(struct agent_conf *c, struct conf *cf, struct svc_conf *s)
{
	unsigned	i, j, k;

	if (s->nlisten == 0)
		conf_error(cf, "[service %s]: listen is required", s->name);
	if (s->backend.len == 0)
		conf_error(cf, "[service %s]: backend is required", s->name);
	if (s->proto == 0)
		conf_error(cf, "[service %s]: protocol is required", s->name);
	if (s->tls == SVC_TLS_STARTTLS && s->proto != WIRE_P_POP3 &&
	    s->proto != WIRE_P_IMAP && s->proto != WIRE_P_SMTP && s->proto != WIRE_P_FTP)
		conf_error(cf, "[service %s]: tls = starttls is for pop3, imap, smtp and ftp "
		    "only", s->name);
	if (s->proto != WIRE_P_FTP && s->data_port_min != 0)
		conf_error(cf, "[service %s]: ftp_data_ports is for protocol = ftp only",
		    s->name);
	if (s->proto != WIRE_P_FTP && s->pasv_addr_set)
		conf_error(cf, "[service %s]: ftp_pasv_address is for protocol = ftp only",
		    s->name);
	if (s->proto == WIRE_P_FTP && s->proxy_v2)
		conf_error(cf, "[service %s]: proxy_protocol = v2 is not for protocol = ftp "
		    "(its data connections could not carry it)", s->name);
	if (s->tls != SVC_TLS_NONE) {
		if (s->cert[0] == '\0' || s->key[0] == '\0')
			conf_error(cf, "[service %s]: tls needs cert and key", s->name);
		if (s->cert[0] != '\0' && access(s->cert, R_OK) == -1)
			conf_error(cf, "[service %s]: cert %s is not readable", s->name, s->cert);
		if (s->key[0] != '\0' && access(s->key, R_OK) == -1)
			conf_error(cf, "[service %s]: key %s is not readable", s->name, s->key);
	}
	/* The same address twice, in this or an earlier service. */
	for (i = 0; i < s->nlisten; i++)
		for (j = 0; &c->svc[j] <= s; j++)
			for (k = 0; k < (&c->svc[j] == s ? i : c->svc[j].nlisten); k++)
				if (config_service_same(&s->listen[i], &c->svc[j].listen[k]))
					conf_error(cf, "[service %s]: listen address used twice "
					    "(also in [service %s])", s->name, c->svc[j].name);
}

void
config_service_check(struct agent_conf *c, struct conf *cf)
{
	unsigned	i;

	for (i = 0; i < c->nsvc; i++) {
		cf->line = c->svc[i].line;
		config_service_check1(c, cf, &c->svc[i]);
	}
}
