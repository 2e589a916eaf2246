/*
 * conf.c - INI files through libinih, with line numbers and every error.
 *
 * libinih (Debian's build) does not pass line numbers to its handler and
 * silently splits over-long lines; reading through our own line reader
 * fixes both: it counts lines, and flags a line that does not fit.
 */
#include <errno.h>
#include <ini.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

struct conf_src {
	struct conf	*cf;
	conf_key_fn	 fn;
	void		*arg;
	FILE		*fp;		/* file source, or */
	const char	*buf;		/* buffer source */
	size_t		 len, off;
	int		 toolong;	/* skipping the rest of a long line */
};

void
conf_error(struct conf *cf, const char *fmt, ...)
{
	va_list	ap;
	char	msg[256];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cf->nerrors < CONF_MAX_ERRORS)
		snprintf(cf->errors[cf->nerrors], CONF_ERR_LEN, "%s:%d: %s",
		    cf->file, cf->line, msg);
	cf->nerrors++;
}

/* Next raw chunk of at most n-1 bytes, up to and including '\n'. */
static char *
conf_chunk(char *str, int n, struct conf_src *s)
{
	size_t	i = 0;

	if (s->fp)
		return fgets(str, n, s->fp);
	if (s->off >= s->len)
		return NULL;
	while (i + 1 < (size_t)n && s->off < s->len) {
		char c = s->buf[s->off++];
		str[i++] = c ? c : ' ';	/* a NUL would end the line early */
		if (c == '\n')
			break;
	}
	str[i] = '\0';
	return str;
}

/*
 * Check a whole line's shape ourselves, so that every syntax error is
 * reported with its line (libinih only reports the first), and strip its
 * indentation (libinih would take an indented line as a continuation).
 * A bad line is reported and handed to libinih as an empty one.
 */
static char *
conf_check_line(struct conf *cf, char *str)
{
	char	*p = str + strspn(str, " \t");
	size_t	 key;

	memmove(str, p, strlen(p) + 1);
	if (str[0] == '\0' || str[0] == '\n' || str[0] == '\r' || str[0] == '#' ||
	    str[0] == ';')
		return str;
	if (str[0] == '[') {
		if (strchr(str, ']') != NULL)
			return str;
		conf_error(cf, "syntax error: unterminated [section");
	} else {
		key = strcspn(str, "=:");
		if (str[key] != '\0' && key > 0)
			return str;
		conf_error(cf, "syntax error (expected [section] or key = value)");
	}
	str[0] = '\0';
	return str;
}

/* ini_reader: one whole line, counted; an over-long line is an error. */
static char *
conf_reader(char *str, int n, void *arg)
{
	struct conf_src	*s = arg;
	char		 junk[256];
	size_t		 l;

	if (conf_chunk(str, n, s) == NULL)
		return NULL;
	s->cf->line++;
	l = strlen(str);
	if (l + 1 < (size_t)n || str[l - 1] == '\n')
		return conf_check_line(s->cf, str);
	/* The line did not fit: report it, skip its remainder. */
	conf_error(s->cf, "line longer than %d bytes", n - 2);
	while (conf_chunk(junk, sizeof(junk), s) != NULL)
		if (junk[strlen(junk) - 1] == '\n')
			break;
	str[0] = '\0';
	return str;
}

static int
conf_handler(void *arg, const char *section, const char *key, const char *value)
{
	struct conf_src	*s = arg;

	s->fn(s->cf, s->arg, section, key, value);
	return 1;
}

static int
conf_run(struct conf *cf, struct conf_src *s)
{
	int	rc;

	rc = ini_parse_stream(conf_reader, s, conf_handler, s);
	if (rc > 0) {
		/* A shape conf_check_line let through: report it, at its line. */
		int saved = cf->line;
		cf->line = rc;
		conf_error(cf, "syntax error");
		cf->line = saved;
	} else if (rc < 0) {
		conf_error(cf, "cannot read: %s", rc == -2 ? "out of memory" : "error");
	}
	return cf->nerrors;
}

int
conf_parse_file(struct conf *cf, const char *path, conf_key_fn fn, void *arg)
{
	struct conf_src	s = { .cf = cf, .fn = fn, .arg = arg };
	int		rc;

	cf->file = path;
	cf->line = 0;
	if ((s.fp = fopen(path, "r")) == NULL) {
		conf_error(cf, "cannot open: %s", strerror(errno));
		return cf->nerrors;
	}
	rc = conf_run(cf, &s);
	fclose(s.fp);
	return rc;
}

