/*
 * fuzz_migload_pop3.c - libFuzzer target: migload's POP3 response parser
 * (tests/migload/ml_pop3.c).  The first byte picks what the response is
 * for (single line, multi-line, LIST); the rest is fed whole and again
 * split at a point the input chooses; both must agree, consume no more
 * than given, and respect the limits.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/migload/ml_pop3.h"

static struct pop3	a, b;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum pop3_expect e;
	size_t n, split, m1, m2 = 0;

	if (size < 2)
		return 0;
	e = (enum pop3_expect)(data[0] % 3);
	split = data[1] % size;
	data += 2, size -= 2;
	pop3_init(&a, e);
	n = pop3_feed(&a, (const char *)data, size);
	if (n > size || a.nlist > POP3_LIST_MAX || a.line_len > POP3_LINE_MAX ||
	    a.col > POP3_TEXT_MAX + 1 || a.data > size || a.octets > POP3_SIZE_MAX)
		abort();
	if (a.state == POP3_ERROR && a.reason == NULL)
		abort();
	if (split > size)
		split = size;
	pop3_init(&b, e);
	m1 = pop3_feed(&b, (const char *)data, split);
	if (m1 == split && b.state != POP3_DONE && b.state != POP3_ERROR)
		m2 = pop3_feed(&b, (const char *)data + split, size - split);
	if (b.state != a.state || b.ok != a.ok || b.octets != a.octets ||
	    b.data != a.data || b.nlist != a.nlist ||
	    (a.nlist && memcmp(a.list_size, b.list_size, a.nlist * sizeof(a.list_size[0]))) ||
	    (a.state == POP3_DONE && m1 + m2 != n))
		abort();
	return 0;
}
