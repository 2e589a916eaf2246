/*
 * wire.c - encoders, sanitizers and the incremental frame reader for the
 * messages of migwire.h.  PROTOCOL.md is the normative text.
 *
 * Fields are read and written one by one in little-endian order, never by
 * overlaying a struct on received bytes.  No logging, no exit, no
 * allocation.
 */
#include <string.h>
#include <time.h>

#include "migwire.h"

/* ------------------------------------------------------------ byte order */
static inline void
put32(uint8_t **p, uint32_t v)
{
	(*p)[0] = v; (*p)[1] = v >> 8; (*p)[2] = v >> 16; (*p)[3] = v >> 24;
	*p += 4;
}

static inline void
put64(uint8_t **p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p, (uint32_t)(v >> 32));
}

static inline void
putstr(uint8_t **p, const char *s, size_t field)
{
	size_t	l = strnlen(s, field - 1);

	memcpy(*p, s, l);
	memset(*p + l, 0, field - l);
	*p += field;
}

static inline uint32_t
get32(const uint8_t **p)
{
	uint32_t v = (uint32_t)(*p)[0] | (uint32_t)(*p)[1] << 8 |
	    (uint32_t)(*p)[2] << 16 | (uint32_t)(*p)[3] << 24;
	*p += 4;
	return v;
}

static inline uint64_t
get64(const uint8_t **p)
{
	uint64_t lo = get32(p);
	return lo | (uint64_t)get32(p) << 32;
}

/* Copy a fixed string field; it must hold a NUL (not necessarily last). */
static inline int
getstr(const uint8_t **p, char *out, size_t field)
{
	const uint8_t *nul = memchr(*p, 0, field);

	if (nul == NULL)
		return -1;
	memcpy(out, *p, field);
	*p += field;
	return 0;
}

/* Start a frame: header for type with payload size len, if it fits. */
static uint8_t *
frame_start(uint8_t *buf, size_t cap, uint32_t type, size_t len)
{
	uint8_t	*p = buf;

	if (len > WIRE_MAX_PAYLOAD || cap < WIRE_HDR_SIZE + len)
		return NULL;
	put32(&p, type);
	put32(&p, (uint32_t)len);
	return p;
}

_Static_assert(WIRE_HELLO_SIZE == 16 + WIRE_SOFTWARE_LEN + WIRE_NAME_LEN + 16, "hello");
_Static_assert(WIRE_BYE_SIZE == 4 + WIRE_TEXT_LEN, "bye");
_Static_assert(WIRE_PROTO_COUNTS_SIZE == 4 + 4 * WIRE_REASON_MAX, "proto counts");
_Static_assert(WIRE_STATE_SIZE(WIRE_MAX_PROTO) <= WIRE_MAX_PAYLOAD, "state fits");
_Static_assert(WIRE_VERDICT_SIZE == 48 + 4 * WIRE_REASON_MAX, "verdict");
_Static_assert(WIRE_DOMAIN_INFO_SIZE == 8 + WIRE_NAME_LEN + WIRE_SOFTWARE_LEN + 32 + 8 +
    4 * WIRE_REASON_MAX + 8 + 4 * WIRE_VR_MAX + 4 * 9, "domain info");
_Static_assert(WIRE_ERROR_SIZE == 4 + WIRE_TEXT_LEN, "error");

/* ------------------------------------------------------------ names */
const char *
wire_type_name(uint32_t type)
{
	switch (type) {
	case WIRE_T_HELLO:		return "HELLO";
	case WIRE_T_BYE:		return "BYE";
	case WIRE_T_STATE:		return "STATE";
	case WIRE_T_QUERY:		return "QUERY";
	case WIRE_T_MIGRATION:		return "MIGRATION";
	case WIRE_T_DOMAIN_QUERY:	return "DOMAIN-QUERY";
	case WIRE_T_MIGRATION_END:	return "MIGRATION-END";
	case WIRE_T_LIST:		return "LIST";
	case WIRE_T_STATUS:		return "STATUS";
	case WIRE_T_VERDICT:		return "VERDICT";
	case WIRE_T_DOMAIN_INFO:	return "DOMAIN-INFO";
	case WIRE_T_LIST_END:		return "LIST-END";
	case WIRE_T_BRIDGE_STATUS:	return "BRIDGE-STATUS";
	case WIRE_T_ERROR:		return "ERROR";
	case WIRE_T_MIGRATE:		return "MIGRATE";
	case WIRE_T_MIGRATE_STATUS:	return "MIGRATE-STATUS";
	case WIRE_T_MIGRATE_INFO:	return "MIGRATE-INFO";
	}
	return "?";
}

