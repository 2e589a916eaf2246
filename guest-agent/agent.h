/*
 * agent.h - migstate-agent's one private header.
 *
 * The agent reads connection counts from its sources (mod_migstate's shared
 * memory; later the TLS proxy's trackers), aggregates them into STATE frames
 * and serves them to Dom-0 over one uplink channel, which it re-establishes
 * after every migration (the quiesce handshake, quiesce.c).
 */
#ifndef AGENT_H
#define AGENT_H

#include <netinet/in.h>
#include <limits.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <ev.h>

#include "chan.h"
#include "conf.h"
#include "migshm.h"
#include "migwire.h"
#include "migxs.h"

#define AGENT_SOFTWARE		"migstate-agent 0.1.0"
#define AGENT_CONF_DEFAULT	"/etc/migstate/agent.conf"
#define AGENT_SOCKET_DEFAULT	"/run/migstate/agents.sock"
#define AGENT_VIRTIO_PORT_DEFAULT "org.migstate.0" /* virtio-serial port name */
#define AGENT_MAX_SOURCES	64	/* apache + one per proxied service, with room */
#define AGENT_SRC_NAME_LEN	32
#define AGENT_PATH_LEN		108	/* sun_path: the longest socket path */
#define AGENT_PUSH_GAP_US	1000	/* at most one pushed STATE per millisecond */
#define AGENT_BACKOFF_MIN_MS	100	/* first reconnect delay, doubled up to reconnect_max */
#define AGENT_HELLO_TIMEOUT_MS	10000	/* a connected peer must say HELLO within this */
#define AGENT_MAX_SERVICES	16	/* [service NAME] sections */
#define SVC_MAX_LISTEN		4	/* listen lines in one service */
#define SVC_PATH_LEN		512	/* cert and key paths */

/* ------------------------------------------------------------ config.c */
enum agent_uplink_kind {
	AGENT_UPLINK_AUTO,	/* vchan if this is a Xen guest, else unix */
	AGENT_UPLINK_VCHAN,
	AGENT_UPLINK_UNIX,
	AGENT_UPLINK_VIRTIO,	/* KVM/QEMU: a virtio-serial port (virtio_port) */
};

enum agent_xs_kind {
	AGENT_XS_DEFAULT,	/* xen in vchan mode, none in unix mode */
	AGENT_XS_NONE,
	AGENT_XS_XEN,
	AGENT_XS_DIR,
};

/* One [service NAME]: a proxied TCP service (config_service.c). */
enum svc_tls {
	SVC_TLS_NONE,		/* plaintext both sides */
	SVC_TLS_IMPLICIT,	/* TLS from the first byte (pop3s, imaps, https) */
	SVC_TLS_STARTTLS,	/* plaintext until STLS/STARTTLS/AUTH TLS, handled by the proxy */
};

struct svc_addr {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
};

struct svc_conf {
	char			 name[AGENT_SRC_NAME_LEN];
	int			 line;			/* its first line, for late errors */
	struct svc_addr		 listen[SVC_MAX_LISTEN];
	unsigned		 nlisten;
	struct svc_addr		 backend;		/* len 0: not set */
	enum wire_proto		 proto;			/* 0: not set */
	enum svc_tls		 tls;
	char			 cert[SVC_PATH_LEN];
	char			 key[SVC_PATH_LEN];
	int			 proxy_v2;		/* PROXY protocol v2 header to the backend */
	uint64_t		 max_conns;
	uint64_t		 idle_ms;
	uint64_t		 handshake_ms;		/* TLS handshake and backend connect */
	uint64_t		 buffer_size;		/* bytes per direction */
	/* protocol = ftp: passive data connections (proxy_ftp.c) */
	uint16_t		 data_port_min;		/* 0: a port the kernel picks */
	uint16_t		 data_port_max;
	struct in_addr		 pasv_addr;		/* announced in 227 replies */
	int			 pasv_addr_set;		/* 0: the control's local address */
	uint64_t		 data_timeout_ms;	/* for the client to connect */
};

