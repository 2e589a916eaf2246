/*
 * config.c - migbridge.conf: defaults, keys, validation.  Every error is
 * collected with its file and line (common/conf.h); see migbridge.conf(5).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "migbridge.h"

void
config_defaults(struct bridge_conf *bc)
{
	memset(bc, 0, sizeof(*bc));
	bc->mode = BRIDGE_MODE_UNIX;
	strcpy(bc->agent_socket, "/run/migstate/agents.sock");
	strcpy(bc->query_socket, "/run/migstate/migbridge.sock");
	bc->query_timeout_ms = 20;
	bc->stale_after_ms = 3000;
	bc->forget_after_ms = 3600 * 1000;
	bc->max_frame_rate = 1000;
	bc->policy.enabled = 1;
	bc->policy.deadline_us = 60 * 1000000ull;
	bc->policy.max_iterations = 200;
	bc->policy.tolerance_cap = 16;
	bc->policy.deferrals_per_step = 4;
	bc->policy.stale_after_us = bc->stale_after_ms * 1000;
}

static void
config_path(struct conf *cf, const char *key, const char *value, char *out, size_t cap)
{
	if (value[0] != '/') {
		conf_error(cf, "%s: \"%s\" is not an absolute path", key, value);
		return;
	}
	conf_string(cf, key, value, out, cap);
}

static void
config_bridge(struct conf *cf, struct bridge_conf *bc, const char *key, const char *value)
{
	uint64_t	v;

	if (!strcmp(key, "mode")) {
		if (!strcmp(value, "unix"))
			bc->mode = BRIDGE_MODE_UNIX;
		else if (!strcmp(value, "xen"))
			bc->mode = BRIDGE_MODE_XEN;
		else
			conf_error(cf, "mode: \"%s\" is not unix or xen", value);
	} else if (!strcmp(key, "agent_socket"))
		config_path(cf, key, value, bc->agent_socket, sizeof(bc->agent_socket));
	else if (!strcmp(key, "query_socket"))
		config_path(cf, key, value, bc->query_socket, sizeof(bc->query_socket));
	else if (!strcmp(key, "decision_log"))
		config_path(cf, key, value, bc->decision_log, sizeof(bc->decision_log));
	else if (!strcmp(key, "query_timeout"))
		conf_msec(cf, key, value, 1, 10000, &bc->query_timeout_ms);
	else if (!strcmp(key, "stale_after")) {
		if (conf_msec(cf, key, value, 10, 3600 * 1000, &v) == 0)
			bc->stale_after_ms = v;
	} else if (!strcmp(key, "forget_after")) {
		if (conf_msec(cf, key, value, 1000, 30 * 24 * 3600 * 1000ull, &v) == 0)
			bc->forget_after_ms = v;
	} else if (!strcmp(key, "max_frame_rate"))
		conf_uint(cf, key, value, 10, 10000000, &bc->max_frame_rate);
	else
		conf_error(cf, "unknown key \"%s\" in [bridge]", key);
}

static void
config_policy(struct conf *cf, struct policy_conf *pc, const char *key, const char *value)
{
	uint64_t	v;

	if (!strcmp(key, "enabled"))
		conf_bool(cf, key, value, &pc->enabled);
	else if (!strcmp(key, "deadline")) {
		if (conf_msec(cf, key, value, 0, 24 * 3600 * 1000ull, &v) == 0)
			pc->deadline_us = v * 1000;
	} else if (!strcmp(key, "max_iterations")) {
		if (conf_uint(cf, key, value, 1, 1000000, &v) == 0)
			pc->max_iterations = v;
	} else if (!strcmp(key, "tolerance_cap")) {
		if (conf_uint(cf, key, value, 0, WIRE_MAX_CONNS, &v) == 0)
			pc->tolerance_cap = v;
	} else if (!strcmp(key, "deferrals_per_step")) {
		if (conf_uint(cf, key, value, 1, 1000, &v) == 0)
			pc->deferrals_per_step = v;
	} else
		conf_error(cf, "unknown key \"%s\" in [policy]", key);
}

static void
config_key(struct conf *cf, void *arg, const char *section, const char *key,
    const char *value)
{
	struct bridge_conf	*bc = arg;

	if (!strcmp(section, "bridge"))
		config_bridge(cf, bc, key, value);
	else if (!strcmp(section, "policy"))
		config_policy(cf, &bc->policy, key, value);
	else if (!strncmp(section, "qemu ", 5))
		qemu_config_key(cf, section + 5, key, value);
	else if (section[0] == '\0')
		conf_error(cf, "key \"%s\" outside a section ([bridge] or [policy])", key);
	else
		conf_error(cf, "unknown section [%s] (key \"%s\")", section, key);
}

/* Checks that involve more than one key. */
static void
config_check(struct conf *cf, struct bridge_conf *bc)
{
	if (bc->mode == BRIDGE_MODE_UNIX &&
	    !strcmp(bc->agent_socket, bc->query_socket))
		conf_error(cf, "agent_socket and query_socket are the same path (%s)",
		    bc->query_socket);
	bc->policy.stale_after_us = bc->stale_after_ms * 1000;
	qemu_config_check(cf);
}

int
config_load(struct bridge_conf *bc, const char *path, int missing_ok, struct conf *cf)
{
	memset(cf, 0, sizeof(*cf));
	config_defaults(bc);
	qemu_config_reset();
	cf->file = path;
	if (missing_ok && access(path, F_OK) == -1 && errno == ENOENT)
		return 0;
	conf_parse_file(cf, path, config_key, bc);
	config_check(cf, bc);
	return cf->nerrors;
}
