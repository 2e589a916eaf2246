/*
 * fuzz_wire.c - libFuzzer target: the frame reader, fed the input in
 * splits chosen by the input itself, and every sanitizer on every frame
 * (whatever its type, as a hostile peer might label it).  A frame a
 * sanitizer accepts must re-encode to the same bytes' meaning.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "migwire.h"

static void
sanitize_all(const uint8_t *p, uint32_t len)
{
	union {
		struct wire_hello h; struct wire_bye b; struct wire_state s;
		struct wire_query q; struct wire_migration m;
		struct wire_domain_query dq; struct wire_migration_end me;
		struct wire_verdict v; struct wire_domain_info di;
		struct wire_list_end le; struct wire_bridge_status bs;
		struct wire_error e;
	} u;
	static uint8_t	 out[WIRE_MAX_FRAME];
	const char	*why;

	if (wire_sanitize_state(p, len, &u.s, &why) == 0) {
		struct wire_state again;
		size_t n = wire_encode_state(out, sizeof(out), &u.s);
		if (n != WIRE_HDR_SIZE + len ||
		    wire_sanitize_state(out + WIRE_HDR_SIZE, len, &again, &why) != 0 ||
		    again.total != u.s.total || again.unsuitable != u.s.unsuitable)
			abort();
	}
	if (wire_sanitize_hello(p, len, &u.h, &why) == 0 &&
	    (strlen(u.h.name) >= WIRE_NAME_LEN || u.h.version_min > u.h.version_max))
		abort();
	(void)wire_sanitize_bye(p, len, &u.b, &why);
	(void)wire_sanitize_query(p, len, &u.q, &why);
	(void)wire_sanitize_migration(p, len, &u.m, &why);
	(void)wire_sanitize_domain_query(p, len, &u.dq, &why);
	(void)wire_sanitize_migration_end(p, len, &u.me, &why);
	if (wire_sanitize_verdict(p, len, &u.v, &why) == 0 && u.v.unsuitable > u.v.total)
		abort();
	(void)wire_sanitize_domain_info(p, len, &u.di, &why);
	(void)wire_sanitize_list_end(p, len, &u.le, &why);
	(void)wire_sanitize_bridge_status(p, len, &u.bs, &why);
	(void)wire_sanitize_error(p, len, &u.e, &why);
	(void)wire_sanitize_empty(p, len, &why);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wire_reader	r;
	size_t				off = 0, used, chunk;
	uint8_t				step;

	if (size < 1)
		return 0;
	step = data[0];			/* the input chooses its split size */
	data++, size--;
	wire_reader_init(&r);
	while (off < size) {
		chunk = step ? step : size - off;
		if (chunk > size - off)
			chunk = size - off;
		switch (wire_reader_feed(&r, data + off, chunk, &used)) {
		case WIRE_RD_ERROR:
			if (r.why == NULL)
				abort();
			return 0;
		case WIRE_RD_FRAME:
			if (r.len > WIRE_MAX_PAYLOAD)
				abort();
			(void)wire_type_allowed(WIRE_ROLE_BRIDGE, r.type);
			(void)wire_type_name(r.type);
			sanitize_all(r.payload, r.len);
			break;
		case WIRE_RD_MORE:
			break;
		}
		off += used;
	}
	return 0;
}