static const char *const reason_names[WIRE_REASON_MAX] = {
	"new", "reading", "processing", "writing_small", "handshake", "auth",
	"idle", "writing_large"
};
static const char *const proto_names[WIRE_PROTO_MAX] = {
	NULL, "http", "pop3", "imap", "smtp", "ftp", "tcp"
};
static const char *const vreason_names[WIRE_VR_MAX] = {
	"stock_continue", "suitable", "defer", "deadline", "iteration_cap",
	"no_agent", "stale", "error", "disabled"
};
static const char *const bye_names[WIRE_BYE_REASON_MAX] = {
	"normal", "version", "protocol", "quiesce"
};

uint64_t
wire_mono_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

const char *
wire_reason_name(unsigned r)
{
	return r < WIRE_REASON_MAX ? reason_names[r] : "?";
}

const char *
wire_proto_name(unsigned p)
{
	return p > 0 && p < WIRE_PROTO_MAX ? proto_names[p] : "?";
}

const char *
wire_vreason_name(unsigned v)
{
	return v < WIRE_VR_MAX ? vreason_names[v] : "?";
}

const char *
wire_bye_name(unsigned r)
{
	return r < WIRE_BYE_REASON_MAX ? bye_names[r] : "?";
}

unsigned
wire_proto_from_name(const char *name)
{
	unsigned p;

	for (p = 1; p < WIRE_PROTO_MAX; p++)
		if (strcmp(name, proto_names[p]) == 0)
			return p;
	return 0;
}

int
wire_type_allowed(enum wire_role role, uint32_t type)
{
	switch (role) {
	case WIRE_ROLE_BRIDGE:
		return type == WIRE_T_HELLO || type == WIRE_T_BYE || type == WIRE_T_STATE;
	case WIRE_ROLE_AGENT:
		return type == WIRE_T_HELLO || type == WIRE_T_BYE ||
		    type == WIRE_T_QUERY || type == WIRE_T_MIGRATION;
	case WIRE_ROLE_QSERVER:
		return type >= WIRE_T_DOMAIN_QUERY && type <= WIRE_T_MIGRATE_STATUS;
	case WIRE_ROLE_QCLIENT:
		return type >= WIRE_T_VERDICT && type <= WIRE_T_MIGRATE_INFO;
	}
	return 0;
}

/* ------------------------------------------------------------ encoders */
size_t
wire_encode_empty(uint8_t *buf, size_t cap, uint32_t type)
{
	return frame_start(buf, cap, type, 0) ? WIRE_HDR_SIZE : 0;
}

size_t
wire_encode_hello(uint8_t *buf, size_t cap, const struct wire_hello *m)
{
	uint8_t	*p = frame_start(buf, cap, WIRE_T_HELLO, WIRE_HELLO_SIZE);

	if (p == NULL)
		return 0;
	put32(&p, m->version_min);
	put32(&p, m->version_max);
	put32(&p, m->caps);
	put32(&p, m->domid);
	putstr(&p, m->software, WIRE_SOFTWARE_LEN);
	putstr(&p, m->name, WIRE_NAME_LEN);
	memcpy(p, m->boot_id, 16);
	return WIRE_HDR_SIZE + WIRE_HELLO_SIZE;
}

/* BYE and ERROR share a shape: a u32 then a text field. */
static size_t
encode_coded_text(uint8_t *buf, size_t cap, uint32_t type, uint32_t code, const char *text)
{
	uint8_t	*p = frame_start(buf, cap, type, 4 + WIRE_TEXT_LEN);

	if (p == NULL)
		return 0;
	put32(&p, code);
	putstr(&p, text, WIRE_TEXT_LEN);
	return WIRE_HDR_SIZE + 4 + WIRE_TEXT_LEN;
}

size_t
wire_encode_bye(uint8_t *buf, size_t cap, const struct wire_bye *m)
{
	return encode_coded_text(buf, cap, WIRE_T_BYE, m->reason, m->text);
}

size_t
wire_encode_error(uint8_t *buf, size_t cap, const struct wire_error *m)
{
	return encode_coded_text(buf, cap, WIRE_T_ERROR, m->code, m->text);
}

