/*
 * qmp.h - reading QEMU's QMP: newline-delimited JSON objects (libjansson),
 * with hard limits, classified into greeting, return, error and event.
 * Pure: no I/O, no logging.  QMP comes from Dom-0's own QEMU, but a guest
 * can influence parts of it (event data, strings), so every message is
 * validated before use.
 */
#ifndef QMP_H
#define QMP_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define QMP_LINE_MAX	(64 * 1024)	/* longest message accepted */
#define QMP_DEPTH_MAX	16		/* deepest JSON nesting accepted */

enum qmp_kind {
	QMP_GREETING,		/* {"QMP": {...}} */
	QMP_RETURN,		/* {"return": X, "id": N} */
	QMP_ERROR,		/* {"error": {"class": S, "desc": S}, "id": N} */
	QMP_EVENT,		/* {"event": S, "data": {...}, "timestamp": {...}} */
};

struct qmp_msg {
	enum qmp_kind	 kind;
	json_t		*root;		/* owned: qmp_msg_free() */
	int64_t		 id;		/* return/error: the command's id, -1 if none */
	const char	*event;		/* event: its name */
	json_t		*data;		/* return value, or event data (may be NULL) */
	const char	*errclass, *errdesc;	/* error */
};

/* Parse one message (no newline needed).  0, or -1 with *why. */
int		 qmp_parse(const char *line, size_t len, struct qmp_msg *, const char **why);
void		 qmp_msg_free(struct qmp_msg *);

/* Called for every message; the message is freed after the call.
 * Return 0 to go on, -1 to stop. */
typedef int	(*qmp_msg_cb)(void *arg, const struct qmp_msg *);

struct qmp_reader {
	char	 buf[QMP_LINE_MAX];
	size_t	 len;
	char	 why[96];		/* why the stream was refused */
};

void		 qmp_reader_init(struct qmp_reader *);
/*
 * Feed bytes; every complete line is parsed and handed to cb (blank lines
 * skipped).  Returns 0, or -1 (why set) on a line longer than
 * QMP_LINE_MAX, a message that is not a valid QMP object, or cb stopping.
 */
int		 qmp_reader_feed(struct qmp_reader *, const char *, size_t, qmp_msg_cb, void *);

/*
 * An integer or string at a dotted path ("ram.dirty-sync-count") below obj.
 * 0, or -1 if absent or of the wrong type (integers: >= 0 only).
 */
int		 qmp_get_uint(json_t *obj, const char *path, uint64_t *out);
const char	*qmp_get_str(json_t *obj, const char *path);

#endif /* QMP_H */
