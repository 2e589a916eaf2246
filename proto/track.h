/*
 * track.h - application-protocol trackers: push parsers that watch both
 * directions of one proxied connection's plaintext and say, at every
 * moment, whether a pause of the connection would go unnoticed.
 *
 * One interface for every protocol.  A struct track per connection, fixed
 * size, no allocation, no I/O, no logging.  Bytes go in with any split:
 *
 *	struct track t;
 *	track_init(&t, track_lookup("pop3"), NULL);
 *	track_feed(&t, TRACK_S2C, "+OK ready\r\n", 11);
 *	track_reason(&t)	-> WIRE_R_AUTH (unsuitable)
 *
 * The reasons are those of the wire protocol (enum wire_reason in
 * migwire.h); wire_reason_suitable() gives the class.  Errors are sticky:
 * after one, track_feed() returns -1, track_error() says why, and the
 * reason is WIRE_R_PROCESSING (unsuitable) for good: a tracker that lost
 * its way must never hide a busy client.
 *
 * proto/TRACKERS.md documents each protocol's states and their classes.
 */
#ifndef TRACK_H
#define TRACK_H

#include <stddef.h>
#include <stdint.h>

#include "migwire.h"

enum track_dir {
	TRACK_C2S = 0,		/* client -> server */
	TRACK_S2C = 1,		/* server -> client */
};

/*
 * Limits.  A field left 0 takes the protocol's default (from its RFC, see
 * TRACKERS.md); track_limits_default() fills them in.
 *   line_max	a command, reply, request or header line, CRLF included
 *   header_max	a whole HTTP request or response head (other protocols: 0)
 *   threshold	announced size from which a transfer counts as large
 */
struct track_limits {
	uint32_t line_max;
	uint32_t header_max;
	uint64_t threshold;
};
#define TRACK_THRESHOLD_DEFAULT	4194304u	/* 4 MiB, ARCHITECTURE.md */

/*
 * Line accumulator.  A line split across feeds is kept as its first
 * TRACK_LINE_HEAD and last TRACK_LINE_TAIL bytes (terminator included);
 * a longer line is seen "cut" (middle dropped), whole or split alike, and
 * counted in full against line_max.  No parser needs a line's middle: the
 * verb and arguments are at its start, an IMAP literal or an HTTP version
 * at its end.
 */
#define TRACK_LINE_HEAD		256
#define TRACK_LINE_TAIL		64
struct track_line {
	uint32_t len;			/* bytes of the unfinished line so far */
	uint16_t hlen, tlen;
	char	 head[TRACK_LINE_HEAD];
	char	 tail[TRACK_LINE_TAIL];
};

/* A complete line, terminator (LF or CRLF) stripped. */
struct track_view {
	const char *p;
	size_t	 len;
	int	 cut;			/* longer than HEAD + TAIL: middle dropped */
};

/* Per-protocol private state: each tracker checks its state fits. */
#define TRACK_PRIV_SIZE		512

struct track_proto;

struct track {
	const struct track_proto *proto;
	struct track_limits lim;
	const char	*state;		/* static name of the current state */
	const char	*error;		/* static reason, once failed */
	uint64_t	 size;		/* announced size in progress, or 0 */
	uint8_t		 reason;	/* enum wire_reason */
	uint8_t		 failed;
	uint8_t		 tls;		/* TRACK_TLS_* */
	struct track_line line[2];	/* by enum track_dir */
	char		 scratch[TRACK_LINE_HEAD + TRACK_LINE_TAIL];
	union {
		uint64_t u64[TRACK_PRIV_SIZE / 8];
		void	*ptr;
	} priv;
};

#define TRACK_TLS_NONE		0
#define TRACK_TLS_HANDSHAKE	1	/* between the upgrade's OK and tls_done */
#define TRACK_TLS_IMPLICIT	2	/* an implicit-TLS port's handshake */

/*
 * A tracker: one file (track_<name>.c) and one row of the registry in
 * track.c.  feed() consumes all len bytes or fails through track_fail();
 * it returns 0 or -1.  update() recomputes t->state, t->reason, t->size
 * from the private state.  tls_done() resets what the upgrade resets.
 */
struct track_proto {
	const char	*name;		/* "http" */
	enum wire_proto	 id;
	struct track_limits defaults;
	void		(*init)(struct track *);
	int		(*feed)(struct track *, enum track_dir, const char *, size_t);
	void		(*update)(struct track *);
	void		(*tls_done)(struct track *);
};

/* ---------------------------------------------------------------- API */

/* The registry row for a protocol name ("http", "pop3", "ftp", "smtp",
 * "imap", "tcp"), or NULL if unknown.  Rows are static. */
const struct track_proto *track_lookup(const char *name);
/* The same by wire protocol id, or NULL. */
const struct track_proto *track_lookup_id(enum wire_proto id);
/* The i-th registry row, or NULL past the end (for listing). */
const struct track_proto *track_proto_at(size_t i);