size_t
wire_encode_state(uint8_t *buf, size_t cap, const struct wire_state *m)
{
	uint8_t		*p;
	uint32_t	 i, j;

	if (m->nproto > WIRE_MAX_PROTO)
		return 0;
	if ((p = frame_start(buf, cap, WIRE_T_STATE, WIRE_STATE_SIZE(m->nproto))) == NULL)
		return 0;
	put64(&p, m->seq);
	put64(&p, m->mono_us);
	put64(&p, m->nonce);
	put32(&p, m->total);
	put32(&p, m->unsuitable);
	put32(&p, m->flags);
	put32(&p, m->nproto);
	for (i = 0; i < m->nproto; i++) {
		put32(&p, m->proto[i].proto);
		for (j = 0; j < WIRE_REASON_MAX; j++)
			put32(&p, m->proto[i].count[j]);
	}
	return WIRE_HDR_SIZE + WIRE_STATE_SIZE(m->nproto);
}

size_t
wire_encode_query(uint8_t *buf, size_t cap, const struct wire_query *m)
{
	uint8_t	*p = frame_start(buf, cap, WIRE_T_QUERY, WIRE_QUERY_SIZE);

	if (p == NULL)
		return 0;
	put64(&p, m->nonce);
	return WIRE_HDR_SIZE + WIRE_QUERY_SIZE;
}

size_t
wire_encode_migration(uint8_t *buf, size_t cap, const struct wire_migration *m)
{
	uint8_t	*p = frame_start(buf, cap, WIRE_T_MIGRATION, WIRE_MIGRATION_SIZE);

	if (p == NULL)
		return 0;
	put32(&p, m->active);
	put32(&p, m->reserved);
	return WIRE_HDR_SIZE + WIRE_MIGRATION_SIZE;
}

size_t
wire_encode_domain_query(uint8_t *buf, size_t cap, const struct wire_domain_query *m)
{
	uint8_t	*p = frame_start(buf, cap, WIRE_T_DOMAIN_QUERY, WIRE_DOMAIN_QUERY_SIZE);

	if (p == NULL)
		return 0;
	put32(&p, m->domid);
	put32(&p, m->iteration);
	put64(&p, m->migration_id);
	put64(&p, (uint64_t)m->dirty_count);
	put64(&p, m->total_written);
	put32(&p, m->stock);
	put32(&p, m->flags);
	put64(&p, m->mono_us);
	return WIRE_HDR_SIZE + WIRE_DOMAIN_QUERY_SIZE;
}

size_t
wire_encode_migration_end(uint8_t *buf, size_t cap, const struct wire_migration_end *m)
{
	uint8_t	*p = frame_start(buf, cap, WIRE_T_MIGRATION_END, WIRE_MIGRATION_END_SIZE);

	if (p == NULL)
		return 0;
	put32(&p, m->domid);
	put32(&p, (uint32_t)m->result);
	put64(&p, m->migration_id);
	put32(&p, m->stopped_unsuitable);
	put32(&p, m->reserved);
	return WIRE_HDR_SIZE + WIRE_MIGRATION_END_SIZE;
}

static void
put_reasons(uint8_t **p, const uint32_t *r, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		put32(p, r[i]);
}

size_t
wire_encode_verdict(uint8_t *buf, size_t cap, const struct wire_verdict *m)
{
	uint8_t	*p = frame_start(buf, cap, WIRE_T_VERDICT, WIRE_VERDICT_SIZE);

	if (p == NULL)
		return 0;
	put64(&p, m->migration_id);
	put32(&p, m->decision);
	put32(&p, m->vreason);
	put32(&p, m->total);
	put32(&p, m->unsuitable);
	put32(&p, m->tolerance);
	put32(&p, m->deferrals);
	put64(&p, m->state_age_us);
	put64(&p, m->deferred_us);
	put_reasons(&p, m->reasons, WIRE_REASON_MAX);
	return WIRE_HDR_SIZE + WIRE_VERDICT_SIZE;
}