struct agent_conf {
	char			 name[WIRE_NAME_LEN];	/* guest name for HELLO */
	uint32_t		 domid;			/* unix mode: who we speak for */
	int			 domid_set;
	enum agent_uplink_kind	 uplink;		/* resolved: never AUTO after load */
	char			 socket[AGENT_PATH_LEN];
	char			 virtio_port[64];	/* uplink virtio: the port's name */
	enum agent_xs_kind	 xs;			/* resolved: never DEFAULT after load */
	char			 xs_dir[PATH_MAX];	/* AGENT_XS_DIR: the tree's root */
	uint64_t		 poll_ms;
	uint64_t		 heartbeat_ms;
	uint64_t		 reconnect_max_ms;
	uint64_t		 quiesce_timeout_ms;
	int			 apache;		/* [apache] present */
	char			 apache_shm[PATH_MAX];
	uint64_t		 shutdown_timeout_ms;	/* SIGTERM: open proxied connections */
	struct svc_conf		 svc[AGENT_MAX_SERVICES];	/* [service NAME] */
	unsigned		 nsvc;
};

/*
 * Set every default.  xen_guest says whether uplink = auto means vchan.
 */
void	config_defaults(struct agent_conf *, int xen_guest);
/*
 * Parse a configuration file (or a buffer, for tests) into c, which
 * config_defaults() prepared, and check the whole.  Returns the number of
 * errors, each kept in cf with its file and line.
 */
int	config_load(struct agent_conf *, struct conf *cf, const char *path);
int	config_load_buf(struct agent_conf *, struct conf *cf, const char *name,
	    const char *buf, size_t len);
/* 1 if this machine looks like a Xen guest (/proc/xen or /dev/xen/xenbus). */
int	config_xen_guest(void);

/* ------------------------------------------------------------ source.c */
struct source;

struct source_ops {
	/*
	 * Polled sources: read the current counts into counts[] (zeroes when
	 * the source is unavailable).  check_pids asks for the slower, more
	 * thorough read (dead writers dropped); done at heartbeat rate.
	 * NULL for event-driven sources, which call source_changed().
	 */
	void	(*read)(struct source *, uint32_t counts[WIRE_REASON_MAX], int check_pids);
	/* Release the source and everything it holds (the struct itself too). */
	void	(*close)(struct source *);
};

struct sources;

struct source {
	char			 name[AGENT_SRC_NAME_LEN];	/* for logs: "apache" */
	enum wire_proto		 proto;
	const struct source_ops	*ops;
	void			*priv;
	uint32_t		 counts[WIRE_REASON_MAX];	/* last known */
	struct sources		*reg;				/* set by sources_add */
};

struct sources {
	struct source	*src[AGENT_MAX_SOURCES];
	unsigned	 n;
	/* Called when an event-driven source reports a change. */
	void		(*on_change)(void *arg);
	void		*arg;
};

void	sources_init(struct sources *, void (*on_change)(void *), void *arg);
/* Register s (owned by the caller).  0, or -1 if the table is full or proto invalid. */
int	sources_add(struct sources *, struct source *);
/* Read every polled source into its cached counts. */
void	sources_poll(struct sources *, int check_pids);
/*
 * Build st's records from the cached counts: one record per protocol with
 * at least one source, in protocol order, sums saturated at WIRE_MAX_CONNS;
 * totals by wire_state_sum().  seq, mono_us, nonce and flags are left 0.
 */
void	sources_aggregate(const struct sources *, struct wire_state *st);
/* 1 if two aggregates differ in any record or count, else 0. */
int	sources_differ(const struct wire_state *, const struct wire_state *);
/* Close (and free) every source, and empty the table. */
void	sources_close(struct sources *);
/* Event-driven sources: set the counts and, if they changed, notify. */
void	source_changed(struct source *, const uint32_t counts[WIRE_REASON_MAX]);

/* ------------------------------------------------------------ src_shm.c */
/*
 * The mod_migstate shared-memory source for the file at path (HTTP).  The
 * file is opened lazily and re-tried every second; never fails once
 * created.  NULL only if out of memory.  Freed by its close op
 * (sources_close).
 */
struct source	*src_shm_new(const char *name, const char *path);

