/*
 * fuzz_migload_resp.c - libFuzzer target: migload's response-head parser
 * (tests/migload/ml_resp.c), fed the input whole and again split at a
 * point the input chooses; both must agree, consume no more than given,
 * and respect the limits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/migload/ml_resp.h"

static struct resp	a, b;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n, split, m1, m2 = 0;

	resp_init(&a);
	n = resp_feed(&a, (const char *)data, size);
	if (n > size || a.head_len > RESP_HEAD_MAX + 1 || a.fields > RESP_FIELDS_MAX + 1)
		abort();
	if (a.state == RESP_ERROR && a.reason == NULL)
		abort();
	split = size ? data[0] % (size + 1) : 0;
	resp_init(&b);
	m1 = resp_feed(&b, (const char *)data, split);
	if (m1 == split && b.state != RESP_DONE && b.state != RESP_ERROR)
		m2 = resp_feed(&b, (const char *)data + split, size - split);
	if (b.state != a.state || b.status != a.status || b.length != a.length ||
	    b.close != a.close || (a.state == RESP_DONE && m1 + m2 != n))
		abort();
	return 0;
}
