/*
 * fuzz_wire_qemu.c - QEMU mode's query-socket sanitizers (MIGRATE,
 * MIGRATE-STATUS, MIGRATE-INFO) on arbitrary payloads; whatever one
 * accepts must re-encode and be accepted again, unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "migwire.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t				 out[WIRE_HDR_SIZE + WIRE_MIGRATE_SIZE + WIRE_MIGRATE_INFO_SIZE];
	struct wire_migrate		 m, m2;
	struct wire_migrate_status	 ms, ms2;
	struct wire_migrate_info	 mi, mi2;
	const char			*why;
	size_t				 n;

	if (wire_sanitize_migrate(data, size, &m, &why) == 0) {
		n = wire_encode_migrate(out, sizeof(out), &m);
		if (n == 0 || wire_sanitize_migrate(out + WIRE_HDR_SIZE, n - WIRE_HDR_SIZE,
		    &m2, &why) != 0 || memcmp(&m, &m2, sizeof(m)) != 0)
			abort();
	}
	if (wire_sanitize_migrate_status(data, size, &ms, &why) == 0) {
		n = wire_encode_migrate_status(out, sizeof(out), &ms);
		if (n == 0 || wire_sanitize_migrate_status(out + WIRE_HDR_SIZE,
		    n - WIRE_HDR_SIZE, &ms2, &why) != 0 || ms.domid != ms2.domid)
			abort();
	}
	if (wire_sanitize_migrate_info(data, size, &mi, &why) == 0) {
		n = wire_encode_migrate_info(out, sizeof(out), &mi);
		if (n == 0 || wire_sanitize_migrate_info(out + WIRE_HDR_SIZE,
		    n - WIRE_HDR_SIZE, &mi2, &why) != 0 || memcmp(&mi, &mi2, sizeof(mi)) != 0)
			abort();
	}
	return 0;
}
