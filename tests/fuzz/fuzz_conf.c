/*
 * fuzz_conf.c - libFuzzer target: the configuration reader (libinih behind
 * common/conf.c) and its value helpers, on arbitrary file contents.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

static void
every_helper(struct conf *cf, void *arg, const char *section, const char *key,
    const char *value)
{
	uint64_t	v;
	int		b;
	char		s[64];

	(void)arg;
	if (strlen(section) > 200 || strlen(key) > 200 || strlen(value) > 200)
		abort();	/* lines are bounded: nothing longer comes through */
	(void)conf_uint(cf, key, value, 0, UINT64_MAX, &v);
	(void)conf_msec(cf, key, value, 1, 3600000, &v);
	(void)conf_size(cf, key, value, 0, UINT64_MAX, &v);
	(void)conf_bool(cf, key, value, &b);
	(void)conf_string(cf, key, value, s, sizeof(s));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf cf;

	memset(&cf, 0, sizeof(cf));
	(void)conf_parse_buf(&cf, "fuzz.conf", (const char *)data, size, every_helper, NULL);
	if (cf.nerrors < 0)
		abort();
	return 0;
}
