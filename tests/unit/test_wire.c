/*
 * test_wire.c - proto/wire.c: every message round-trips, every frame
 * survives any split through the reader, every sanitize rule rejects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "migwire.h"

static void
put32le(uint8_t *p, uint32_t v)
{
	p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}

static struct wire_state
sample_state(void)
{
	struct wire_state s = { .seq = 42, .mono_us = 123456789, .nonce = 7, .nproto = 2,
	    .flags = WIRE_STATE_DETAILED };

	s.proto[0].proto = WIRE_P_HTTP;
	s.proto[0].count[WIRE_R_NEW] = 1;
	s.proto[0].count[WIRE_R_PROCESSING] = 3;
	s.proto[0].count[WIRE_R_IDLE] = 10;
	s.proto[1].proto = WIRE_P_POP3;
	s.proto[1].count[WIRE_R_AUTH] = 2;
	s.proto[1].count[WIRE_R_WRITING_LARGE] = 1;
	wire_state_sum(&s);
	return s;
}

/* Encode, then split header from payload the way a receiver would. */
static const uint8_t *
payload_of(const uint8_t *frame, size_t flen, uint32_t type, uint32_t *len)
{
	assert_true(flen >= WIRE_HDR_SIZE);
	assert_int_equal(frame[0] | frame[1] << 8 | frame[2] << 16 | frame[3] << 24, type);
	*len = frame[4] | frame[5] << 8 | frame[6] << 16 | (uint32_t)frame[7] << 24;
	assert_int_equal(*len + WIRE_HDR_SIZE, flen);
	return frame + WIRE_HDR_SIZE;
}

static void
test_roundtrip_uplink(void **st)
{
	uint8_t			 buf[WIRE_MAX_FRAME];
	const char		*why = NULL;
	const uint8_t		*pl;
	uint32_t		 len;
	size_t			 n;
	(void)st;

	struct wire_hello h = { 1, 1, WIRE_CAP_ALL, 9, "migstate-agent 0.1", "web-1",
	    { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 } }, h2;
	n = wire_encode_hello(buf, sizeof(buf), &h);
	assert_int_equal(n, WIRE_HDR_SIZE + WIRE_HELLO_SIZE);
	pl = payload_of(buf, n, WIRE_T_HELLO, &len);
	assert_int_equal(wire_sanitize_hello(pl, len, &h2, &why), 0);
	assert_memory_equal(&h, &h2, sizeof(h));

	struct wire_state s = sample_state(), s2;
	assert_int_equal(s.total, 17);
	assert_int_equal(s.unsuitable, 6);
	n = wire_encode_state(buf, sizeof(buf), &s);
	assert_int_equal(n, WIRE_HDR_SIZE + WIRE_STATE_SIZE(2));
	memset(&s2, 0, sizeof(s2));
	pl = payload_of(buf, n, WIRE_T_STATE, &len);
	assert_int_equal(wire_sanitize_state(pl, len, &s2, &why), 0);
	assert_memory_equal(&s, &s2, sizeof(s));

	struct wire_bye b = { WIRE_BYE_QUIESCE, "migration" }, b2;
	n = wire_encode_bye(buf, sizeof(buf), &b);
	pl = payload_of(buf, n, WIRE_T_BYE, &len);
	assert_int_equal(wire_sanitize_bye(pl, len, &b2, &why), 0);
	assert_memory_equal(&b, &b2, sizeof(b));

	struct wire_query q = { 0x1122334455667788ull }, q2;
	n = wire_encode_query(buf, sizeof(buf), &q);
	pl = payload_of(buf, n, WIRE_T_QUERY, &len);
	assert_int_equal(wire_sanitize_query(pl, len, &q2, &why), 0);
	assert_true(q.nonce == q2.nonce);

	struct wire_migration m = { 1, 0 }, m2;
	n = wire_encode_migration(buf, sizeof(buf), &m);
	pl = payload_of(buf, n, WIRE_T_MIGRATION, &len);
	assert_int_equal(wire_sanitize_migration(pl, len, &m2, &why), 0);
	assert_memory_equal(&m, &m2, sizeof(m));
}