/* ------------------------------------------------------------ uplink.c */
enum uplink_phase {
	UPLINK_IDLE,		/* not wanted (quiesced, or stopping) */
	UPLINK_BACKOFF,		/* waiting before the next attempt */
	UPLINK_PEER,		/* vchan served, waiting for Dom-0 to connect */
	UPLINK_HELLO,		/* our HELLO sent, waiting for the peer's */
	UPLINK_UP,		/* HELLO exchanged: STATE flows */
};

enum uplink_stop_how {
	UPLINK_STOP_CLOSE,	/* orderly: BYE, chan_close (removes vchan keys) */
	UPLINK_STOP_ABANDON,	/* the guest moved: never close, leak the vchan */
};

struct agent;

struct uplink {
	struct agent		*agent;
	enum uplink_phase	 phase;
	struct chan		*chan;
	long			 chan_domid;	/* domid when the chan was opened */
	ev_io			 io;
	ev_timer		 retry_tm;	/* backoff and HELLO timeout */
	ev_timer		 poll_tm;	/* polls sources every poll */
	ev_timer		 hb_tm;		/* heartbeat STATE */
	ev_timer		 push_tm;	/* coalesced push */
	uint64_t		 backoff_ms;
	uint64_t		 up_since_us;
	uint64_t		 last_push_us;
	uint64_t		 seq;
	uint32_t		 version;	/* negotiated */
	int			 migrating;	/* MIGRATION{active=1} seen */
	const char		*drop_why;	/* set by the frame handler */
	unsigned		 open_failures;	/* in a row, to log the first only */
	char			 drop_buf[128];
	struct wire_state	 last;		/* the last STATE sent */
	int			 have_last;
	uint64_t		 connects;	/* HELLO exchanges, for logs */
};

void	uplink_init(struct uplink *, struct agent *);
/* Want the channel: open it now (a failure retries with backoff). */
void	uplink_start(struct uplink *);
/* Stop wanting it: close or abandon the channel; no reconnect until start. */
void	uplink_stop(struct uplink *, enum uplink_stop_how);
/* Read every source now and send a STATE if the uplink is up (nonce 0). */
void	uplink_push_now(struct uplink *);
/* A source changed: push, coalesced to one per AGENT_PUSH_GAP_US. */
void	uplink_changed(struct uplink *);
/* Orderly end (BYE NORMAL, close unless the channel is stale). */
void	uplink_shutdown(struct uplink *);

/* ------------------------------------------------------------ quiesce.c */
enum quiesce_state {
	QUIESCE_SERVING,	/* a channel is served (or being re-established) */
	QUIESCE_QUIESCED,	/* closed for a migration's stop; waiting */
};

/* What the state machine acts through (the agent; fakes in the unit test). */
struct quiesce_ops {
	void	(*send_last_state)(void *arg);
	void	(*close_chan)(void *arg);
	void	(*abandon_chan)(void *arg);
	void	(*serve_chan)(void *arg);
	void	(*write_key)(void *arg, const char *path, const char *value);
	void	(*timer)(void *arg, int on);	/* quiesce_timeout: arm or disarm */
};

struct quiesce {
	enum quiesce_state	 state;
	const struct quiesce_ops *ops;
	void			*arg;
	long			 domid;
	uint64_t		 quiesces, resumes, abandons, timeouts;
};

/* Initialise in SERVING under domid (no action taken). */
void	quiesce_init(struct quiesce *, const struct quiesce_ops *, void *arg, long domid);
/* Start: write quiesce = 0, serve, write state = serving. */
void	quiesce_start(struct quiesce *);
/* Events.  value: the quiesce key's value (0 or 1); domid: the new one. */
void	quiesce_on_quiesce(struct quiesce *, int value);
void	quiesce_on_domid(struct quiesce *, long domid);
void	quiesce_on_timeout(struct quiesce *);
const char *quiesce_state_name(enum quiesce_state);

/* The xenstore glue: watches quiesce and domid and feeds the machine. */
struct quiesce_xs {
	struct migxs		*xs;
	struct quiesce		*q;
	struct ev_loop		*loop;
	ev_io			 io;
};
/* Watch the keys and start reporting events into q.  0, or -1 (logged). */
int	quiesce_xs_start(struct quiesce_xs *, struct ev_loop *, struct migxs *,
	    struct quiesce *);
