/*
 * proxy_ftp.c - the passive data ports of the FTP proxy.  When the backend
 * answers PASV or EPSV, proxy.c asks for a port of the proxy's own: a
 * listener on the address the client reached the control connection on,
 * with a port from the service's ftp_data_ports range.  Its rules (the
 * FTP bounce and port theft attacks of RFC 2577):
 *
 *  - at most one pending data port per control session: a new PASV closes
 *    the previous one;
 *  - only the control connection's client address may connect; any other
 *    is closed at once, logged, and the port keeps waiting;
 *  - the first good connection closes the port (one transfer each);
 *  - a port no one connected to within ftp_data_timeout is closed, logged;
 *    the control session goes on (the backend ends its command itself).
 *
 * The accepted connection is handed to proxy.c, which relays it to the
 * port the backend announced, on the backend's address.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent.h"
#include "log.h"

#define FTP_DATA_BACKLOG	4
#define FTP_DATA_ACCEPTS	8	/* accepts per event: refused peers included */

struct proxy_ftp {
	struct ev_loop		*loop;
	const struct svc_conf	*sc;
	char			 cname[64];	/* the control client, for logs */
	struct sockaddr_storage	 client;
	proxy_ftp_accept_fn	*accepted;
	void			*arg;
	int			 lfd;		/* the pending data port, or -1 */
	uint16_t		 lport, bport;
	ev_io			 io;
	ev_timer		 tm;
};

/* The next port of the range to try: data ports rotate, for all services. */
static unsigned	proxy_ftp_cursor;

struct proxy_ftp *
proxy_ftp_new(struct ev_loop *loop, const struct svc_conf *sc, const char *cname,
    const struct sockaddr_storage *client, proxy_ftp_accept_fn *accepted, void *arg)
{
	struct proxy_ftp	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->loop = loop;
	f->sc = sc;
	snprintf(f->cname, sizeof(f->cname), "%s", cname);
	f->client = *client;
	f->accepted = accepted;
	f->arg = arg;
	f->lfd = -1;
	return f;
}

static void
proxy_ftp_close(struct proxy_ftp *f)
{
	if (f->lfd < 0)
		return;
	ev_io_stop(f->loop, &f->io);
	ev_timer_stop(f->loop, &f->tm);
	close(f->lfd);
	f->lfd = -1;
}

void
proxy_ftp_free(struct proxy_ftp *f)
{
	if (f == NULL)
		return;
	proxy_ftp_close(f);
	free(f);
}

/* Same host (the port aside)? */
static int
proxy_ftp_same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		    ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		    &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr)) == 0;
	return 0;
}

static void
proxy_ftp_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct proxy_ftp	*f = w->data;
	struct sockaddr_storage	 peer;
	socklen_t		 len;
	char			 b[64];
	int			 fd, i;

	(void)loop;
	(void)revents;
	for (i = 0; i < FTP_DATA_ACCEPTS && f->lfd >= 0; i++) {
		len = sizeof(peer);
		fd = accept4(f->lfd, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_warn("service %s: client %s: data port %u: accept",
				    f->sc->name, f->cname, f->lport);
			return;
		}
		if (!proxy_ftp_same_host(&peer, &f->client)) {
			/* RFC 2577 5: port theft and bounce: only the client may connect. */
			log_warnx("service %s: client %s: data connection to port %u from %s "
			    "refused: not the control connection's address", f->sc->name,
			    f->cname, f->lport, svc_addr_str(&peer, b, sizeof(b)));
			close(fd);
			continue;
		}
		log_debug("service %s: client %s: data connection on port %u -> backend "
		    "port %u", f->sc->name, f->cname, f->lport, f->bport);
		proxy_ftp_close(f);
		f->accepted(f->arg, fd, &peer, f->bport);
		return;
	}
}

static void
proxy_ftp_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct proxy_ftp	*f = w->data;

	(void)loop;
	(void)revents;
	log_info("service %s: client %s: no data connection to port %u within %llu ms; "
	    "port closed", f->sc->name, f->cname, f->lport,
	    (unsigned long long)f->sc->data_timeout_ms);
	proxy_ftp_close(f);
}

/* Bind fd to local's address with a port of the range; the port or 0. */
static uint16_t
proxy_ftp_bind(struct proxy_ftp *f, int fd, const struct sockaddr_storage *local)
{
	struct sockaddr_storage	 a = *local;
	socklen_t		 alen = a.ss_family == AF_INET6 ?
				     sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	unsigned		 lo = f->sc->data_port_min, n, i;
	uint16_t		 p;

	n = lo == 0 ? 1 : (unsigned)f->sc->data_port_max - lo + 1;
	for (i = 0; i < n; i++) {
		p = lo == 0 ? 0 : (uint16_t)(lo + (proxy_ftp_cursor++ % n));
		if (a.ss_family == AF_INET6)
			((struct sockaddr_in6 *)&a)->sin6_port = htons(p);
		else
			((struct sockaddr_in *)&a)->sin_port = htons(p);
		if (bind(fd, (struct sockaddr *)&a, alen) == 0)
			break;
		if (errno != EADDRINUSE)
			return 0;
	}
	if (i == n)
		return 0;
	alen = sizeof(a);
	if (getsockname(fd, (struct sockaddr *)&a, &alen) == -1)
		return 0;
	return ntohs(a.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&a)->sin6_port :
	    ((struct sockaddr_in *)&a)->sin_port);
}

uint16_t
proxy_ftp_listen(struct proxy_ftp *f, const struct sockaddr_storage *local, uint16_t bport)
{
	int	fd, one = 1;
	uint16_t port = 0;

	if (f->lfd >= 0)
		log_info("service %s: client %s: data port %u unused, closed for a new one",
		    f->sc->name, f->cname, f->lport);
	proxy_ftp_close(f);
	if ((fd = socket(local->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if ((port = proxy_ftp_bind(f, fd, local)) == 0 || listen(fd, FTP_DATA_BACKLOG) == -1)
		goto fail;
	f->lfd = fd;
	f->lport = port;
	f->bport = bport;
	ev_io_init(&f->io, proxy_ftp_accept_cb, fd, EV_READ);
	ev_timer_init(&f->tm, proxy_ftp_timeout_cb, f->sc->data_timeout_ms / 1000.0, 0.);
	f->io.data = f->tm.data = f;
	ev_io_start(f->loop, &f->io);
	ev_timer_start(f->loop, &f->tm);
	return port;
fail:
	log_warn("service %s: client %s: cannot open a data port%s", f->sc->name, f->cname,
	    port == 0 && f->sc->data_port_min ? " (ftp_data_ports all in use?)" : "");
	if (fd >= 0)
		close(fd);
	return 0;
}