static void
test_roundtrip_query_socket(void **st)
{
	uint8_t			 buf[WIRE_MAX_FRAME];
	const char		*why = NULL;
	const uint8_t		*pl;
	uint32_t		 len;
	size_t			 n;
	(void)st;

	struct wire_domain_query dq = { 5, 7, 0xabcdefull, -1, 999999, WIRE_D_STOP,
	    WIRE_DQ_FRESH | WIRE_DQ_FIRST, 31337 }, dq2;
	n = wire_encode_domain_query(buf, sizeof(buf), &dq);
	pl = payload_of(buf, n, WIRE_T_DOMAIN_QUERY, &len);
	assert_int_equal(wire_sanitize_domain_query(pl, len, &dq2, &why), 0);
	assert_memory_equal(&dq, &dq2, sizeof(dq));

	struct wire_migration_end me = { 5, -3, 0xabcdefull, 2, 0 }, me2;
	n = wire_encode_migration_end(buf, sizeof(buf), &me);
	pl = payload_of(buf, n, WIRE_T_MIGRATION_END, &len);
	assert_int_equal(wire_sanitize_migration_end(pl, len, &me2, &why), 0);
	assert_memory_equal(&me, &me2, sizeof(me));

	struct wire_verdict v = { .migration_id = 9, .decision = WIRE_D_CONTINUE,
	    .vreason = WIRE_VR_DEFER, .total = 5, .unsuitable = 3, .tolerance = 1,
	    .deferrals = 6, .state_age_us = 812, .deferred_us = 1500000 }, v2;
	v.reasons[WIRE_R_READING] = 1; v.reasons[WIRE_R_PROCESSING] = 2; v.reasons[WIRE_R_IDLE] = 2;
	n = wire_encode_verdict(buf, sizeof(buf), &v);
	assert_int_equal(n, WIRE_HDR_SIZE + WIRE_VERDICT_SIZE);
	pl = payload_of(buf, n, WIRE_T_VERDICT, &len);
	assert_int_equal(wire_sanitize_verdict(pl, len, &v2, &why), 0);
	assert_memory_equal(&v, &v2, sizeof(v));

	struct wire_domain_info di = { .domid = 3, .flags = WIRE_DI_CONNECTED, .name = "guest",
	    .software = "migstate-agent 0.1", .state_age_us = 10, .state_seq = 11, .frames = 12,
	    .rejects = 1, .total = 4, .unsuitable = 1, .last_decision = UINT32_MAX,
	    .last_vreason = UINT32_MAX }, di2;
	di.reasons[WIRE_R_NEW] = 1; di.reasons[WIRE_R_IDLE] = 3; di.verdicts[WIRE_VR_DEFER] = 4;
	n = wire_encode_domain_info(buf, sizeof(buf), &di);
	assert_int_equal(n, WIRE_HDR_SIZE + WIRE_DOMAIN_INFO_SIZE);
	pl = payload_of(buf, n, WIRE_T_DOMAIN_INFO, &len);
	assert_int_equal(wire_sanitize_domain_info(pl, len, &di2, &why), 0);
	assert_memory_equal(&di, &di2, sizeof(di));

	struct wire_list_end le = { 17 }, le2;
	n = wire_encode_list_end(buf, sizeof(buf), &le);
	pl = payload_of(buf, n, WIRE_T_LIST_END, &len);
	assert_int_equal(wire_sanitize_list_end(pl, len, &le2, &why), 0);
	assert_int_equal(le2.count, 17);

	struct wire_bridge_status bs = { 1, 2, 3, 4, 5, 6, 1, WIRE_VERSION }, bs2;
	n = wire_encode_bridge_status(buf, sizeof(buf), &bs);
	pl = payload_of(buf, n, WIRE_T_BRIDGE_STATUS, &len);
	assert_int_equal(wire_sanitize_bridge_status(pl, len, &bs2, &why), 0);
	assert_memory_equal(&bs, &bs2, sizeof(bs));

	struct wire_error e = { 2, "no such domain" }, e2;
	n = wire_encode_error(buf, sizeof(buf), &e);
	pl = payload_of(buf, n, WIRE_T_ERROR, &len);
	assert_int_equal(wire_sanitize_error(pl, len, &e2, &why), 0);
	assert_memory_equal(&e, &e2, sizeof(e));

	n = wire_encode_empty(buf, sizeof(buf), WIRE_T_LIST);
	assert_int_equal(n, WIRE_HDR_SIZE);
	pl = payload_of(buf, n, WIRE_T_LIST, &len);
	assert_int_equal(wire_sanitize_empty(pl, len, &why), 0);
}

