/*
 * xen.c - Xen mode: find guests through xenstore and connect to each
 * agent's vchan (ARCHITECTURE.md, "The vchan across a migration").
 *
 *   @introduceDomain   rescan /local/domain, watch each new domain's
 *                      data/migbridge/vchan
 *   @releaseDomain     rescan; domains gone are marked so (state kept)
 *   .../vchan fires    ring-ref present and no channel: connect;
 *                      ring-ref absent and a channel: it is dead.
 *
 * libxenvchan_is_open() stays 1 on a vchan whose guest was migrated, so
 * the vanishing ring-ref key is the only signal of the loss.  Dom-0 then
 * closes its side (unmapping the guest's grants so a destroyed domain can
 * be freed); it is the guest that must never close a stale vchan.  After
 * a migration the guest serves again under its new domid: that domain's
 * watch fires and the agent is reconnected as any new one.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <xenstore.h>

#include "chan.h"
#include "log.h"
#include "migbridge.h"

#define XEN_TOKEN_INTRO		"intro"
#define XEN_TOKEN_RELEASE	"release"
#define XEN_TOKEN_VCHAN		"vchan:"	/* followed by the domid */

static struct xs_handle	*xen_xs;
static ev_io		 xen_io;

static void
xen_vchan_path(uint32_t domid, const char *leaf, char *buf, size_t cap)
{
	snprintf(buf, cap, "/local/domain/%u/%s%s%s", domid, CHAN_VCHAN_PATH,
	    leaf ? "/" : "", leaf ? leaf : "");
}

/* 1 if the key exists. */
static int
xen_exists(const char *path)
{
	unsigned	 len;
	void		*v = xs_read(xen_xs, XBT_NULL, path, &len);

	free(v);
	return v != NULL;
}

static void
xen_watch_domain(struct domain *d)
{
	char	path[128], token[32];

	xen_vchan_path(d->domid, NULL, path, sizeof(path));
	snprintf(token, sizeof(token), XEN_TOKEN_VCHAN "%u", d->domid);
	if (!xs_watch(xen_xs, path, token)) {
		log_warn("domain %u: xs_watch %s", d->domid, path);
		return;
	}
	d->xs_watched = 1;
	d->gone = 0;
	log_debug("domain %u: watching %s", d->domid, path);
}

static void
xen_unwatch_domain(struct domain *d)
{
	char	path[128], token[32];

	xen_vchan_path(d->domid, NULL, path, sizeof(path));
	snprintf(token, sizeof(token), XEN_TOKEN_VCHAN "%u", d->domid);
	xs_unwatch(xen_xs, path, token);
	d->xs_watched = 0;
}

/* Rescan /local/domain: watch new domains, mark vanished ones gone. */
static void
xen_scan(void)
{
	char		**ids;
	unsigned	  n, i, known, j;
	uint32_t	 *all = NULL, domid;
	struct domain	 *d;

	if ((ids = xs_directory(xen_xs, XBT_NULL, "/local/domain", &n)) == NULL) {
		log_warn("xs_directory /local/domain");
		return;
	}
	for (i = 0; i < n; i++) {
		domid = strtoul(ids[i], NULL, 10);
		if (domid == 0 || (d = domain_get(domid)) == NULL || d->xs_watched)
			continue;
		xen_watch_domain(d);
	}
	known = domain_ids(&all);
	for (j = 0; all != NULL && j < known; j++) {
		for (i = 0; i < n && strtoul(ids[i], NULL, 10) != all[j]; i++)
			;
		if (i < n || (d = domain_find(all[j])) == NULL || d->gone)
			continue;
		log_info("domain %u: destroyed", d->domid);
		d->gone = 1;
		d->quiet_us = wire_mono_us();
		if (d->xs_watched)
			xen_unwatch_domain(d);
		if (d->up)
			uplink_close(d->up, "domain destroyed", 0);
	}
	free(all);
	free(ids);
}

/* The domain's vchan keys changed: connect, or notice the loss. */
static void
xen_vchan_changed(uint32_t domid)
{
	struct domain	*d = domain_find(domid);
	struct chan	*ch;
	char		 path[128], err[256], label[32];

	if (d == NULL || d->gone)
		return;
	xen_vchan_path(domid, "ring-ref", path, sizeof(path));
	if (!xen_exists(path)) {
		if (d->up)
			uplink_close(d->up, "vchan ring-ref vanished (quiesced or migrated)", 0);
		return;
	}
	xen_vchan_path(domid, "event-channel", path, sizeof(path));
	if (d->up || !xen_exists(path))
		return;
	if ((ch = chan_vchan_connect(domid, err, sizeof(err))) == NULL) {
		log_warnx("domain %u: vchan connect: %s", domid, err);
		return;
	}
	snprintf(label, sizeof(label), "domain %u", domid);
	uplink_new(ch, domid, label);
}

static void
xen_event(const char *path, const char *token)
{
	log_debug("xenstore watch %s fired (%s)", path, token);
	if (!strcmp(token, XEN_TOKEN_INTRO) || !strcmp(token, XEN_TOKEN_RELEASE))
		xen_scan();
	else if (!strncmp(token, XEN_TOKEN_VCHAN, strlen(XEN_TOKEN_VCHAN)))
		xen_vchan_changed(strtoul(token + strlen(XEN_TOKEN_VCHAN), NULL, 10));
}

static void
xen_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	char	**vec;

	(void)loop; (void)w; (void)revents;
	while ((vec = xs_check_watch(xen_xs)) != NULL) {
		xen_event(vec[XS_WATCH_PATH], vec[XS_WATCH_TOKEN]);
		free(vec);
	}
	if (errno != EAGAIN)
		log_warn("xs_check_watch");
}

/* Open xenstore and set the two global watches (fatal if it can't). */
void
xen_start(void)
{
	if ((xen_xs = xs_open(0)) == NULL)
		fatal("xs_open (is this Dom-0 with xenstored running?)");
	if (!xs_watch(xen_xs, "@introduceDomain", XEN_TOKEN_INTRO) ||
	    !xs_watch(xen_xs, "@releaseDomain", XEN_TOKEN_RELEASE))
		fatal("xs_watch @introduceDomain/@releaseDomain");
	ev_io_init(&xen_io, xen_io_cb, xs_fileno(xen_xs), EV_READ);
	ev_io_start(bridge->loop, &xen_io);
	log_info("xen mode: watching xenstore for guests");
}

void
xen_stop(void)
{
	if (xen_xs == NULL)
		return;
	ev_io_stop(bridge->loop, &xen_io);
	xs_close(xen_xs);
	xen_xs = NULL;
}
