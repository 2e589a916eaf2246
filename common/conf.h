/*
 * conf.h - configuration files for the daemons: INI syntax read with
 * libinih, every error collected with its file and line so that `-n`
 * lists them all at once.
 *
 * Syntax (see migstate-agent.conf(5), migbridge(8)):
 *   # comment            ; comment
 *   [section]            or [section name] for repeated sections
 *   key = value
 * Lines are at most 198 bytes (libinih's buffer); a longer one is an error.
 */
#ifndef MIGCONF_H
#define MIGCONF_H

#include <stddef.h>
#include <stdint.h>

#define CONF_MAX_ERRORS	64
#define CONF_ERR_LEN	512

struct conf {
	const char	*file;		/* name used in messages */
	int		 line;		/* line being handled, 1-based */
	int		 nerrors;	/* all errors, also those not kept */
	char		 errors[CONF_MAX_ERRORS][CONF_ERR_LEN];
};

/*
 * Called once per key.  section is "" before any [section].  Report
 * problems with conf_error(); the return value is ignored (parsing goes on
 * to find every error).
 */
typedef void (*conf_key_fn)(struct conf *, void *arg, const char *section,
    const char *key, const char *value);

/* Parse a file / a buffer.  Returns the number of errors (0 = valid). */
int	conf_parse_file(struct conf *, const char *path, conf_key_fn, void *arg);
int	conf_parse_buf(struct conf *, const char *name, const char *buf, size_t len,
	    conf_key_fn, void *arg);

/* Record "file:line: message". */
void	conf_error(struct conf *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Value helpers: parse value into *out, or record an error naming key and
 * return -1.  Durations take a unit: "ms" or "s" (a bare number is
 * milliseconds); sizes take "", "K"/"KiB", "M"/"MiB", "G"/"GiB".
 */
int	conf_uint(struct conf *, const char *key, const char *value, uint64_t min,
	    uint64_t max, uint64_t *out);
int	conf_bool(struct conf *, const char *key, const char *value, int *out);
int	conf_msec(struct conf *, const char *key, const char *value, uint64_t min,
	    uint64_t max, uint64_t *out);
int	conf_size(struct conf *, const char *key, const char *value, uint64_t min,
	    uint64_t max, uint64_t *out);
/* Copy a string value into a fixed buffer; error if it does not fit or is empty. */
int	conf_string(struct conf *, const char *key, const char *value, char *out,
	    size_t cap);
/* Print every error to stderr, one a line. */
void	conf_print_errors(const struct conf *);

#endif