static void
test_encode_bounds(void **st)
{
	uint8_t			buf[WIRE_MAX_FRAME];
	struct wire_state	s = sample_state();
	struct wire_hello	h = { 1, 1, 0, 0, "", "", { 0 } };
	(void)st;

	assert_int_equal(wire_encode_hello(buf, WIRE_HDR_SIZE + WIRE_HELLO_SIZE - 1, &h), 0);
	s.nproto = WIRE_MAX_PROTO + 1;
	assert_int_equal(wire_encode_state(buf, sizeof(buf), &s), 0);
	/* An over-long name is truncated and stays NUL-terminated. */
	memset(h.name, 'x', sizeof(h.name));
	assert_int_equal(wire_encode_hello(buf, sizeof(buf), &h), WIRE_HDR_SIZE + WIRE_HELLO_SIZE);
	assert_int_equal(buf[WIRE_HDR_SIZE + 16 + WIRE_SOFTWARE_LEN + WIRE_NAME_LEN - 1], 0);
}

/* ---------------------------------------------------------------- reader */
struct stream {
	uint8_t		buf[8 * WIRE_MAX_FRAME];
	size_t		len;
	size_t		starts[64];
	int		nframes;
};

static void
stream_build(struct stream *s)
{
	struct wire_state	st = sample_state();
	struct wire_query	q = { 99 };
	struct wire_hello	h = { 1, 1, 0, 4, "sw", "name", { 0 } };
	int			i;

	s->len = 0;
	s->nframes = 0;
	for (i = 0; i < 20; i++) {
		s->starts[s->nframes++] = s->len;
		switch (i % 4) {
		case 0: s->len += wire_encode_state(s->buf + s->len, sizeof(s->buf) - s->len, &st); break;
		case 1: s->len += wire_encode_query(s->buf + s->len, sizeof(s->buf) - s->len, &q); break;
		case 2: s->len += wire_encode_empty(s->buf + s->len, sizeof(s->buf) - s->len, WIRE_T_STATUS); break;
		case 3: s->len += wire_encode_hello(s->buf + s->len, sizeof(s->buf) - s->len, &h); break;
		}
	}
	/* One maximal frame at the end. */
	s->starts[s->nframes++] = s->len;
	put32le(s->buf + s->len, WIRE_T_STATE);
	put32le(s->buf + s->len + 4, WIRE_MAX_PAYLOAD);
	memset(s->buf + s->len + 8, 0xa5, WIRE_MAX_PAYLOAD);
	s->len += WIRE_MAX_FRAME;
}

/* Feed the stream in chunks from split(); check every frame in order. */
static void
feed_stream(const struct stream *s, size_t (*split)(size_t left))
{
	static struct wire_reader	r;
	size_t				off = 0, used, chunk;
	int				got = 0;

	wire_reader_init(&r);
	while (off < s->len) {
		chunk = split(s->len - off);
		while (chunk > 0) {
			enum wire_rstatus rs = wire_reader_feed(&r, s->buf + off, chunk, &used);
			assert_int_not_equal(rs, WIRE_RD_ERROR);
			off += used;
			chunk -= used;
			if (rs == WIRE_RD_FRAME) {
				size_t start = s->starts[got];
				assert_true(got < s->nframes);
				assert_int_equal(r.len + WIRE_HDR_SIZE,
				    (got + 1 < s->nframes ? s->starts[got + 1] : s->len) - start);
				assert_memory_equal(r.payload, s->buf + start + WIRE_HDR_SIZE, r.len);
				got++;
			}
		}
	}
	assert_int_equal(got, s->nframes);
}

