/*
 * fuzz_qmp.c - the QMP reader (dom0-bridge/qmp.c): arbitrary bytes fed in
 * two pieces; every message accepted is walked with the accessors.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "dom0-bridge/qmp.h"

static int
walk(void *arg, const struct qmp_msg *m)
{
	uint64_t	v;

	(void)arg;
	(void)qmp_get_uint(m->data, "ram.dirty-sync-count", &v);
	(void)qmp_get_uint(m->data, "pass", &v);
	(void)qmp_get_str(m->data, "status");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct qmp_reader	r;
	size_t				half = size ? data[0] % (size + 1) : 0;

	qmp_reader_init(&r);
	if (qmp_reader_feed(&r, (const char *)data, half, walk, NULL) == 0)
		(void)qmp_reader_feed(&r, (const char *)data + half, size - half, walk, NULL);
	return 0;
}
