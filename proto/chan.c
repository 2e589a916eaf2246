/*
 * chan.c - frames over a backend's byte stream: a bounded output queue with
 * partial writes, and the incremental wire reader.  Shared by every backend,
 * so the unix backend's tests exercise the vchan's framing too.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chan_impl.h"

struct chan *
chan_new(const struct chan_ops *ops, void *be, int fd)
{
	struct chan	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->ops = ops;
	c->be = be;
	c->fd = fd;
	wire_reader_init(&c->rd);
	return c;
}

void
chan_seterr(struct chan *c, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

void
chan_free(struct chan *c)
{
	free(c->outq);
	free(c);
}

ssize_t
chan_fd_read(struct chan *c, void *buf, size_t len, const char *eof)
{
	ssize_t	n;

	do
		n = read(c->fd, buf, len);
	while (n == -1 && errno == EINTR);
	if (n > 0)
		return n;
	if (n == 0) {
		chan_seterr(c, "%s", eof);
		return -1;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	chan_seterr(c, "read: %s", strerror(errno));
	return -1;
}

ssize_t
chan_fd_write(struct chan *c, const void *buf, size_t len, int sock)
{
	ssize_t	n;

	do	/* a socket: send, so a closed peer is EPIPE, not SIGPIPE */
		n = sock ? send(c->fd, buf, len, MSG_NOSIGNAL) : write(c->fd, buf, len);
	while (n == -1 && errno == EINTR);
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	chan_seterr(c, "write: %s", strerror(errno));
	return -1;
}

int
chan_fd(const struct chan *c)
{
	return c->ops->fd(c);
}

int
chan_is_open(const struct chan *c)
{
	return c->eof ? 0 : c->ops->is_open(c);
}

const char *
chan_error(const struct chan *c)
{
	return c->err;
}

const char *
chan_kind(const struct chan *c)
{
	return c->ops->kind;
}

int
chan_want_write(const struct chan *c)
{
	return c->outlen > c->outoff;
}

int
chan_flush(struct chan *c)
{
	ssize_t	n;

	while (c->outoff < c->outlen) {
		n = c->ops->write(c, c->outq + c->outoff, c->outlen - c->outoff);
		if (n == -1) {
			c->eof = 1;
			return -1;
		}
		if (n == 0)
			return 0;
		c->outoff += n;
	}
	c->outoff = c->outlen = 0;
	return 0;
}

/* Make room for len more queued bytes, compacting first. */
static int
chan_reserve(struct chan *c, size_t len)
{
	size_t	 pending = c->outlen - c->outoff, cap;
	uint8_t	*q;

	if (pending + len > CHAN_OUTQ_MAX) {
		chan_seterr(c, "output queue full (peer not reading)");
		return -1;
	}
	if (c->outoff > 0) {
		memmove(c->outq, c->outq + c->outoff, pending);
		c->outoff = 0;
		c->outlen = pending;
	}
	if (c->outlen + len <= c->outcap)
		return 0;
	cap = c->outcap ? c->outcap : 4096;
	while (cap < c->outlen + len)
		cap *= 2;
	if ((q = realloc(c->outq, cap)) == NULL) {
		chan_seterr(c, "out of memory");
		return -1;
	}
	c->outq = q;
	c->outcap = cap;
	return 0;
}

int
chan_send_frame(struct chan *c, const uint8_t *frame, size_t len)
{
	if (c->eof || c->ops->is_open(c) != 1) {
		chan_seterr(c, "channel not connected");
		return -1;
	}
	if (len < WIRE_HDR_SIZE || len > WIRE_MAX_FRAME) {
		chan_seterr(c, "frame of %zu bytes", len);
		return -1;
	}
	if (chan_reserve(c, len) == -1)
		return -1;
	memcpy(c->outq + c->outlen, frame, len);
	c->outlen += len;
	return chan_flush(c);
}

int
chan_send(struct chan *c, uint32_t type, const void *payload, uint32_t len)
{
	uint8_t	hdr[WIRE_HDR_SIZE];

	if (len > WIRE_MAX_PAYLOAD) {
		chan_seterr(c, "payload of %u bytes", len);
		return -1;
	}
	if (c->eof || c->ops->is_open(c) != 1) {
		chan_seterr(c, "channel not connected");
		return -1;
	}
	hdr[0] = type; hdr[1] = type >> 8; hdr[2] = type >> 16; hdr[3] = type >> 24;
	hdr[4] = len; hdr[5] = len >> 8; hdr[6] = len >> 16; hdr[7] = len >> 24;
	if (chan_reserve(c, WIRE_HDR_SIZE + len) == -1)
		return -1;
	memcpy(c->outq + c->outlen, hdr, WIRE_HDR_SIZE);
	if (len)
		memcpy(c->outq + c->outlen + WIRE_HDR_SIZE, payload, len);
	c->outlen += WIRE_HDR_SIZE + len;
	return chan_flush(c);
}

/* Feed bytes to the reader, handing out every whole frame. */
static int
chan_deliver(struct chan *c, const uint8_t *buf, size_t len, chan_frame_cb cb, void *arg)
{
	size_t	used;

	while (len > 0) {
		switch (wire_reader_feed(&c->rd, buf, len, &used)) {
		case WIRE_RD_ERROR:
			chan_seterr(c, "%s", c->rd.why);
			return -1;
		case WIRE_RD_FRAME:
			if (cb(arg, c->rd.type, c->rd.payload, c->rd.len) == -1) {
				chan_seterr(c, "stopped by handler");
				return -1;
			}
			break;
		case WIRE_RD_MORE:
			break;
		}
		buf += used;
		len -= used;
	}
	return 0;
}

int
chan_read(struct chan *c, chan_frame_cb cb, void *arg)
{
	uint8_t	buf[16384];
	ssize_t	n;
	int	rounds;

	if (c->eof)
		return -1;
	if (c->ops->wait)
		c->ops->wait(c);
	/* Bounded, so one chatty peer cannot starve the event loop. */
	for (rounds = 0; rounds < 16; rounds++) {
		n = c->ops->read(c, buf, sizeof(buf));
		if (n == -1) {
			c->eof = 1;
			return -1;
		}
		if (n == 0)
			break;
		if (chan_deliver(c, buf, n, cb, arg) == -1) {
			c->eof = 1;
			return -1;
		}
	}
	return 0;
}

void
chan_close(struct chan *c)
{
	if (c == NULL)
		return;
	c->ops->close(c);
	chan_free(c);
}

void
chan_abandon(struct chan *c)
{
	if (c == NULL)
		return;
	c->ops->abandon(c);
	chan_free(c);
}