static size_t split_whole(size_t left) { return left; }
static size_t split_bytes(size_t left) { (void)left; return 1; }
static size_t split_random(size_t left)
{
	size_t n = (size_t)(rand() % 300) + 1;
	return n < left ? n : left;
}

static void
test_reader_splits(void **st)
{
	static struct stream	s;
	int			i;
	(void)st;

	stream_build(&s);
	feed_stream(&s, split_whole);
	feed_stream(&s, split_bytes);
	srand(1234);
	for (i = 0; i < 20; i++)
		feed_stream(&s, split_random);
}

static void
test_reader_oversize(void **st)
{
	static struct wire_reader	r;
	uint8_t				hdr[8];
	size_t				used;
	(void)st;

	wire_reader_init(&r);
	put32le(hdr, WIRE_T_STATE);
	put32le(hdr + 4, WIRE_MAX_PAYLOAD + 1);
	assert_int_equal(wire_reader_feed(&r, hdr, 8, &used), WIRE_RD_ERROR);
	assert_non_null(r.why);
	/* Sticky: further bytes change nothing. */
	assert_int_equal(wire_reader_feed(&r, hdr, 8, &used), WIRE_RD_ERROR);
	assert_int_equal(used, 0);
	/* A length of 4 GiB does not wrap either. */
	wire_reader_init(&r);
	put32le(hdr + 4, 0xffffffffu);
	assert_int_equal(wire_reader_feed(&r, hdr, 8, &used), WIRE_RD_ERROR);
}

/* ---------------------------------------------------------------- sanitize */
static void
expect_state_reject(struct wire_state *s, int fix_sums, const char *needle)
{
	uint8_t		 buf[WIRE_MAX_FRAME];
	struct wire_state out;
	const char	*why = NULL;
	const uint8_t	*pl;
	uint32_t	 len;
	size_t		 n;

	if (fix_sums)
		wire_state_sum(s);
	n = wire_encode_state(buf, sizeof(buf), s);
	assert_true(n > 0);
	pl = payload_of(buf, n, WIRE_T_STATE, &len);
	assert_int_equal(wire_sanitize_state(pl, len, &out, &why), -1);
	assert_non_null(why);
	assert_non_null(strstr(why, needle));
}