void	quiesce_xs_stop(struct quiesce_xs *);
/* Read this domain's id from xenstore ("domid"), or -1. */
long	quiesce_xs_domid(struct migxs *);

/* ------------------------------------------------------------ config_service.c */
/*
 * One key of a [service NAME] section into c (the service is created at
 * its first key).  Errors go to cf with the current line.
 */
void	config_service_key(struct agent_conf *, struct conf *cf, const char *name,
	    const char *key, const char *value);
/* Checks over each whole service (required keys, tls vs protocol, files). */
void	config_service_check(struct agent_conf *, struct conf *cf);
/* "127.0.0.1:110", "[::1]:993" into a; 0, or -1 (why set to a static text). */
int	config_service_addr(const char *s, struct svc_addr *a, const char **why);
/* Printable "ADDR:PORT" of ss into buf (cap >= 64).  Returns buf. */
char	*svc_addr_str(const struct sockaddr_storage *ss, char *buf, size_t cap);

/* ------------------------------------------------------------ tls.c */
struct ssl_ctx_st;
/*
 * A server context for one service: TLS 1.2+, session cache and tickets,
 * the PEM certificate chain and key.  NULL on error with a reason in err
 * (file name and OpenSSL's text).  Free with tls_ctx_free().
 */
struct ssl_ctx_st *tls_ctx_new(const char *service, const char *cert, const char *key,
	    char *err, size_t errlen);
void	tls_ctx_free(struct ssl_ctx_st *);
/* OpenSSL's last error queue as one short text (and the queue cleared). */
const char *tls_errstr(char *buf, size_t cap);

/*
 * A TCP socket for OpenSSL to read and write (recv/send, MSG_NOSIGNAL),
 * which remembers whether its last read came back short: the kernel had no
 * more bytes, so once OpenSSL holds no unprocessed ones either, another
 * SSL_read would only fail with EAGAIN (see tls_drained).
 */
struct tls_sock {
	int	fd;
	int	short_read;		/* the last recv returned less than asked */
	int	eof;			/* the peer closed */
};
struct ssl_st;
/* Attach s (which must outlive ssl) as ssl's read and write side; 0 or -1. */
int	tls_sock_attach(struct ssl_st *ssl, struct tls_sock *s, int fd);
/* Whether SSL_read on ssl would find nothing without a new socket event. */
int	tls_drained(struct ssl_st *ssl, const struct tls_sock *s);

/* ------------------------------------------------------------ proxyproto.c */
/*
 * Write a PROXY protocol v2 header (PROXY command, TCP over IPv4 or IPv6)
 * for a connection from src to dst into buf.  Returns its length, or 0 if
 * cap is too small or the families differ (a LOCAL header is then not
 * sent either: the caller sends nothing).
 */
size_t	proxyproto_v2(const struct sockaddr_storage *src, const struct sockaddr_storage *dst,
	    uint8_t *buf, size_t cap);

/* ------------------------------------------------------------ starttls.c */
#define STLS_LINE_MAX		2048	/* a line of the filtered phase, CRLF included */
#define STLS_OUT_MAX		(2 * STLS_LINE_MAX + 64)	/* out room the calls need */
#define STLS_QUEUE		16	/* replies awaited */

enum stls_kind {
	STLS_K_OTHER, STLS_K_CAPA, STLS_K_GREETING,
	STLS_K_PASV, STLS_K_EPSV,	/* FTP: replies the proxy rewrites */
};

/* FTP's filter state (ftp_filter.c): it filters the whole session. */
struct stls_ftp {
	uint8_t		 mode;		/* enum svc_tls of the service */
	uint8_t		 pbsz;		/* PBSZ 0 accepted (RFC 4217 9) */
	char		 prot;		/* 'C' or 'P': data connections' protection */
	uint8_t		 feat;		/* inside the FEAT reply */
	uint16_t	 mcode;		/* code of the multi-line reply in progress */
	uint8_t		 raw;		/* a backend line too long: passed until its LF */
	uint8_t		 pasv;		/* STLS_K_PASV/EPSV: a passive reply to make */
	uint16_t	 bport;		/* ... for this port the backend announced */
	uint8_t		 refused;	/* the last client line: an active-mode command */
};

