/*
 * config.c - migstate-agent.conf(5): INI sections from a table, each with
 * its key handler.  Every error is kept with its file and line (conf.h) so
 * that `migstate-agent -n` lists them all.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"

struct config_ctx {
	struct agent_conf	*c;
	int			 agent_line;	/* first line of [agent], for late errors */
	int			 uplink_line;
	char			 bad_section[64];	/* last unknown section reported */
	int			 domid_seen;	/* even if invalid: no second error */
};

typedef void (*config_key_fn)(struct config_ctx *, struct conf *, const char *arg,
    const char *key, const char *value);

static void config_agent(struct config_ctx *, struct conf *, const char *,
    const char *, const char *);
static void config_apache(struct config_ctx *, struct conf *, const char *,
    const char *, const char *);
static void config_service(struct config_ctx *, struct conf *, const char *,
    const char *, const char *);

/*
 * Sections.  named: the section takes a name ("[service pop3]", added by
 * the proxy issue); the name is passed to the handler as arg.
 */
static const struct {
	const char	*section;
	int		 named;
	config_key_fn	 fn;
} config_sections[] = {
	{ "agent",	0, config_agent },
	{ "apache",	0, config_apache },
	{ "service",	1, config_service },
};

int
config_xen_guest(void)
{
	return access("/proc/xen", F_OK) == 0 || access("/dev/xen/xenbus", F_OK) == 0;
}

void
config_defaults(struct agent_conf *c, int xen_guest)
{
	memset(c, 0, sizeof(*c));
	if (gethostname(c->name, sizeof(c->name) - 1) == -1 || c->name[0] == '\0')
		strcpy(c->name, "unknown");
	c->uplink = xen_guest ? AGENT_UPLINK_VCHAN : AGENT_UPLINK_UNIX;
	snprintf(c->socket, sizeof(c->socket), "%s", AGENT_SOCKET_DEFAULT);
	snprintf(c->virtio_port, sizeof(c->virtio_port), "%s", AGENT_VIRTIO_PORT_DEFAULT);
	c->xs = AGENT_XS_DEFAULT;
	c->poll_ms = 10;
	c->heartbeat_ms = 1000;
	c->reconnect_max_ms = 2000;
	c->quiesce_timeout_ms = 30000;
	c->shutdown_timeout_ms = 10000;
	snprintf(c->apache_shm, sizeof(c->apache_shm), "%s", MIGSHM_DEFAULT_PATH);
}

static void
config_uplink(struct config_ctx *x, struct conf *cf, const char *value)
{
	x->uplink_line = cf->line;
	if (!strcmp(value, "vchan"))
		x->c->uplink = AGENT_UPLINK_VCHAN;
	else if (!strcmp(value, "unix"))
		x->c->uplink = AGENT_UPLINK_UNIX;
	else if (!strcmp(value, "virtio"))
		x->c->uplink = AGENT_UPLINK_VIRTIO;
	else if (!strcmp(value, "auto"))
		x->c->uplink = config_xen_guest() ? AGENT_UPLINK_VCHAN : AGENT_UPLINK_UNIX;
	else
		conf_error(cf, "uplink: \"%s\" is not vchan, unix, virtio or auto", value);
}

static void
config_xenstore(struct config_ctx *x, struct conf *cf, const char *value)
{
	if (!strcmp(value, "xen"))
		x->c->xs = AGENT_XS_XEN;
	else if (!strcmp(value, "none"))
		x->c->xs = AGENT_XS_NONE;
	else if (!strncmp(value, "dir:", 4) && value[4] == '/') {
		if (conf_string(cf, "xenstore", value + 4, x->c->xs_dir,
		    sizeof(x->c->xs_dir)) == 0)
			x->c->xs = AGENT_XS_DIR;
	} else
		conf_error(cf, "xenstore: \"%s\" is not xen, none or dir:/PATH", value);
}

