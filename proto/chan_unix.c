/*
 * chan_unix.c - the unix backend: a non-blocking Unix stream socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "chan_impl.h"

static ssize_t
unix_read(struct chan *c, void *buf, size_t len)
{
	return chan_fd_read(c, buf, len, "peer closed the connection");
}

static ssize_t
unix_write(struct chan *c, const void *buf, size_t len)
{
	return chan_fd_write(c, buf, len, 1);
}

static int
unix_fd(const struct chan *c)
{
	return c->fd;
}

static int
unix_is_open(const struct chan *c)
{
	return c->fd != -1;
}

static void
unix_close(struct chan *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
}

static const struct chan_ops unix_ops = {
	.kind = "unix",
	.read = unix_read,
	.write = unix_write,
	.fd = unix_fd,
	.is_open = unix_is_open,
	.close = unix_close,
	.abandon = unix_close,
};

static int
unix_addr(struct sockaddr_un *sun, const char *path, char *err, size_t errlen)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -1;
	}
	strcpy(sun->sun_path, path);
	return 0;
}

struct chan *
chan_unix_adopt(int fd, char *err, size_t errlen)
{
	struct chan	*c;
	int		 fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1) {
		snprintf(err, errlen, "fcntl: %s", strerror(errno));
		return NULL;
	}
	if ((c = chan_new(&unix_ops, NULL, fd)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return c;
}

struct chan *
chan_unix_connect(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	struct chan		*c;
	int			 fd;

	if (unix_addr(&sun, path, err, errlen) == -1)
		return NULL;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return NULL;
	}
	/* Connecting to a local listener completes or fails at once. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		snprintf(err, errlen, "connect %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if ((c = chan_unix_adopt(fd, err, errlen)) == NULL)
		close(fd);
	return c;
}

int
chan_unix_listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un	sun;
	struct stat		st;
	int			fd;

	if (unix_addr(&sun, path, err, errlen) == -1)
		return -1;
	/* Replace a stale socket, never another kind of file. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a socket", path);
			return -1;
		}
		unlink(path);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 || listen(fd, 128) == -1) {
		snprintf(err, errlen, "listen on %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct chan *
chan_unix_accept(int lfd, char *err, size_t errlen)
{
	struct chan	*c;
	int		 fd;

	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) == -1) {
		snprintf(err, errlen, "accept: %s", strerror(errno));
		return NULL;
	}
	if ((c = chan_unix_adopt(fd, err, errlen)) == NULL)
		close(fd);
	return c;
}
