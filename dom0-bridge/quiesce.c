/*
 * quiesce.c - the hook's side of the quiesce handshake (ARCHITECTURE.md,
 * "The vchan across a migration"): before the guest is suspended, ask its
 * agent to close the vchan, because closing one after the migration hits a
 * guest kernel BUG.  Through xenstore (or the migxs dir backend), never
 * through the vchan or migbridge: it works with the bridge down.
 *
 * Bounded and fail-open: no agent (no state key), no xenstore, or an agent
 * that does not answer in time only cost a log line.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migwire.h"
#include "migxs.h"
#include "hook.h"

#define QUIESCE_TOKEN	"migstate-precopy-quiesce"
#define QUIESCE_PATHLEN	96

struct quiesce {
	struct migxs	*xs;
	char		 path[QUIESCE_PATHLEN];	/* .../data/migbridge/quiesce */
};

/* Open the backend MIGSTATE_XS names.  NULL with err. */
static struct migxs *
quiesce_open(const char *spec, char *err, size_t errlen)
{
	if (spec == NULL || *spec == '\0' || strcmp(spec, "xen") == 0)
		return migxs_open_xen(err, errlen);
	if (strncmp(spec, "dir:", 4) == 0 && spec[4] != '\0')
		return migxs_open_dir(spec + 4, 0, err, errlen);
	snprintf(err, errlen, "unknown MIGSTATE_XS \"%s\"", spec);
	return NULL;
}

/* Drain pending watch events.  0, or -1 on error. */
static int
quiesce_drain(struct migxs *xs)
{
	char	 path[QUIESCE_PATHLEN + 32], token[64];
	int	 r;

	while ((r = migxs_next_event(xs, path, sizeof(path), token, sizeof(token))) == 1)
		;
	return r;
}

/*
 * Wait up to bound_ms for state == quiesced, sleeping in poll on the watch
 * fd.  1 seen, 0 timed out, -1 error.
 */
static int
quiesce_wait(struct migxs *xs, const char *state, int bound_ms)
{
	struct pollfd	 p = { .fd = migxs_fd(xs), .events = POLLIN };
	uint64_t	 deadline = wire_mono_us() + bound_ms * 1000ull, now;
	char		 val[MIGXS_VALUE_MAX];
	int		 r;

	if (migxs_watch(xs, state, QUIESCE_TOKEN) < 0)
		return -1;
	for (;;) {
		if (migxs_read(xs, state, val, sizeof(val)) == 0 &&
		    strcmp(val, MIGXS_STATE_QUIESCED) == 0) {
			r = 1;
			break;
		}
		now = wire_mono_us();
		if (now >= deadline) {
			r = 0;
			break;
		}
		p.revents = 0;
		if (poll(&p, 1, (int)((deadline - now + 999) / 1000)) < 0 && errno != EINTR) {
			r = -1;
			break;
		}
		if (quiesce_drain(xs) < 0) {
			r = -1;
			break;
		}
	}
	migxs_unwatch(xs, state, QUIESCE_TOKEN);
	return r;
}

struct quiesce *
quiesce_run(uint32_t domid, const char *xs_spec, int bound_ms)
{
	struct quiesce	*q;
	char		 err[256], state[QUIESCE_PATHLEN], val[MIGXS_VALUE_MAX];
	uint64_t	 t0;
	int		 r;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->xs = quiesce_open(xs_spec, err, sizeof(err));
	if (q->xs == NULL) {
		hook_log("quiesce skipped: %s", err);
		goto fail;
	}
	snprintf(state, sizeof(state), "/local/domain/%u/%s", domid, MIGXS_STATE);
	snprintf(q->path, sizeof(q->path), "/local/domain/%u/%s", domid, MIGXS_QUIESCE);
	/* No state key: no agent (or a stock one) to tell; write nothing. */
	if (migxs_read(q->xs, state, val, sizeof(val)) < 0) {
		hook_log("quiesce skipped: no agent (%s: %s)", state, strerror(errno));
		goto fail;
	}
	if (migxs_write(q->xs, q->path, "1") < 0) {
		hook_log("quiesce skipped: cannot write %s: %s", q->path, strerror(errno));
		goto fail;
	}
	t0 = wire_mono_us();
	r = quiesce_wait(q->xs, state, bound_ms);
	if (r == 1)
		hook_log("agent quiesced in %.1f ms", (wire_mono_us() - t0) / 1e3);
	else if (r == 0)
		hook_log("agent did not quiesce within %d ms: proceeding", bound_ms);
	else
		hook_log("quiesce wait failed (%s): proceeding", strerror(errno));
	return q;
fail:
	if (q->xs != NULL)
		migxs_close(q->xs);
	free(q);
	return NULL;
}

void
quiesce_reset(struct quiesce *q)
{
	char val[MIGXS_VALUE_MAX];

	if (q == NULL)
		return;
	/* Only if the key is still there: never recreate a vanished tree. */
	if (migxs_read(q->xs, q->path, val, sizeof(val)) < 0)
		hook_log("quiesce not reset: %s gone (%s)", q->path, strerror(errno));
	else if (migxs_write(q->xs, q->path, "0") < 0)
		hook_log("quiesce not reset: %s: %s", q->path, strerror(errno));
	else
		hook_log("quiesce reset to 0");
	migxs_close(q->xs);
	free(q);
}