int
conf_parse_buf(struct conf *cf, const char *name, const char *buf, size_t len,
    conf_key_fn fn, void *arg)
{
	struct conf_src	s = { .cf = cf, .fn = fn, .arg = arg, .buf = buf, .len = len };

	cf->file = name;
	cf->line = 0;
	return conf_run(cf, &s);
}

/* Parse digits with an optional suffix from units[]; -1 if malformed. */
static int
conf_scaled(const char *value, const char *const *units, const uint64_t *scale,
    uint64_t *out)
{
	char		*end;
	uint64_t	 v;
	int		 i;

	if (value[0] < '0' || value[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(value, &end, 10);
	if (errno == ERANGE)
		return -1;
	while (*end == ' ')
		end++;
	for (i = 0; units[i] != NULL; i++) {
		if (strcasecmp(end, units[i]) == 0) {
			if (scale[i] && v > UINT64_MAX / scale[i])
				return -1;
			*out = v * scale[i];
			return 0;
		}
	}
	return -1;
}

static int
conf_range(struct conf *cf, const char *key, uint64_t v, uint64_t min, uint64_t max,
    uint64_t *out)
{
	if (v < min || v > max) {
		conf_error(cf, "%s: %" PRIu64 " is out of range [%" PRIu64 ", %" PRIu64 "]",
		    key, v, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int
conf_uint(struct conf *cf, const char *key, const char *value, uint64_t min,
    uint64_t max, uint64_t *out)
{
	static const char *const units[] = { "", NULL };
	static const uint64_t	 scale[] = { 1 };
	uint64_t		 v;

	if (conf_scaled(value, units, scale, &v) == -1) {
		conf_error(cf, "%s: \"%s\" is not a whole number", key, value);
		return -1;
	}
	return conf_range(cf, key, v, min, max, out);
}

int
conf_msec(struct conf *cf, const char *key, const char *value, uint64_t min,
    uint64_t max, uint64_t *out)
{
	static const char *const units[] = { "", "ms", "s", NULL };
	static const uint64_t	 scale[] = { 1, 1, 1000 };
	uint64_t		 v;

	if (conf_scaled(value, units, scale, &v) == -1) {
		conf_error(cf, "%s: \"%s\" is not a duration (e.g. 200ms, 60s)", key, value);
		return -1;
	}
	return conf_range(cf, key, v, min, max, out);
}

int
conf_size(struct conf *cf, const char *key, const char *value, uint64_t min,
    uint64_t max, uint64_t *out)
{
	static const char *const units[] = { "", "K", "KiB", "M", "MiB", "G", "GiB", NULL };
	static const uint64_t	 scale[] = { 1, 1ull << 10, 1ull << 10, 1ull << 20,
				    1ull << 20, 1ull << 30, 1ull << 30 };
	uint64_t		 v;

	if (conf_scaled(value, units, scale, &v) == -1) {
		conf_error(cf, "%s: \"%s\" is not a size (e.g. 4194304, 4MiB)", key, value);
		return -1;
	}
	return conf_range(cf, key, v, min, max, out);
}

int
conf_bool(struct conf *cf, const char *key, const char *value, int *out)
{
	if (!strcasecmp(value, "yes") || !strcasecmp(value, "on") ||
	    !strcasecmp(value, "true") || !strcmp(value, "1"))
		*out = 1;
	else if (!strcasecmp(value, "no") || !strcasecmp(value, "off") ||
	    !strcasecmp(value, "false") || !strcmp(value, "0"))
		*out = 0;
	else {
		conf_error(cf, "%s: \"%s\" is not yes or no", key, value);
		return -1;
	}
	return 0;
}

int
conf_string(struct conf *cf, const char *key, const char *value, char *out, size_t cap)
{
	size_t	l = strlen(value);

	if (l == 0) {
		conf_error(cf, "%s: empty value", key);
		return -1;
	}
	if (l >= cap) {
		conf_error(cf, "%s: value longer than %zu bytes", key, cap - 1);
		return -1;
	}
	memcpy(out, value, l + 1);
	return 0;
}

void
conf_print_errors(const struct conf *cf)
{
	int	i;

	for (i = 0; i < cf->nerrors && i < CONF_MAX_ERRORS; i++)
		fprintf(stderr, "%s\n", cf->errors[i]);
	if (cf->nerrors > CONF_MAX_ERRORS)
		fprintf(stderr, "%s: %d more errors\n", cf->file, cf->nerrors - CONF_MAX_ERRORS);
}
