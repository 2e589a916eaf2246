/*
 * savedriver.c - calls xc_domain_save the way libxl-save-helper does for
 * `xl migrate` (XCFLAGS_LIVE, XC_STREAM_PLAIN, callbacks with no precopy
 * policy and a suspend callback), against libxenguest-harness.so, so that
 * libmigstate-precopy.so can be LD_PRELOADed into a faithful caller.
 *
 *	savedriver [-n] [-p ITER] DOMID
 *
 *	-n	not live (flags 0): the hook must pass the call through
 *	-p ITER	install the caller's own precopy policy (stop at iteration
 *		ITER): the hook must pass the call through
 *
 * Environment: MIGHARNESS_SUSPEND_CMD runs (sh -c) in the suspend callback,
 * e.g. the demo's real pause of the guest; MIGHARNESS_RESUME_CMD after the
 * save returns.  Both see MIGHARNESS_DOMID.  Exit 0 if the save returned 0
 * and the callbacks came back as they were given, else 1.  stdout is kept
 * clean, as in the real helper (libxl's control pipe).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenguest.h>

struct driver {
	unsigned	 stop_at;	/* -p */
	unsigned	 policy_calls;
	unsigned	 suspends;
	int		 bad_data;	/* a callback got someone else's data */
};

static struct driver	 driver;

static int
driver_run(const char *var)
{
	const char *cmd = getenv(var);

	if (cmd == NULL || *cmd == '\0')
		return 0;
	return system(cmd);
}

/* The suspend callback: libxl's returns 1 on success, 0 on failure. */
static int
driver_suspend(void *data)
{
	if (data != &driver)
		driver.bad_data = 1;
	driver.suspends++;
	if (driver_run("MIGHARNESS_SUSPEND_CMD") != 0) {
		fprintf(stderr, "savedriver: suspend command failed\n");
		return 0;
	}
	return 1;
}

/* The caller's own policy (-p): the hook must leave it alone. */
static int
driver_policy(struct precopy_stats st, void *data)
{
	if (data != &driver)
		driver.bad_data = 1;
	driver.policy_calls++;
	return st.iteration >= driver.stop_at ? XGS_POLICY_STOP_AND_COPY
	    : XGS_POLICY_CONTINUE_PRECOPY;
}

int
main(int argc, char *argv[])
{
	struct save_callbacks	 cb, given;
	uint32_t		 flags = XCFLAGS_LIVE;
	char			 domid[16];
	int			 ch, rc;

	memset(&cb, 0, sizeof(cb));
	while ((ch = getopt(argc, argv, "np:")) != -1) {
		switch (ch) {
		case 'n':
			flags = 0;
			break;
		case 'p':
			driver.stop_at = (unsigned)strtoul(optarg, NULL, 10);
			cb.precopy_policy = driver_policy;
			break;
		default:
			goto usage;
		}
	}
	if (optind + 1 != argc)
		goto usage;
	snprintf(domid, sizeof(domid), "%lu", strtoul(argv[optind], NULL, 10));
	setenv("MIGHARNESS_DOMID", domid, 1);
	cb.suspend = driver_suspend;
	cb.data = &driver;
	given = cb;
	rc = xc_domain_save(NULL, -1, (uint32_t)strtoul(domid, NULL, 10), flags, &cb,
	    XC_STREAM_PLAIN, -1);
	driver_run("MIGHARNESS_RESUME_CMD");
	fprintf(stderr, "savedriver: dom %s: xc_domain_save returned %d, %u suspend(s), "
	    "%u own-policy call(s)\n", domid, rc, driver.suspends, driver.policy_calls);
	if (memcmp(&cb, &given, sizeof(cb)) != 0 || driver.bad_data) {
		fprintf(stderr, "savedriver: callbacks or their data were not preserved\n");
		return 1;
	}
	return rc == 0 ? 0 : 1;
usage:
	fprintf(stderr, "usage: savedriver [-n] [-p ITER] DOMID\n");
	return 2;
}