enum stls_act {
	STLS_FORWARD,		/* send the line to the backend */
	STLS_REPLY,		/* send out[] to the client instead (upgrade, or refusal) */
	STLS_HOLD,		/* not yet: replies to earlier commands are awaited */
};

struct stls {
	enum wire_proto	 proto;
	int		 tls;		/* the client's TLS is up */
	int		 pass_c, pass_s;	/* the filter is over for this direction */
	int		 upgrade;	/* upgrade answered: start TLS once out[] is flushed */
	uint8_t		 q[STLS_QUEUE];	/* kinds of the replies awaited */
	unsigned	 qh, qn;
	int		 multi, capa;	/* POP3: in a multi-line (capability) reply */
	size_t		 hlen;		/* SMTP: the EHLO line held back */
	char		 hold[STLS_LINE_MAX];
	/*
	 * SMTP: the backend's EHLO reply before TLS, replayed (without
	 * STARTTLS) to the client's EHLO after TLS: the backend already has
	 * its EHLO, and some (OpenSMTPD) refuse a second one.
	 */
	size_t		 elen;		/* 0: none; > STLS_LINE_MAX: too long */
	char		 ecache[STLS_LINE_MAX];
	struct stls_ftp	 ftp;		/* proto FTP only */
};

/* Start filtering a fresh connection of protocol (pop3, imap or smtp). */
void	stls_init(struct stls *, enum wire_proto);
/*
 * One complete client line (terminator included, len <= STLS_LINE_MAX).
 * For STLS_REPLY, out[0..*olen) is the reply (cap >= STLS_OUT_MAX).
 */
enum stls_act stls_client_line(struct stls *, const char *line, size_t len, char *out,
	    size_t cap, size_t *olen);
/*
 * One complete backend line: writes what the client must see into out
 * (cap >= STLS_OUT_MAX) and returns its length (0: line dropped).
 */
size_t	stls_server_line(struct stls *, const char *line, size_t len, char *out,
	    size_t cap);
/* The client's TLS handshake is complete. */
void	stls_tls_done(struct stls *);

/* ------------------------------------------------------------ ftp_filter.c */
/*
 * FTP through stls (RFC 959, RFC 2228, RFC 4217, RFC 2428): AUTH TLS,
 * PBSZ, PROT and CCC are answered by the proxy, PORT/EPRT/LPRT refused
 * (st->ftp.refused set), FEAT's list rewritten, and the backend's reply to
 * PASV/EPSV taken out: ftpf_server_line() then returns 0 with
 * st->ftp.pasv set (the kind) and st->ftp.bport the backend's port; the
 * caller opens its own data port and answers with ftpf_pasv_reply() (or
 * with a 425).  stls_init() then ftpf_init() start a session; stls_*()
 * dispatch to ftpf_*() for proto FTP.  The filter never ends.
 */
void	ftpf_init(struct stls *, enum svc_tls mode);
enum stls_act ftpf_client_line(struct stls *, const char *line, size_t len, char *out,
	    size_t cap, size_t *olen);
size_t	ftpf_server_line(struct stls *, const char *line, size_t len, char *out,
	    size_t cap);
/*
 * The port of a 227 reply (RFC 959 4.1.2, scanned as RFC 1123 4.1.2.6 asks:
 * the first six numbers after the code) or of a 229 reply (RFC 2428 3:
 * "(<d><d><d>port<d>)").  0 with *port set (1-65535), or -1.  The address
 * of a 227 is ignored: data always goes to the backend's address.
 */
int	ftpf_parse_227(const char *line, size_t len, uint16_t *port);
int	ftpf_parse_229(const char *line, size_t len, uint16_t *port);
/*
 * The reply to the client's PASV (227 with local's IPv4 address; a 425 if
 * local is IPv6) or EPSV (229) for port into out (cap >= 128).  Returns its
 * length.
 */
