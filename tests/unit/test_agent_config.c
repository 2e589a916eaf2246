/*
 * test_agent_config.c - migstate-agent.conf(5): a valid file read whole,
 * and a table of bad configurations, each with the one error it must give
 * (file:line and text).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "guest-agent/agent.h"

static int
load(struct agent_conf *c, struct conf *cf, const char *text)
{
	memset(cf, 0, sizeof(*cf));
	config_defaults(c, 0);		/* not a Xen guest: default uplink unix */
	return config_load_buf(c, cf, "t", text, strlen(text));
}

static void
test_valid_full(void **state)
{
	struct agent_conf	c;
	struct conf		cf;
	const char		*text =
	    "# comment\n"
	    "[agent]\n"
	    "name = web1\n"
	    "domid = 12\n"
	    "uplink = unix\n"
	    "socket = /run/x/agents.sock\n"
	    "xenstore = dir:/tmp/xs\n"
	    "poll = 20ms\n"
	    "heartbeat = 2s\n"
	    "reconnect_max = 5s\n"
	    "quiesce_timeout = 10s\n"
	    "[apache]\n"
	    "shm = /run/x/shm\n";

	(void)state;
	assert_int_equal(load(&c, &cf, text), 0);
	assert_string_equal(c.name, "web1");
	assert_int_equal(c.domid, 12);
	assert_true(c.domid_set);
	assert_int_equal(c.uplink, AGENT_UPLINK_UNIX);
	assert_string_equal(c.socket, "/run/x/agents.sock");
	assert_int_equal(c.xs, AGENT_XS_DIR);
	assert_string_equal(c.xs_dir, "/tmp/xs");
	assert_int_equal(c.poll_ms, 20);
	assert_int_equal(c.heartbeat_ms, 2000);
	assert_int_equal(c.reconnect_max_ms, 5000);
	assert_int_equal(c.quiesce_timeout_ms, 10000);
	assert_true(c.apache);
	assert_string_equal(c.apache_shm, "/run/x/shm");
}

static void
test_defaults(void **state)
{
	struct agent_conf	c;
	struct conf		cf;

	(void)state;
	assert_int_equal(load(&c, &cf, "[agent]\ndomid = 3\n"), 0);
	assert_int_equal(c.uplink, AGENT_UPLINK_UNIX);
	assert_int_equal(c.xs, AGENT_XS_NONE);	/* unix: no handshake by default */
	assert_string_equal(c.socket, AGENT_SOCKET_DEFAULT);
	assert_int_equal(c.poll_ms, 10);
	assert_int_equal(c.heartbeat_ms, 1000);
	assert_int_equal(c.reconnect_max_ms, 2000);
	assert_int_equal(c.quiesce_timeout_ms, 30000);
	assert_false(c.apache);
	assert_true(c.name[0] != '\0');		/* the host name */

	/* vchan defaults to xenstore = xen. */
	assert_int_equal(load(&c, &cf, "[agent]\nuplink = vchan\n"), 0);
	assert_int_equal(c.uplink, AGENT_UPLINK_VCHAN);
	assert_int_equal(c.xs, AGENT_XS_XEN);
}

