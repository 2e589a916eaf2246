/*
 * chan_impl.h - what a channel backend provides to chan.c.  Private to
 * proto/.
 */
#ifndef CHAN_IMPL_H
#define CHAN_IMPL_H

#include <sys/types.h>

#include "chan.h"
#include "migwire.h"

struct chan_ops {
	const char *kind;
	/* Move bytes: >0 done, 0 would block, -1 error or (read) end of stream
	 * with the reason in c->err. */
	ssize_t	(*read)(struct chan *, void *, size_t);
	ssize_t	(*write)(struct chan *, const void *, size_t);
	int	(*fd)(const struct chan *);
	int	(*is_open)(const struct chan *);
	/* Called when the fd was readable, before reading (vchan: ack the event). */
	void	(*wait)(struct chan *);
	void	(*close)(struct chan *);
	void	(*abandon)(struct chan *);
};

struct chan {
	const struct chan_ops	*ops;
	void			*be;		/* backend's object */
	int			 fd;		/* unix: the socket */
	int			 eof;
	char			 err[128];
	uint8_t			*outq;		/* queued output */
	size_t			 outlen, outcap, outoff;
	struct wire_reader	 rd;
};

/* Allocate a chan for a backend; NULL on out of memory. */
struct chan	*chan_new(const struct chan_ops *, void *be, int fd);
void		 chan_seterr(struct chan *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
void		 chan_free(struct chan *);
/*
 * Byte I/O on c->fd for the fd-based backends (unix, virtio), with the
 * ops' conventions: >0 moved, 0 would block, -1 error or (read) end of
 * stream, reported as eof.  sock: use send(MSG_NOSIGNAL).
 */
ssize_t		 chan_fd_read(struct chan *, void *, size_t, const char *eof);
ssize_t		 chan_fd_write(struct chan *, const void *, size_t, int sock);

#endif