/* Fill 0 fields of *lim with proto's defaults.  Never fails. */
void track_limits_default(const struct track_proto *proto, struct track_limits *lim);

/*
 * Start tracking a freshly accepted connection.  lim may be NULL (all
 * defaults); it is copied.  Returns 0, or -1 if proto is NULL (t is then
 * a failed tracker: track_feed() returns -1, unsuitable).
 */
int track_init(struct track *t, const struct track_proto *proto,
    const struct track_limits *lim);

/*
 * Consume len bytes that travelled in direction dir.  Returns 0, or -1 if
 * the tracker is (now or already) in its sticky error state.  While a TLS
 * upgrade is in progress the bytes are not plaintext and are ignored.
 */
int track_feed(struct track *t, enum track_dir dir, const void *buf, size_t len);

/* Current reason (enum wire_reason); unsuitable once failed. */
enum wire_reason track_reason(const struct track *t);
/* Announced size of the transfer in progress, 0 if none or unknown. */
uint64_t track_size(const struct track *t);
/* Static name of the current state ("idle", "error", ...).  Never NULL. */
const char *track_state_name(const struct track *t);
/* Static reason of the error, or NULL while not failed. */
const char *track_error(const struct track *t);

/*
 * TLS upgrades.  A tracker that sees an upgrade command (STLS, STARTTLS,
 * AUTH TLS) and its positive reply enters the handshake by itself (the
 * proxy's track_tls_begin() is then a no-op); bytes fed during it are
 * ignored.  track_tls_done() ends it: the protocol goes on in the state
 * its RFC prescribes after the upgrade.
 *
 * An implicit-TLS port (pop3s, imaps, ftps...) handshakes before the
 * protocol starts: track_tls_implicit() reports "handshake" until
 * track_tls_done(), but the bytes fed meanwhile are tracked (the server's
 * greeting may reach the proxy before the client finished), and done
 * resets nothing.  None of these fails.
 */
void track_tls_begin(struct track *t);
void track_tls_implicit(struct track *t);
void track_tls_done(struct track *t);

/*
 * FTP only (no-op for others): the proxy reports bytes moved on the data
 * connection of the transfer in progress.  Once a transfer of known size
 * has moved all its bytes, the tracker waits for the 226 (processing).
 */
void track_ftp_data(struct track *t, uint64_t bytes);

/* ------------------------------------------- helpers for the trackers */

/* Enter the sticky error state with a static reason; returns -1. */
int track_fail(struct track *t, const char *why);
/* Set the visible state. */
void track_set(struct track *t, const char *state, enum wire_reason r, uint64_t size);

/*
 * Take one line from buf[0..len).  Returns 1 with *v set (valid until the
 * next call for this track) and *used the bytes consumed, terminator
 * included; 0 if all len bytes were consumed into the unfinished line;
 * -1 (failed) on a NUL byte or a line over max bytes.
 */
int track_line_get(struct track *t, enum track_dir dir, size_t max,
    const char *buf, size_t len, size_t *used, struct track_view *v);
/* 1 if an unfinished line is being accumulated in direction dir. */
int track_line_pending(const struct track *t, enum track_dir dir);

/*
 * Parse a decimal number of at most 19 digits (no sign, no space) from
 * p[0..len).  Returns the count of digits consumed (>0) with *out set, 0 if
 * p does not start with a digit, -1 on overflow (more than 19 digits or
 * above TRACK_SIZE_MAX).
 */
#define TRACK_SIZE_MAX		(UINT64_C(1) << 62)
int track_parse_u64(const char *p, size_t len, uint64_t *out);

/* Case-insensitive: 1 if p[0..len) starts with the lowercase word w
 * followed by the end, SP or another non-letter, else 0. */
int track_word(const char *p, size_t len, const char *w);

/*
 * A reply line's code (FTP, RFC 959 4.2; SMTP, RFC 5321 4.2): three digits
 * whose first is from first to '5', then SP, "-" or the end of the line.
 * Returns the code, or 0 if the line is no reply line; *more is 1 when
 * "-" says the reply goes on.
 */
unsigned track_reply_code(const struct track_view *v, char first, int *more);

/* FNV-1a 64 of p[0..len), for remembering arguments (tags, paths). */
uint64_t track_hash(const char *p, size_t len);

/*
 * Scanner for dot-terminated data (POP3 multi-line responses, SMTP DATA):
 * consumes bytes up to and including the terminating ".CRLF" line.
 * Returns the bytes consumed; *done is set to 1 when the end was seen.
 * st is the scanner's state: 0 at a line start (set it so at the start).
 */
size_t track_dot_scan(uint8_t *st, const char *buf, size_t len, int *done);

#endif /* TRACK_H */