static void
test_sanitize_state(void **st)
{
	struct wire_state	s;
	uint8_t			buf[WIRE_MAX_FRAME];
	struct wire_state	out;
	const char		*why;
	(void)st;

	s = sample_state(); s.unsuitable = s.total + 1;
	expect_state_reject(&s, 0, "unsuitable > total");
	s = sample_state(); s.total += 1;
	expect_state_reject(&s, 0, "total is not the sum");
	s = sample_state(); s.unsuitable -= 1;
	expect_state_reject(&s, 0, "unsuitable is not the sum");
	s = sample_state(); s.proto[0].count[WIRE_R_IDLE] = WIRE_MAX_CONNS + 1;
	expect_state_reject(&s, 1, "count out of range");
	/* Counts each in range whose sum overflows the bound (and u32). */
	s = sample_state();
	for (int i = 0; i < WIRE_REASON_MAX; i++)
		s.proto[0].count[i] = s.proto[1].count[i] = WIRE_MAX_CONNS;
	expect_state_reject(&s, 1, "total out of range");
	s = sample_state(); s.proto[1].proto = WIRE_P_HTTP;
	expect_state_reject(&s, 1, "twice");
	s = sample_state(); s.proto[1].proto = WIRE_PROTO_MAX;
	expect_state_reject(&s, 1, "unknown protocol");
	s = sample_state(); s.proto[1].proto = 0;
	expect_state_reject(&s, 1, "unknown protocol");
	s = sample_state(); s.flags = 0x80;
	expect_state_reject(&s, 1, "unknown flags");

	/* Length and record count disagree. */
	s = sample_state();
	size_t n = wire_encode_state(buf, sizeof(buf), &s);
	assert_int_equal(wire_sanitize_state(buf + 8, n - 8 - 1, &out, &why), -1);
	assert_int_equal(wire_sanitize_state(buf + 8, n - 8 + 36, &out, &why), -1);
	assert_int_equal(wire_sanitize_state(buf + 8, 10, &out, &why), -1);
	/* nproto claims more records than allowed. */
	put32le(buf + 8 + 36, WIRE_MAX_PROTO + 1);
	assert_int_equal(wire_sanitize_state(buf + 8, WIRE_STATE_SIZE(WIRE_MAX_PROTO + 1), &out, &why), -1);
	assert_non_null(strstr(why, "too many"));
	/* nproto near 2^32: the size computation must not wrap. */
	put32le(buf + 8 + 36, 0xffffffffu);
	assert_int_equal(wire_sanitize_state(buf + 8, n - 8, &out, &why), -1);
}

static void
test_sanitize_hello(void **st)
{
	uint8_t			buf[512];
	struct wire_hello	h = { 1, 1, 0xffffffffu, 3, "sw", "guest", { 0 } }, out;
	const char		*why;
	size_t			n;
	(void)st;

	n = wire_encode_hello(buf, sizeof(buf), &h);
	assert_int_equal(wire_sanitize_hello(buf + 8, n - 8, &out, &why), 0);
	assert_int_equal(out.caps, WIRE_CAP_ALL);	/* unknown bits dropped */
	assert_int_equal(wire_sanitize_hello(buf + 8, n - 9, &out, &why), -1);
	/* Wrong version: min > max, and zero. */
	put32le(buf + 8, 3); put32le(buf + 12, 2);
	assert_int_equal(wire_sanitize_hello(buf + 8, n - 8, &out, &why), -1);
	assert_non_null(strstr(why, "version"));
	put32le(buf + 8, 0); put32le(buf + 12, 0);
	assert_int_equal(wire_sanitize_hello(buf + 8, n - 8, &out, &why), -1);
	/* Unterminated and unprintable names. */
	n = wire_encode_hello(buf, sizeof(buf), &h);
	memset(buf + 8 + 16 + WIRE_SOFTWARE_LEN, 'A', WIRE_NAME_LEN);
	assert_int_equal(wire_sanitize_hello(buf + 8, n - 8, &out, &why), -1);
	n = wire_encode_hello(buf, sizeof(buf), &h);
	buf[8 + 16 + WIRE_SOFTWARE_LEN] = '\n';
	assert_int_equal(wire_sanitize_hello(buf + 8, n - 8, &out, &why), -1);
}

static void
test_negotiate(void **st)
{
	struct wire_hello h = { 0 };
	(void)st;

	h.version_min = 1; h.version_max = 1;
	assert_int_equal(wire_negotiate(&h), 1);
	h.version_min = 1; h.version_max = 9;
	assert_int_equal(wire_negotiate(&h), WIRE_VERSION);
	h.version_min = WIRE_VERSION + 1; h.version_max = WIRE_VERSION + 3;
	assert_int_equal(wire_negotiate(&h), 0);
}