size_t
wire_encode_domain_info(uint8_t *buf, size_t cap, const struct wire_domain_info *m)
{
	uint8_t	*p = frame_start(buf, cap, WIRE_T_DOMAIN_INFO, WIRE_DOMAIN_INFO_SIZE);

	if (p == NULL)
		return 0;
	put32(&p, m->domid);
	put32(&p, m->flags);
	putstr(&p, m->name, WIRE_NAME_LEN);
	putstr(&p, m->software, WIRE_SOFTWARE_LEN);
	put64(&p, m->state_age_us);
	put64(&p, m->state_seq);
	put64(&p, m->frames);
	put64(&p, m->rejects);
	put32(&p, m->total);
	put32(&p, m->unsuitable);
	put_reasons(&p, m->reasons, WIRE_REASON_MAX);
	put32(&p, m->last_decision);
	put32(&p, m->last_vreason);
	put_reasons(&p, m->verdicts, WIRE_VR_MAX);
	memset(p, 0, sizeof(m->reserved));
	return WIRE_HDR_SIZE + WIRE_DOMAIN_INFO_SIZE;
}

size_t
wire_encode_list_end(uint8_t *buf, size_t cap, const struct wire_list_end *m)
{
	uint8_t	*p = frame_start(buf, cap, WIRE_T_LIST_END, WIRE_LIST_END_SIZE);

	if (p == NULL)
		return 0;
	put32(&p, m->count);
	return WIRE_HDR_SIZE + WIRE_LIST_END_SIZE;
}

size_t
wire_encode_bridge_status(uint8_t *buf, size_t cap, const struct wire_bridge_status *m)
{
	uint8_t	*p = frame_start(buf, cap, WIRE_T_BRIDGE_STATUS, WIRE_BRIDGE_STATUS_SIZE);

	if (p == NULL)
		return 0;
	put64(&p, m->uptime_us);
	put64(&p, m->queries);
	put64(&p, m->failopen);
	put64(&p, m->rejects);
	put32(&p, m->domains);
	put32(&p, m->connected);
	put32(&p, m->mode);
	put32(&p, m->version);
	return WIRE_HDR_SIZE + WIRE_BRIDGE_STATUS_SIZE;
}

/* ------------------------------------------------------------ sanitizers */
#define REJECT(msg)	do { *why = (msg); return -1; } while (0)

