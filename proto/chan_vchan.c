/*
 * chan_vchan.c - the vchan backend: libxenvchan between a guest (server)
 * and Dom-0 (client).  The framing is chan.c's, tested through the unix
 * backend; this file only moves bytes through the rings.
 *
 * Measured on Xen 4.17 (ARCHITECTURE.md): after a migration the old vchan
 * stays "open" (libxenvchan_is_open == 1) and swallows writes; closing it
 * then hits a guest kernel BUG.  Hence abandon(), which frees only our
 * wrapper and leaves the libxenvchan object and its event channel alone.
 */
#include <errno.h>
#include <libxenvchan.h>
#include <stdio.h>
#include <string.h>

#include "chan_impl.h"

static ssize_t
vchan_read(struct chan *c, void *buf, size_t len)
{
	struct libxenvchan	*v = c->be;
	int			 n;

	if (libxenvchan_data_ready(v) == 0) {
		if (libxenvchan_is_open(v) == 0) {
			chan_seterr(c, "peer closed the vchan");
			return -1;
		}
		return 0;
	}
	if ((n = libxenvchan_read(v, buf, len)) == -1) {
		chan_seterr(c, "vchan read failed");
		return -1;
	}
	return n;
}

static ssize_t
vchan_write(struct chan *c, const void *buf, size_t len)
{
	struct libxenvchan	*v = c->be;
	int			 n;

	if (libxenvchan_is_open(v) != 1) {
		chan_seterr(c, "vchan not connected");
		return -1;
	}
	if ((n = libxenvchan_write(v, buf, len)) == -1) {
		chan_seterr(c, "vchan write failed");
		return -1;
	}
	return n;
}

static int
vchan_fd(const struct chan *c)
{
	return libxenvchan_fd_for_select(c->be);
}

static int
vchan_is_open(const struct chan *c)
{
	return libxenvchan_is_open(c->be);
}

/* The fd was readable: consume the event notification (re-arms it). */
static void
vchan_wait(struct chan *c)
{
	libxenvchan_wait(c->be);
}

static void
vchan_close(struct chan *c)
{
	libxenvchan_close(c->be);
	c->be = NULL;
}

static void
vchan_abandon(struct chan *c)
{
	/* Deliberately leaked: see the comment at the top of this file. */
	c->be = NULL;
}

static const struct chan_ops vchan_ops = {
	.kind = "vchan",
	.read = vchan_read,
	.write = vchan_write,
	.fd = vchan_fd,
	.is_open = vchan_is_open,
	.wait = vchan_wait,
	.close = vchan_close,
	.abandon = vchan_abandon,
};

static struct chan *
vchan_wrap(struct libxenvchan *v, char *err, size_t errlen)
{
	struct chan	*c;

	v->blocking = 0;	/* set explicitly: the loop must never block */
	if ((c = chan_new(&vchan_ops, v, -1)) == NULL) {
		libxenvchan_close(v);
		snprintf(err, errlen, "out of memory");
	}
	return c;
}

struct chan *
chan_vchan_serve(char *err, size_t errlen)
{
	struct libxenvchan	*v;

	v = libxenvchan_server_init(NULL, 0, CHAN_VCHAN_PATH, CHAN_VCHAN_READ_MIN,
	    CHAN_VCHAN_WRITE_MIN);
	if (v == NULL) {
		snprintf(err, errlen, "vchan server at %s: %s", CHAN_VCHAN_PATH,
		    strerror(errno));
		return NULL;
	}
	return vchan_wrap(v, err, errlen);
}

struct chan *
chan_vchan_connect(uint32_t domid, char *err, size_t errlen)
{
	struct libxenvchan	*v;
	char			 path[128];

	snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, CHAN_VCHAN_PATH);
	if ((v = libxenvchan_client_init(NULL, domid, path)) == NULL) {
		snprintf(err, errlen, "vchan client to %s: %s", path, strerror(errno));
		return NULL;
	}
	return vchan_wrap(v, err, errlen);
}