static void
test_sanitize_others(void **st)
{
	uint8_t				buf[512];
	struct wire_query		q = { 0 }, q2;
	struct wire_migration		m = { 2, 0 }, m2;
	struct wire_domain_query	dq = { 1, 1, 5, -2, 0, 0, 0, 0 }, dq2;
	struct wire_verdict		v = { .migration_id = 1, .decision = 2 }, v2;
	struct wire_bye			b = { WIRE_BYE_REASON_MAX, "x" }, b2;
	const char			*why;
	size_t				n;
	(void)st;

	n = wire_encode_query(buf, sizeof(buf), &q);
	assert_int_equal(wire_sanitize_query(buf + 8, n - 8, &q2, &why), -1);	/* zero nonce */
	n = wire_encode_migration(buf, sizeof(buf), &m);
	assert_int_equal(wire_sanitize_migration(buf + 8, n - 8, &m2, &why), -1);
	n = wire_encode_domain_query(buf, sizeof(buf), &dq);
	assert_int_equal(wire_sanitize_domain_query(buf + 8, n - 8, &dq2, &why), -1); /* dirty < -1 */
	dq.dirty_count = 0; dq.migration_id = 0;
	n = wire_encode_domain_query(buf, sizeof(buf), &dq);
	assert_int_equal(wire_sanitize_domain_query(buf + 8, n - 8, &dq2, &why), -1);
	dq.migration_id = 5; dq.flags = 0x100;
	n = wire_encode_domain_query(buf, sizeof(buf), &dq);
	assert_int_equal(wire_sanitize_domain_query(buf + 8, n - 8, &dq2, &why), -1);
	n = wire_encode_verdict(buf, sizeof(buf), &v);
	assert_int_equal(wire_sanitize_verdict(buf + 8, n - 8, &v2, &why), -1);
	v.decision = 1; v.total = 1; v.unsuitable = 0;	/* counts do not add up */
	n = wire_encode_verdict(buf, sizeof(buf), &v);
	assert_int_equal(wire_sanitize_verdict(buf + 8, n - 8, &v2, &why), -1);
	n = wire_encode_bye(buf, sizeof(buf), &b);
	assert_int_equal(wire_sanitize_bye(buf + 8, n - 8, &b2, &why), -1);
	assert_int_equal(wire_sanitize_empty(buf, 1, &why), -1);
}

static void
test_type_ranges(void **st)
{
	(void)st;
	assert_true(wire_type_allowed(WIRE_ROLE_BRIDGE, WIRE_T_STATE));
	assert_false(wire_type_allowed(WIRE_ROLE_BRIDGE, WIRE_T_QUERY));
	assert_false(wire_type_allowed(WIRE_ROLE_BRIDGE, WIRE_T_DOMAIN_QUERY));
	assert_true(wire_type_allowed(WIRE_ROLE_AGENT, WIRE_T_QUERY));
	assert_false(wire_type_allowed(WIRE_ROLE_AGENT, WIRE_T_STATE));
	assert_true(wire_type_allowed(WIRE_ROLE_QSERVER, WIRE_T_LIST));
	assert_false(wire_type_allowed(WIRE_ROLE_QSERVER, WIRE_T_VERDICT));
	assert_false(wire_type_allowed(WIRE_ROLE_QSERVER, WIRE_T_HELLO));
	assert_true(wire_type_allowed(WIRE_ROLE_QCLIENT, WIRE_T_ERROR));
	assert_false(wire_type_allowed(WIRE_ROLE_QCLIENT, 0x7777));
	assert_string_equal(wire_type_name(0x7777), "?");
	assert_string_equal(wire_reason_name(WIRE_R_WRITING_LARGE), "writing_large");
	assert_int_equal(wire_proto_from_name("pop3"), WIRE_P_POP3);
	assert_int_equal(wire_proto_from_name("gopher"), 0);
	assert_string_equal(wire_vreason_name(WIRE_VR_MAX), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_uplink),
		cmocka_unit_test(test_roundtrip_query_socket),
		cmocka_unit_test(test_encode_bounds),
		cmocka_unit_test(test_reader_splits),
		cmocka_unit_test(test_reader_oversize),
		cmocka_unit_test(test_sanitize_state),
		cmocka_unit_test(test_sanitize_hello),
		cmocka_unit_test(test_negotiate),
		cmocka_unit_test(test_sanitize_others),
		cmocka_unit_test(test_type_ranges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