static void
config_agent(struct config_ctx *x, struct conf *cf, const char *arg, const char *key,
    const char *value)
{
	struct agent_conf	*c = x->c;
	uint64_t		 v;

	(void)arg;
	if (x->agent_line == 0)
		x->agent_line = cf->line;
	if (!strcmp(key, "name"))
		conf_string(cf, key, value, c->name, sizeof(c->name));
	else if (!strcmp(key, "domid")) {
		x->domid_seen = 1;
		/* 0 is Dom-0 itself and 0x7ff0 up are reserved (DOMID_FIRST_RESERVED). */
		if (conf_uint(cf, key, value, 1, 0x7fef, &v) == 0) {
			c->domid = (uint32_t)v;
			c->domid_set = 1;
		}
	} else if (!strcmp(key, "uplink"))
		config_uplink(x, cf, value);
	else if (!strcmp(key, "socket")) {
		if (value[0] != '/' && value[0] != '\0')
			conf_error(cf, "socket: \"%s\" is not an absolute path", value);
		else
			conf_string(cf, key, value, c->socket, sizeof(c->socket));
	} else if (!strcmp(key, "virtio_port"))
		conf_string(cf, key, value, c->virtio_port, sizeof(c->virtio_port));
	else if (!strcmp(key, "xenstore"))
		config_xenstore(x, cf, value);
	else if (!strcmp(key, "poll"))
		conf_msec(cf, key, value, 1, 1000, &c->poll_ms);
	else if (!strcmp(key, "heartbeat"))
		conf_msec(cf, key, value, 100, 60000, &c->heartbeat_ms);
	else if (!strcmp(key, "reconnect_max"))
		conf_msec(cf, key, value, AGENT_BACKOFF_MIN_MS, 600000, &c->reconnect_max_ms);
	else if (!strcmp(key, "quiesce_timeout"))
		conf_msec(cf, key, value, 100, 3600000, &c->quiesce_timeout_ms);
	else if (!strcmp(key, "shutdown_timeout"))
		conf_msec(cf, key, value, 0, 3600000, &c->shutdown_timeout_ms);
	else
		conf_error(cf, "unknown key \"%s\" in [agent]", key);
}

static void
config_apache(struct config_ctx *x, struct conf *cf, const char *arg, const char *key,
    const char *value)
{
	(void)arg;
	x->c->apache = 1;
	if (!strcmp(key, "shm")) {
		if (value[0] != '/' && value[0] != '\0')
			conf_error(cf, "shm: \"%s\" is not an absolute path", value);
		else
			conf_string(cf, key, value, x->c->apache_shm, sizeof(x->c->apache_shm));
	} else
		conf_error(cf, "unknown key \"%s\" in [apache]", key);
}

/* [service NAME]: config_service.c. */
static void
config_service(struct config_ctx *x, struct conf *cf, const char *arg, const char *key,
    const char *value)
{
	config_service_key(x->c, cf, arg, key, value);
}

/* conf_key_fn: find the section in the table, hand the key to it. */
static void
config_key(struct conf *cf, void *arg, const char *section, const char *key,
    const char *value)
{
	struct config_ctx	*x = arg;
	const char		*sp = strchr(section, ' ');
	size_t			 blen = sp ? (size_t)(sp - section) : strlen(section);
	size_t			 i;

	for (i = 0; i < sizeof(config_sections) / sizeof(config_sections[0]); i++) {
		if (strlen(config_sections[i].section) != blen ||
		    strncmp(config_sections[i].section, section, blen) != 0)
			continue;
		if (config_sections[i].named != (sp != NULL && sp[1] != '\0')) {
			conf_error(cf, "section [%s] %s", section, config_sections[i].named ?
			    "needs a name" : "takes no name");
			return;
		}
		config_sections[i].fn(x, cf, sp ? sp + 1 : NULL, key, value);
		return;
	}
	if (section[0] == '\0') {
		conf_error(cf, "key \"%s\" outside any section", key);
		return;
	}
	/* One error per unknown section, not one per key in it. */
	if (strncmp(x->bad_section, section, sizeof(x->bad_section) - 1) != 0) {
		snprintf(x->bad_section, sizeof(x->bad_section), "%s", section);
		conf_error(cf, "unknown section [%s]", section);
	}
}

/* Checks that concern several keys, once the whole file is read. */
static void
config_check(struct config_ctx *x, struct conf *cf)
{
	struct agent_conf	*c = x->c;

	if (c->xs == AGENT_XS_DEFAULT)
		c->xs = c->uplink == AGENT_UPLINK_VCHAN ? AGENT_XS_XEN : AGENT_XS_NONE;
	cf->line = x->uplink_line ? x->uplink_line : x->agent_line ? x->agent_line : 1;
	if (c->uplink == AGENT_UPLINK_UNIX && !x->domid_seen)
		conf_error(cf, "[agent] domid is required when uplink is unix");
	if (c->uplink == AGENT_UPLINK_VCHAN && c->xs != AGENT_XS_XEN)
		conf_error(cf, "[agent] uplink vchan needs xenstore = xen");
	if (c->heartbeat_ms < c->poll_ms)
		conf_error(cf, "[agent] heartbeat (%llums) is shorter than poll (%llums)",
		    (unsigned long long)c->heartbeat_ms, (unsigned long long)c->poll_ms);
	config_service_check(c, cf);
}

int
config_load(struct agent_conf *c, struct conf *cf, const char *path)
{
	struct config_ctx	x = { .c = c };

	conf_parse_file(cf, path, config_key, &x);
	if (cf->nerrors == 0 || cf->line > 0)
		config_check(&x, cf);
	return cf->nerrors;
}

int
config_load_buf(struct agent_conf *c, struct conf *cf, const char *name,
    const char *buf, size_t len)
{
	struct config_ctx	x = { .c = c };

	conf_parse_buf(cf, name, buf, len, config_key, &x);
	config_check(&x, cf);
	return cf->nerrors;
}
