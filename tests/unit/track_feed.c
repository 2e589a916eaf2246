/*
 * track_feed.c - runs transcript tables through a tracker (track_feed.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "track_feed.h"

enum feed_mode { MODE_WHOLE, MODE_BYTES, MODE_RANDOM };
static const char *const mode_name[] = { "whole", "byte by byte", "random split" };

#define SEED	0x6d696773u	/* fixed: failures reproduce */
#define BYTE_MODE_MAX	65536	/* longer steps go in 4099-byte pieces */

static const char *
reason_name(unsigned r)
{
	static const char *const names[WIRE_REASON_MAX] = { "new", "reading",
	    "processing", "writing-small", "handshake", "auth", "idle",
	    "writing-large" };

	return r < WIRE_REASON_MAX ? names[r] : "?";
}

static uint32_t
feed_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* The invariants every feed keeps, failed or not. */
static void
feed_invariants(const struct track *t, const char *row, size_t step)
{
	enum wire_reason r = track_reason(t);

	if ((unsigned)r >= WIRE_REASON_MAX || track_state_name(t) == NULL)
		fail_msg("%s step %zu: bad reason %u", row, step, (unsigned)r);
	if (track_error(t) != NULL && wire_reason_suitable(r))
		fail_msg("%s step %zu: failed (%s) but suitable", row, step,
		    track_error(t));
	if (track_error(t) != NULL && strcmp(track_state_name(t), "error") != 0)
		fail_msg("%s step %zu: failed but state %s", row, step,
		    track_state_name(t));
}

static void
feed_bytes(struct track *t, enum track_dir dir, const char *p, size_t n,
    enum feed_mode mode, uint32_t *seed, const char *row, size_t step)
{
	size_t k;
	int r;

	while (n > 0) {
		if (mode == MODE_WHOLE)
			k = n;
		else if (mode == MODE_BYTES)
			k = n > BYTE_MODE_MAX ? 4099 : 1;
		else if (feed_rand(seed) % 4 == 0)
			k = 1 + feed_rand(seed) % n;
		else
			k = 1 + feed_rand(seed) % 8;
		if (k > n)
			k = n;
		r = track_feed(t, dir, p, k);
		if (r != 0 && r != -1)
			fail_msg("%s step %zu: track_feed returned %d", row, step, r);
		if ((r == -1) != (track_error(t) != NULL))
			fail_msg("%s step %zu: return %d but error %s", row, step, r,
			    track_error(t) ? track_error(t) : "none");
		feed_invariants(t, row, step);
		p += k;
		n -= k;
	}
}

static char *
step_payload(const struct tstep *s, size_t *n)
{
	size_t one = s->len ? s->len : strlen(s->data), rep = s->rep ? s->rep : 1, i;
	char *buf = malloc(one * rep + 1);

	assert_non_null(buf);
	for (i = 0; i < rep; i++)
		memcpy(buf + i * one, s->data, one);
	*n = one * rep;
	return buf;
}

static void
run_step(struct track *t, const struct tstep *s, enum feed_mode mode,
    uint32_t *seed, const char *row, size_t i)
{
	char *buf;
	size_t n;

	switch (s->op) {
	case TS_C:
	case TS_S:
		buf = step_payload(s, &n);
		feed_bytes(t, s->op == TS_C ? TRACK_C2S : TRACK_S2C, buf, n, mode,
		    seed, row, i);
		free(buf);
		break;
	case TS_TLS_BEGIN:
		track_tls_begin(t);
		break;
	case TS_TLS_DONE:
		track_tls_done(t);
		break;
	case TS_TLS_IMPLICIT:
		track_tls_implicit(t);
		break;
	case TS_FTP_DATA:
		track_ftp_data(t, s->len);
		break;
	default:
		break;
	}
	feed_invariants(t, row, i);
}

static void
check_step(const struct track *t, const struct tstep *s, const char *row,
    size_t i, enum feed_mode mode, uint32_t seed)
{
	uint64_t size = s->size;

	if (s->state == NULL)
		return;
	if (strcmp(track_state_name(t), s->state) != 0 ||
	    (int)track_reason(t) != s->reason || track_size(t) != size)
		fail_msg("%s step %zu (%s, seed %u): got (%s, %s, %llu) want "
		    "(%s, %s, %llu)%s%s", row, i, mode_name[mode], seed,
		    track_state_name(t), reason_name(track_reason(t)),
		    (unsigned long long)track_size(t), s->state,
		    reason_name((unsigned)s->reason), (unsigned long long)size,
		    track_error(t) ? ": " : "", track_error(t) ? track_error(t) : "");
	if (strcmp(s->state, "error") == 0 && track_error(t) == NULL)
		fail_msg("%s step %zu: error state without a reason", row, i);
}

static void
run_row(const char *proto, const struct trow *row, enum feed_mode mode,
    uint32_t seed)
{
	struct track_limits lim = { row->line_max, 0, row->threshold };
	struct track t;
	uint32_t s = seed;
	size_t i;

	assert_int_equal(track_init(&t, track_lookup(proto), &lim), 0);
	for (i = 0; i < TRACK_MAX_STEPS && row->steps[i].op != TS_END; i++) {
		run_step(&t, &row->steps[i], mode, &s, row->name, i);
		check_step(&t, &row->steps[i], row->name, i, mode, seed);
	}
}

void
track_feed_rows(const char *proto, const struct trow *rows, size_t n)
{
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		run_row(proto, &rows[i], MODE_WHOLE, 0);
		run_row(proto, &rows[i], MODE_BYTES, 0);
		for (k = 0; k < 8; k++)
			run_row(proto, &rows[i], MODE_RANDOM,
			    SEED + (uint32_t)(i * 131 + (size_t)k));
	}
}
