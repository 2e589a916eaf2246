/*
 * chan_virtio.c - the virtio backend: the guest's end of a virtio-serial
 * port (KVM/QEMU's `-device virtserialport,name=...`).
 *
 * The port is found by name under /sys/class/virtio-ports/<dev>/name and
 * opened as /dev/<dev>, non-blocking.  The host end is a QEMU chardev that
 * may have no client: then the kernel reports POLLHUP (and POLLIN) on the
 * port, read() returns 0 and write() fails with EAGAIN.  The backend maps
 * that to chan_is_open() == 2 ("host not connected"); a read that finds
 * the host gone ends the stream, so the caller re-opens the port and waits
 * (on a timer: the port polls readable all the while) for is_open == 1,
 * then says HELLO again.  Dom-0's end is just chan_unix_connect() on the
 * chardev's socket.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "chan_impl.h"

#define VIRTIO_SYSDIR	"/sys/class/virtio-ports"

static ssize_t
virtio_read(struct chan *c, void *buf, size_t len)
{
	return chan_fd_read(c, buf, len, "host end not connected");
}

/* EAGAIN: the host is not connected, or the virtqueue is full; keep it queued. */
static ssize_t
virtio_write(struct chan *c, const void *buf, size_t len)
{
	return chan_fd_write(c, buf, len, 0);
}

static int
virtio_fd(const struct chan *c)
{
	return c->fd;
}

/* 1 host connected, 2 host not connected (POLLHUP), 0 closed. */
static int
virtio_is_open(const struct chan *c)
{
	struct pollfd	pfd = { .fd = c->fd, .events = POLLOUT };

	if (c->fd == -1)
		return 0;
	if (poll(&pfd, 1, 0) == -1)
		return errno == EINTR ? 2 : 0;
	if (pfd.revents & POLLNVAL)
		return 0;
	return (pfd.revents & POLLHUP) ? 2 : 1;
}

static void
virtio_close(struct chan *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
}

static const struct chan_ops virtio_ops = {
	.kind = "virtio",
	.read = virtio_read,
	.write = virtio_write,
	.fd = virtio_fd,
	.is_open = virtio_is_open,
	.close = virtio_close,
	.abandon = virtio_close,
};

struct chan *
chan_virtio_adopt(int fd, char *err, size_t errlen)
{
	struct chan	*c;
	int		 fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
		snprintf(err, errlen, "fcntl: %s", strerror(errno));
		return NULL;
	}
	if ((c = chan_new(&virtio_ops, NULL, fd)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return c;
}

/* Does sysdir/dev/name hold exactly portname (plus a newline)? */
static int
virtio_name_is(const char *sysdir, const char *dev, const char *portname)
{
	char	path[512], name[256];
	ssize_t	n;
	int	fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s/name", sysdir, dev) >= sizeof(path))
		return 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, name, sizeof(name) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	name[n] = '\0';
	name[strcspn(name, "\n")] = '\0';
	return strcmp(name, portname) == 0;
}

/* Find the port's device name (e.g. "vport1p1") into dev. 0, or -1. */
static int
virtio_find(const char *portname, char *dev, size_t devlen, char *err, size_t errlen)
{
	struct dirent	*de;
	DIR		*d;
	int		 found = 0;

	if ((d = opendir(VIRTIO_SYSDIR)) == NULL) {
		snprintf(err, errlen, "%s: %s (no virtio-serial device?)", VIRTIO_SYSDIR,
		    strerror(errno));
		return -1;
	}
	while (!found && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strlen(de->d_name) >= devlen)
			continue;
		if (virtio_name_is(VIRTIO_SYSDIR, de->d_name, portname)) {
			memcpy(dev, de->d_name, strlen(de->d_name) + 1);	/* fits: checked */
			found = 1;
		}
	}
	closedir(d);
	if (!found)
		snprintf(err, errlen, "no virtio-serial port named \"%s\"", portname);
	return found ? 0 : -1;
}

struct chan *
chan_virtio_open(const char *portname, char *err, size_t errlen)
{
	char		 dev[64], path[128];
	struct chan	*c;
	int		 fd;

	if (virtio_find(portname, dev, sizeof(dev), err, errlen) == -1)
		return NULL;
	snprintf(path, sizeof(path), "/dev/%s", dev);
	if ((fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)) == -1) {
		snprintf(err, errlen, "open %s (port %s): %s", path, portname, strerror(errno));
		return NULL;
	}
	if ((c = chan_virtio_adopt(fd, err, errlen)) == NULL)
		close(fd);
	return c;
}
