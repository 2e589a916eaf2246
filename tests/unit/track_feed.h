/*
 * track_feed.h - table-driven transcripts for the tracker unit tests.
 *
 * A row is a sequence of steps; each step sends bytes one way (or tells
 * the tracker about TLS or FTP data progress) and gives the expected
 * (state, reason, size) after it.  track_feed_rows() feeds every row three
 * ways: each step whole, byte by byte, and split at random points (seeded,
 * the seed printed on failure), checking the expectations after each step
 * and the tracker's invariants after every single feed.
 */
#ifndef TRACK_FEED_H
#define TRACK_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "track.h"

enum tstep_op {
	TS_END = 0,	/* closes a row's steps */
	TS_C,		/* client -> server bytes */
	TS_S,		/* server -> client bytes */
	TS_TLS_BEGIN,
	TS_TLS_DONE,
	TS_TLS_IMPLICIT,
	TS_FTP_DATA,	/* track_ftp_data(t, size) */
	TS_NONE,	/* nothing sent: check the initial state */
};

struct tstep {
	enum tstep_op	 op;
	const char	*data;		/* NUL-terminated unless len */
	const char	*state;		/* expected state name, NULL: don't check */
	int		 reason;	/* expected enum wire_reason */
	uint64_t	 size;		/* expected track_size() */
	size_t		 len;		/* bytes of data if nonzero (NUL inside) */
	size_t		 rep;		/* data repeated rep times if nonzero */
};

#define TRACK_MAX_STEPS	48

struct trow {
	const char	*name;
	uint64_t	 threshold;	/* 0: default */
	uint32_t	 line_max;	/* 0: default */
	struct tstep	 steps[TRACK_MAX_STEPS];
};

/* Feed every row of proto whole, byte by byte and randomly split. */
void track_feed_rows(const char *proto, const struct trow *rows, size_t n);

/* Steps: C("bytes", "state", reason, size), or C("bytes", ERR) */
#define C(d, ...)	{ TS_C, (d), __VA_ARGS__, 0, 0 }
#define S(d, ...)	{ TS_S, (d), __VA_ARGS__, 0, 0 }
#define CN(d, n, ...)	{ TS_C, (d), __VA_ARGS__, (n), 0 }
#define SN(d, n, ...)	{ TS_S, (d), __VA_ARGS__, (n), 0 }
#define CREP(d, k, ...)	{ TS_C, (d), __VA_ARGS__, 0, (k) }
#define SREP(d, k, ...)	{ TS_S, (d), __VA_ARGS__, 0, (k) }
#define TLS_BEGIN(...)	{ TS_TLS_BEGIN, NULL, __VA_ARGS__, 0, 0, 0 }
#define TLS_DONE(...)	{ TS_TLS_DONE, NULL, __VA_ARGS__, 0, 0, 0 }
#define TLS_IMPLICIT(...) { TS_TLS_IMPLICIT, NULL, __VA_ARGS__, 0, 0, 0 }
#define FTPDATA(n, ...)	{ TS_FTP_DATA, NULL, __VA_ARGS__, (n), 0 }
#define INITIAL(...)	{ TS_NONE, NULL, __VA_ARGS__, 0, 0, 0 }
#define ERR		"error", WIRE_R_PROCESSING, 0

/* A recorded read (track_recorded.h): RECC(POP3, 1, "state", r, size). */
#define RECC(s, k, ...)	CN(REC_##s##_##k, REC_##s##_##k##_LEN, __VA_ARGS__)
#define RECS(s, k, ...)	SN(REC_##s##_##k, REC_##s##_##k##_LEN, __VA_ARGS__)

#define R_NEW	WIRE_R_NEW
#define R_READ	WIRE_R_READING
#define R_PROC	WIRE_R_PROCESSING
#define R_WSML	WIRE_R_WRITING_SMALL
#define R_HAND	WIRE_R_HANDSHAKE
#define R_AUTH	WIRE_R_AUTH
#define R_IDLE	WIRE_R_IDLE
#define R_WLRG	WIRE_R_WRITING_LARGE

#endif /* TRACK_FEED_H */