/* A text field from a peer goes into logs: printable ASCII up to its NUL. */
static int
text_ok(const char *s, size_t field)
{
	size_t	i;

	for (i = 0; i < field && s[i] != '\0'; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return 0;
	return i < field;
}

/* Zero what follows the NUL so decoded strings compare cleanly. */
static void
text_clean(char *s, size_t field)
{
	size_t	l = strnlen(s, field);

	memset(s + l, 0, field - l);
}

int
wire_sanitize_empty(const void *untrusted, size_t len, const char **why)
{
	(void)untrusted;
	if (len != 0)
		REJECT("payload where none is expected");
	return 0;
}

int
wire_sanitize_hello(const void *untrusted, size_t len, struct wire_hello *out,
    const char **why)
{
	const uint8_t	*p = untrusted;

	if (len != WIRE_HELLO_SIZE)
		REJECT("HELLO: wrong length");
	out->version_min = get32(&p);
	out->version_max = get32(&p);
	out->caps = get32(&p) & WIRE_CAP_ALL;	/* unknown capabilities: not ours */
	out->domid = get32(&p);
	if (getstr(&p, out->software, WIRE_SOFTWARE_LEN) == -1 ||
	    getstr(&p, out->name, WIRE_NAME_LEN) == -1)
		REJECT("HELLO: unterminated string");
	memcpy(out->boot_id, p, 16);
	/* sanitize */
	if (out->version_min == 0 || out->version_min > out->version_max)
		REJECT("HELLO: bad version range");
	if (!text_ok(out->software, WIRE_SOFTWARE_LEN) || !text_ok(out->name, WIRE_NAME_LEN))
		REJECT("HELLO: unprintable string");
	text_clean(out->software, WIRE_SOFTWARE_LEN);
	text_clean(out->name, WIRE_NAME_LEN);
	return 0;
}

/* BYE and ERROR: a code below max, then printable text. */
static int
sanitize_coded_text(const void *untrusted, size_t len, uint32_t *code, char *text,
    uint32_t max, const char **why)
{
	const uint8_t	*p = untrusted;

	if (len != 4 + WIRE_TEXT_LEN)
		REJECT("wrong length");
	*code = get32(&p);
	if (getstr(&p, text, WIRE_TEXT_LEN) == -1 || !text_ok(text, WIRE_TEXT_LEN))
		REJECT("bad text");
	if (*code >= max)
		REJECT("code out of range");
	text_clean(text, WIRE_TEXT_LEN);
	return 0;
}

int
wire_sanitize_bye(const void *untrusted, size_t len, struct wire_bye *out, const char **why)
{
	if (sanitize_coded_text(untrusted, len, &out->reason, out->text,
	    WIRE_BYE_REASON_MAX, why) == -1)
		REJECT("BYE: malformed");
	return 0;
}

int
wire_sanitize_error(const void *untrusted, size_t len, struct wire_error *out,
    const char **why)
{
	if (sanitize_coded_text(untrusted, len, &out->code, out->text, 4096, why) == -1)
		REJECT("ERROR: malformed");
	return 0;
}

/* The STATE's records: known, unique protocols, bounded counts and sums. */
static int
state_check_counts(const struct wire_state *s, const char **why)
{
	uint64_t	total = 0, unsuitable = 0;
	uint32_t	seen = 0, i, j;

	for (i = 0; i < s->nproto; i++) {
		uint32_t proto = s->proto[i].proto;

		if (proto == 0 || proto >= WIRE_PROTO_MAX)
			REJECT("STATE: unknown protocol");
		if (seen & (1u << proto))
			REJECT("STATE: protocol listed twice");
		seen |= 1u << proto;
		for (j = 0; j < WIRE_REASON_MAX; j++) {
			uint32_t c = s->proto[i].count[j];

			if (c > WIRE_MAX_CONNS)
				REJECT("STATE: count out of range");
			total += c;
			if (!wire_reason_suitable(j))
				unsuitable += c;
		}
	}
	if (total > WIRE_MAX_CONNS)
		REJECT("STATE: total out of range");
	if (s->unsuitable > s->total)
		REJECT("STATE: unsuitable > total");
	if (total != s->total)
		REJECT("STATE: total is not the sum of its counts");
	if (unsuitable != s->unsuitable)
		REJECT("STATE: unsuitable is not the sum of its unsuitable counts");
	return 0;
}

int
wire_sanitize_state(const void *untrusted, size_t len, struct wire_state *out,
    const char **why)
{
	const uint8_t	*p = untrusted;
	uint32_t	 i, j;

	if (len < WIRE_STATE_FIXED_SIZE)
		REJECT("STATE: shorter than its fixed part");
	out->seq = get64(&p);
	out->mono_us = get64(&p);
	out->nonce = get64(&p);
	out->total = get32(&p);
	out->unsuitable = get32(&p);
	out->flags = get32(&p);
	out->nproto = get32(&p);
	if (out->nproto > WIRE_MAX_PROTO)
		REJECT("STATE: too many protocol records");
	if (len != WIRE_STATE_SIZE(out->nproto))
		REJECT("STATE: length does not match its record count");
	if (out->flags & ~(uint32_t)WIRE_STATE_DETAILED)
		REJECT("STATE: unknown flags");
	for (i = 0; i < out->nproto; i++) {
		out->proto[i].proto = get32(&p);
		for (j = 0; j < WIRE_REASON_MAX; j++)
			out->proto[i].count[j] = get32(&p);
	}
	return state_check_counts(out, why);
}

int
wire_sanitize_query(const void *untrusted, size_t len, struct wire_query *out,
    const char **why)
{
	const uint8_t	*p = untrusted;

	if (len != WIRE_QUERY_SIZE)
		REJECT("QUERY: wrong length");
	out->nonce = get64(&p);
	if (out->nonce == 0)
		REJECT("QUERY: zero nonce");
	return 0;
}

int
wire_sanitize_migration(const void *untrusted, size_t len, struct wire_migration *out,
    const char **why)
{
	const uint8_t	*p = untrusted;

	if (len != WIRE_MIGRATION_SIZE)
		REJECT("MIGRATION: wrong length");
	out->active = get32(&p);
	out->reserved = get32(&p);
	if (out->active > 1 || out->reserved != 0)
		REJECT("MIGRATION: bad field");
	return 0;
}

int
wire_sanitize_domain_query(const void *untrusted, size_t len,
    struct wire_domain_query *out, const char **why)
{
	const uint8_t	*p = untrusted;

	if (len != WIRE_DOMAIN_QUERY_SIZE)
		REJECT("DOMAIN-QUERY: wrong length");
	out->domid = get32(&p);
	out->iteration = get32(&p);
	out->migration_id = get64(&p);
	out->dirty_count = (int64_t)get64(&p);
	out->total_written = get64(&p);
	out->stock = get32(&p);
	out->flags = get32(&p);
	out->mono_us = get64(&p);
	if (out->migration_id == 0)
		REJECT("DOMAIN-QUERY: zero migration id");
	if (out->dirty_count < -1)
		REJECT("DOMAIN-QUERY: negative dirty count");
	if (out->stock > WIRE_D_STOP)
		REJECT("DOMAIN-QUERY: bad stock decision");
	if (out->flags & ~(uint32_t)(WIRE_DQ_FIRST | WIRE_DQ_FRESH))
		REJECT("DOMAIN-QUERY: unknown flags");
	return 0;
}

int
wire_sanitize_migration_end(const void *untrusted, size_t len,
    struct wire_migration_end *out, const char **why)
{
	const uint8_t	*p = untrusted;

	if (len != WIRE_MIGRATION_END_SIZE)
		REJECT("MIGRATION-END: wrong length");
	out->domid = get32(&p);
	out->result = (int32_t)get32(&p);
	out->migration_id = get64(&p);
	out->stopped_unsuitable = get32(&p);
	out->reserved = get32(&p);
	if (out->migration_id == 0 || out->reserved != 0)
		REJECT("MIGRATION-END: bad field");
	return 0;
}

static void
get_reasons(const uint8_t **p, uint32_t *r, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		r[i] = get32(p);
}

/* Counts by reason must add up to total and unsuitable. */
static int
reasons_consistent(const uint32_t *r, uint32_t total, uint32_t unsuitable)
{
	uint64_t	t = 0, u = 0;
	unsigned	i;

	for (i = 0; i < WIRE_REASON_MAX; i++) {
		t += r[i];
		if (!wire_reason_suitable(i))
			u += r[i];
	}
	return t == total && u == unsuitable && t <= WIRE_MAX_CONNS;
}

int
wire_sanitize_verdict(const void *untrusted, size_t len, struct wire_verdict *out,
    const char **why)
{
	const uint8_t	*p = untrusted;

	if (len != WIRE_VERDICT_SIZE)
		REJECT("VERDICT: wrong length");
	out->migration_id = get64(&p);
	out->decision = get32(&p);
	out->vreason = get32(&p);
	out->total = get32(&p);
	out->unsuitable = get32(&p);
	out->tolerance = get32(&p);
	out->deferrals = get32(&p);
	out->state_age_us = get64(&p);
	out->deferred_us = get64(&p);
	get_reasons(&p, out->reasons, WIRE_REASON_MAX);
	if (out->decision > WIRE_D_STOP || out->vreason >= WIRE_VR_MAX)
		REJECT("VERDICT: decision or reason out of range");
	if (!reasons_consistent(out->reasons, out->total, out->unsuitable))
		REJECT("VERDICT: counts do not add up");
	return 0;
}

int
wire_sanitize_domain_info(const void *untrusted, size_t len, struct wire_domain_info *out,
    const char **why)
{
	const uint8_t	*p = untrusted;

	if (len != WIRE_DOMAIN_INFO_SIZE)
		REJECT("DOMAIN-INFO: wrong length");
	out->domid = get32(&p);
	out->flags = get32(&p);
	if (getstr(&p, out->name, WIRE_NAME_LEN) == -1 ||
	    getstr(&p, out->software, WIRE_SOFTWARE_LEN) == -1 ||
	    !text_ok(out->name, WIRE_NAME_LEN) || !text_ok(out->software, WIRE_SOFTWARE_LEN))
		REJECT("DOMAIN-INFO: bad string");
	out->state_age_us = get64(&p);
	out->state_seq = get64(&p);
	out->frames = get64(&p);
	out->rejects = get64(&p);
	out->total = get32(&p);
	out->unsuitable = get32(&p);
	get_reasons(&p, out->reasons, WIRE_REASON_MAX);
	out->last_decision = get32(&p);
	out->last_vreason = get32(&p);
	get_reasons(&p, out->verdicts, WIRE_VR_MAX);
	memset(out->reserved, 0, sizeof(out->reserved));
	if (!reasons_consistent(out->reasons, out->total, out->unsuitable))
		REJECT("DOMAIN-INFO: counts do not add up");
	if ((out->last_decision > WIRE_D_STOP && out->last_decision != UINT32_MAX) ||
	    (out->last_vreason >= WIRE_VR_MAX && out->last_vreason != UINT32_MAX))
		REJECT("DOMAIN-INFO: last verdict out of range");
	text_clean(out->name, WIRE_NAME_LEN);
	text_clean(out->software, WIRE_SOFTWARE_LEN);
	return 0;
}

int
wire_sanitize_list_end(const void *untrusted, size_t len, struct wire_list_end *out,
    const char **why)
{
	const uint8_t	*p = untrusted;

	if (len != WIRE_LIST_END_SIZE)
		REJECT("LIST-END: wrong length");
	out->count = get32(&p);
	return 0;
}

int
wire_sanitize_bridge_status(const void *untrusted, size_t len,
    struct wire_bridge_status *out, const char **why)
{
	const uint8_t	*p = untrusted;

	if (len != WIRE_BRIDGE_STATUS_SIZE)
		REJECT("BRIDGE-STATUS: wrong length");
	out->uptime_us = get64(&p);
	out->queries = get64(&p);
	out->failopen = get64(&p);
	out->rejects = get64(&p);
	out->domains = get32(&p);
	out->connected = get32(&p);
	out->mode = get32(&p);
	out->version = get32(&p);
	if (out->mode > 1)
		REJECT("BRIDGE-STATUS: unknown mode");
	return 0;
}

/* ------------------------------------------------------------ helpers */
uint32_t
wire_negotiate(const struct wire_hello *peer)
{
	uint32_t hi = peer->version_max < WIRE_VERSION ? peer->version_max : WIRE_VERSION;
	uint32_t lo = peer->version_min > WIRE_VERSION_MIN ? peer->version_min : WIRE_VERSION_MIN;

	return hi >= lo ? hi : 0;
}

void
wire_state_sum(struct wire_state *s)
{
	uint64_t	total = 0, unsuitable = 0;
	uint32_t	i, j;

	for (i = 0; i < s->nproto && i < WIRE_MAX_PROTO; i++)
		for (j = 0; j < WIRE_REASON_MAX; j++) {
			total += s->proto[i].count[j];
			if (!wire_reason_suitable(j))
				unsuitable += s->proto[i].count[j];
		}
	s->total = total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
	s->unsuitable = unsuitable > UINT32_MAX ? UINT32_MAX : (uint32_t)unsuitable;
}

/* ------------------------------------------------------------ frame reader */
void
wire_reader_init(struct wire_reader *r)
{
	r->have = 0;
	r->failed = 0;
	r->why = NULL;
	r->payload = NULL;
	r->type = r->len = 0;
}

enum wire_rstatus
wire_reader_feed(struct wire_reader *r, const void *buf, size_t len, size_t *used)
{
	const uint8_t	*in = buf;
	size_t		 want, take;

	*used = 0;
	if (r->failed)
		return WIRE_RD_ERROR;
	/* A frame handed out last time is consumed now. */
	if (r->payload != NULL) {
		r->payload = NULL;
		r->have = 0;
	}
	for (;;) {
		want = WIRE_HDR_SIZE;
		if (r->have >= WIRE_HDR_SIZE) {
			const uint8_t *h = r->buf;
			r->type = get32(&h);
			r->len = get32(&h);
			if (r->len > WIRE_MAX_PAYLOAD) {
				r->failed = 1;
				r->why = "frame length exceeds 64 KiB";
				return WIRE_RD_ERROR;
			}
			want += r->len;
		}
		if (r->have >= WIRE_HDR_SIZE && r->have == want) {
			r->payload = r->buf + WIRE_HDR_SIZE;
			return WIRE_RD_FRAME;
		}
		if (*used == len)
			return WIRE_RD_MORE;
		take = want - r->have;
		if (take > len - *used)
			take = len - *used;
		memcpy(r->buf + r->have, in + *used, take);
		r->have += take;
		*used += take;
	}
}

/* ------------------------------------------------------------ QEMU mode */
size_t
wire_encode_migrate(uint8_t *buf, size_t cap, const struct wire_migrate *m)
{
	uint8_t	*p = frame_start(buf, cap, WIRE_T_MIGRATE, WIRE_MIGRATE_SIZE);

	if (p == NULL)
		return 0;
	put32(&p, m->domid);
	put32(&p, m->downtime_ms);
	put32(&p, m->deadline_ms);
	putstr(&p, m->uri, WIRE_URI_LEN);
	return WIRE_HDR_SIZE + WIRE_MIGRATE_SIZE;
}

size_t
wire_encode_migrate_status(uint8_t *buf, size_t cap, const struct wire_migrate_status *m)
{
	uint8_t	*p = frame_start(buf, cap, WIRE_T_MIGRATE_STATUS, WIRE_MIGRATE_STATUS_SIZE);

	if (p == NULL)
		return 0;
	put32(&p, m->domid);
	return WIRE_HDR_SIZE + WIRE_MIGRATE_STATUS_SIZE;
}

size_t
wire_encode_migrate_info(uint8_t *buf, size_t cap, const struct wire_migrate_info *m)
{
	uint8_t	*p = frame_start(buf, cap, WIRE_T_MIGRATE_INFO, WIRE_MIGRATE_INFO_SIZE);

	if (p == NULL)
		return 0;
	put32(&p, m->domid);
	put32(&p, m->phase);
	put32(&p, m->passes);
	put32(&p, m->deferrals);
	put32(&p, m->pre_total);
	put32(&p, m->pre_unsuitable);
	put64(&p, m->elapsed_us);
	put64(&p, m->released_us);
	putstr(&p, m->text, WIRE_TEXT_LEN);
	return WIRE_HDR_SIZE + WIRE_MIGRATE_INFO_SIZE;
}

/* A URI: NUL-terminated within its field, non-empty, printable ASCII, no
 * quote or backslash (it goes into QMP's JSON, escaped anyway). */
static int
migrate_uri_ok(const char *uri)
{
	const char	*c;

	if (uri[0] == '\0')
		return 0;
	for (c = uri; *c; c++)
		if (*c <= ' ' || *c > '~' || *c == '"' || *c == '\\')
			return 0;
	return 1;
}

int
wire_sanitize_migrate(const void *untrusted, size_t len, struct wire_migrate *out,
    const char **why)
{
	const uint8_t	*p = untrusted;

	if (len != WIRE_MIGRATE_SIZE)
		REJECT("MIGRATE: wrong length");
	out->domid = get32(&p);
	out->downtime_ms = get32(&p);
	out->deadline_ms = get32(&p);
	if (getstr(&p, out->uri, WIRE_URI_LEN) == -1)
		REJECT("MIGRATE: unterminated uri");
	text_clean(out->uri, WIRE_URI_LEN);
	if (out->domid == WIRE_DOMID_NONE)
		REJECT("MIGRATE: no domain");
	if (out->downtime_ms < 1 || out->downtime_ms > 600000)
		REJECT("MIGRATE: downtime out of range");
	if (out->deadline_ms > 86400000)
		REJECT("MIGRATE: deadline out of range");
	if (!migrate_uri_ok(out->uri))
		REJECT("MIGRATE: bad uri");
	return 0;
}

int
wire_sanitize_migrate_status(const void *untrusted, size_t len,
    struct wire_migrate_status *out, const char **why)
{
	const uint8_t	*p = untrusted;

	if (len != WIRE_MIGRATE_STATUS_SIZE)
		REJECT("MIGRATE-STATUS: wrong length");
	out->domid = get32(&p);
	return 0;
}

int
wire_sanitize_migrate_info(const void *untrusted, size_t len,
    struct wire_migrate_info *out, const char **why)
{
	const uint8_t	*p = untrusted;

	if (len != WIRE_MIGRATE_INFO_SIZE)
		REJECT("MIGRATE-INFO: wrong length");
	out->domid = get32(&p);
	out->phase = get32(&p);
	out->passes = get32(&p);
	out->deferrals = get32(&p);
	out->pre_total = get32(&p);
	out->pre_unsuitable = get32(&p);
	out->elapsed_us = get64(&p);
	out->released_us = get64(&p);
	if (getstr(&p, out->text, WIRE_TEXT_LEN) == -1 || !text_ok(out->text, WIRE_TEXT_LEN))
		REJECT("MIGRATE-INFO: bad text");
	text_clean(out->text, WIRE_TEXT_LEN);
	if (out->phase >= WIRE_MP_MAX)
		REJECT("MIGRATE-INFO: unknown phase");
	return 0;
}