static const struct {
	const char	*text;
	const char	*error;		/* the one error expected (its start) */
} bad[] = {
	{ "[agent]\ndomid = 7\nfoo = 1\n", "t:3: unknown key \"foo\" in [agent]" },
	{ "[agent]\ndomid = 7\n[agents]\nx = 1\ny = 2\n", "t:4: unknown section [agents]" },
	{ "[agent]\nuplink = unix\n", "t:2: [agent] domid is required when uplink is unix" },
	{ "[agent]\nname = a\n", "t:2: [agent] domid is required when uplink is unix" },
	{ "[agent]\ndomid = 0\n", "t:2: domid: 0 is out of range [1, 32751]" },
	{ "[agent]\ndomid = seven\n", "t:2: domid: \"seven\" is not a whole number" },
	{ "[agent]\ndomid = 7\npoll = 10 parsecs\n",
	  "t:3: poll: \"10 parsecs\" is not a duration (e.g. 200ms, 60s)" },
	{ "[agent]\ndomid = 7\npoll = 0\n", "t:3: poll: 0 is out of range [1, 1000]" },
	{ "[agent]\ndomid = 7\nheartbeat = 5ms\n",
	  "t:3: heartbeat: 5 is out of range [100, 60000]" },
	{ "[agent]\ndomid = 7\npoll = 500ms\nheartbeat = 200ms\n",
	  "t:2: [agent] heartbeat (200ms) is shorter than poll (500ms)" },
	{ "[agent]\ndomid = 7\nreconnect_max = 1ms\n",
	  "t:3: reconnect_max: 1 is out of range [100, 600000]" },
	{ "[agent]\ndomid = 7\nquiesce_timeout = 2h\n",
	  "t:3: quiesce_timeout: \"2h\" is not a duration (e.g. 200ms, 60s)" },
	{ "[agent]\ndomid = 7\nuplink = tcp\n",
	  "t:3: uplink: \"tcp\" is not vchan, unix, virtio or auto" },
	{ "[agent]\ndomid = 7\nxenstore = dir:relative\n",
	  "t:3: xenstore: \"dir:relative\" is not xen, none or dir:/PATH" },
	{ "[agent]\nuplink = vchan\nxenstore = dir:/x\n",
	  "t:2: [agent] uplink vchan needs xenstore = xen" },
	{ "[agent]\ndomid = 7\nsocket = agents.sock\n",
	  "t:3: socket: \"agents.sock\" is not an absolute path" },
	{ "[agent]\ndomid = 7\nsocket = /run/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	  "t:3: socket: value longer than 107 bytes" },
	{ "[agent]\ndomid = 7\nname =\n", "t:3: name: empty value" },
	{ "[agent]\ndomid = 7\n[apache]\nshm = rel.shm\n",
	  "t:4: shm: \"rel.shm\" is not an absolute path" },
	{ "[agent]\ndomid = 7\n[apache]\nsize = 5\n", "t:4: unknown key \"size\" in [apache]" },
	{ "domid = 7\n[agent]\ndomid = 7\n", "t:1: key \"domid\" outside any section" },
	{ "[agent x]\ndomid = 7\n[agent]\ndomid = 7\n", "t:2: section [agent x] takes no name" },
	{ "[agent]\ndomid = 7\n[apache\n",
	  "t:3: syntax error" },	/* its wording is conf.c's */
};

static void
test_bad_table(void **state)
{
	struct agent_conf	c;
	struct conf		cf;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int n = load(&c, &cf, bad[i].text);
		if (n != 1 || strncmp(cf.errors[0], bad[i].error, strlen(bad[i].error)) != 0) {
			print_error("row %zu: %d errors, first \"%s\", expected \"%s\"\n",
			    i, n, n ? cf.errors[0] : "", bad[i].error);
			fail();
		}
	}
}

/* -n lists every error at once, each with its line. */
static void
test_every_error(void **state)
{
	struct agent_conf	c;
	struct conf		cf;

	(void)state;
	assert_int_equal(load(&c, &cf, "[agent]\npoll = x\nfoo = 1\n[bar]\nz = 1\n"), 4);
	assert_string_equal(cf.errors[0], "t:2: poll: \"x\" is not a duration (e.g. 200ms, 60s)");
	assert_string_equal(cf.errors[1], "t:3: unknown key \"foo\" in [agent]");
	assert_string_equal(cf.errors[2], "t:5: unknown section [bar]");
	assert_string_equal(cf.errors[3], "t:2: [agent] domid is required when uplink is unix");
}

static void
test_file(void **state)
{
	struct agent_conf	c;
	struct conf		cf = { 0 };
	char			path[] = "/tmp/test_agent_config.XXXXXX";
	int			fd = mkstemp(path);
	const char		*text = "[agent]\ndomid = 9\n[apache]\nshm = /x\n";

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	config_defaults(&c, 0);
	assert_int_equal(config_load(&c, &cf, path), 0);
	assert_int_equal(c.domid, 9);
	assert_string_equal(c.apache_shm, "/x");
	unlink(path);

	memset(&cf, 0, sizeof(cf));
	config_defaults(&c, 0);
	assert_int_equal(config_load(&c, &cf, path), 1);
	assert_non_null(strstr(cf.errors[0], ": cannot open: No such file or directory"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bad_table),
		cmocka_unit_test(test_every_error),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