size_t	ftpf_pasv_reply(int kind, const struct sockaddr_storage *local, uint16_t port,
	    char *out, size_t cap);

/* ------------------------------------------------------------ src_proxy.c */
/*
 * The proxy's event-driven source for one protocol ("proxy-pop3").  NULL
 * only if out of memory.  Freed by its close op (sources_close).
 */
struct source	*src_proxy_new(enum wire_proto);
/* A connection moved from reason from to reason to (-1: none). */
void	src_proxy_move(struct source *, int from, int to);

/* ------------------------------------------------------------ proxy_ftp.c */
/*
 * One FTP control session's passive data port: a listener on the control
 * connection's local address (in the service's ftp_data_ports range),
 * accepting only from the control connection's client address, at most
 * one at a time, closed after data_timeout or its first good connection.
 */
struct proxy_ftp;
/* accepted(arg, fd, peer, backend_port): a data connection (owned from now on). */
typedef void proxy_ftp_accept_fn(void *arg, int fd, const struct sockaddr_storage *peer,
	    uint16_t bport);
/* A session for the control connection; NULL if out of memory. */
struct proxy_ftp *proxy_ftp_new(struct ev_loop *, const struct svc_conf *, const char *cname,
	    const struct sockaddr_storage *client, proxy_ftp_accept_fn *, void *arg);
/*
 * Open the data port for the backend's port bport (a pending one is
 * closed first) on the address local.  Returns the proxy's port, or 0
 * (logged) if none could be opened.
 */
uint16_t proxy_ftp_listen(struct proxy_ftp *, const struct sockaddr_storage *local,
	    uint16_t bport);
/* Close any pending data port and free (NULL is a no-op). */
void	proxy_ftp_free(struct proxy_ftp *);

/* ------------------------------------------------------------ proxy.c */
struct proxy;
/*
 * The proxy engine for c's services on loop, reporting into srcs.  Opens
 * every listener; NULL with err set if one cannot be opened or a TLS
 * context cannot be made (at start-up: fatal).
 */
struct proxy	*proxy_new(struct ev_loop *, struct sources *, const struct agent_conf *c,
	    char *err, size_t errlen);
/*
 * Apply a new configuration: unchanged services keep everything; new or
 * changed ones get new listeners (a listening socket on the same address
 * is handed over, so no connection attempt is refused); removed ones stop
 * listening.  Open connections keep the settings they started with.
 * 0, or -1 with err set (the old configuration then stays in force).
 */
int	proxy_reload(struct proxy *, const struct agent_conf *c, char *err, size_t errlen);
/* Make every TLS context of c without opening anything (-n).  0 or -1, err set. */
int	proxy_check(const struct agent_conf *c, char *err, size_t errlen);
/*
 * Stop accepting; call done(arg) once no connection is open (at once if
 * none is).  Connections left after the timeout are closed by proxy_free().
 */
void	proxy_drain(struct proxy *, void (*done)(void *), void *arg);
/* Open connections, all services. */
unsigned proxy_nconns(const struct proxy *);
/* Close everything and free. */
void	proxy_free(struct proxy *);

/* ------------------------------------------------------------ agent.c */
struct agent {
	struct ev_loop		*loop;
	struct agent_conf	 conf;
	struct sources		 srcs;
	struct uplink		 up;
	struct migxs		*xs;		/* NULL: no quiesce handshake */
	struct quiesce		 q;
	struct quiesce_xs	 qx;
	ev_timer		 quiesce_tm;
	ev_signal		 sig_term, sig_int, sig_hup;
	uint8_t			 boot_id[16];
	struct proxy		*proxy;		/* NULL: no [service] */
	ev_timer		 shutdown_tm;	/* SIGTERM: connections draining */
	const char		*conf_file;	/* for SIGHUP */
};

/* The domid to announce and to compare a channel against (-1 unknown). */
long	agent_domid(struct agent *);
/* 1 if xenstore says the domain changed since a channel opened under chan_domid. */
int	agent_chan_stale(struct agent *, long chan_domid);

#endif /* AGENT_H */
