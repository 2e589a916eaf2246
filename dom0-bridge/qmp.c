/*
 * qmp.c - QMP message reader (see qmp.h).
 */
#include <stdio.h>
#include <string.h>

#include "qmp.h"

/* Nesting depth of a JSON value (bounded walk). */
static int
qmp_depth(json_t *v, int lim)
{
	const char	*k;
	json_t		*e;
	size_t		 i;
	int		 d, max = 0;

	if (lim <= 0)
		return 1;
	if (json_is_object(v)) {
		json_object_foreach(v, k, e) {
			if ((d = qmp_depth(e, lim - 1)) > max)
				max = d;
		}
		return max + 1;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			if ((d = qmp_depth(e, lim - 1)) > max)
				max = d;
		}
		return max + 1;
	}
	return 0;
}

static int
qmp_classify(struct qmp_msg *m, const char **why)
{
	json_t	*r = m->root, *id, *e, *ev;

	id = json_object_get(r, "id");
	if (id != NULL && (!json_is_integer(id) || json_integer_value(id) < 0)) {
		*why = "id is not a non-negative integer";
		return -1;
	}
	m->id = id ? json_integer_value(id) : -1;
	if (json_object_get(r, "QMP") != NULL) {
		m->kind = QMP_GREETING;
		return 0;
	}
	if ((m->data = json_object_get(r, "return")) != NULL) {
		m->kind = QMP_RETURN;
		return 0;
	}
	if ((e = json_object_get(r, "error")) != NULL) {
		m->kind = QMP_ERROR;
		m->errclass = json_string_value(json_object_get(e, "class"));
		m->errdesc = json_string_value(json_object_get(e, "desc"));
		if (!json_is_object(e) || m->errclass == NULL || m->errdesc == NULL) {
			*why = "error without class and desc strings";
			return -1;
		}
		return 0;
	}
	if ((ev = json_object_get(r, "event")) != NULL) {
		m->kind = QMP_EVENT;
		if ((m->event = json_string_value(ev)) == NULL) {
			*why = "event name is not a string";
			return -1;
		}
		m->data = json_object_get(r, "data");
		if (m->data != NULL && !json_is_object(m->data)) {
			*why = "event data is not an object";
			return -1;
		}
		return 0;
	}
	*why = "neither greeting, return, error nor event";
	return -1;
}

int
qmp_parse(const char *line, size_t len, struct qmp_msg *m, const char **why)
{
	json_error_t	jerr;

	memset(m, 0, sizeof(*m));
	m->id = -1;
	if (len > QMP_LINE_MAX) {
		*why = "message too long";
		return -1;
	}
	/* JSON_REJECT_DUPLICATES: one meaning per message; no NUL bytes inside. */
	m->root = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (m->root == NULL) {
		*why = "not valid JSON";
		return -1;
	}
	if (!json_is_object(m->root)) {
		*why = "not a JSON object";
		goto bad;
	}
	if (qmp_depth(m->root, QMP_DEPTH_MAX + 1) > QMP_DEPTH_MAX) {
		*why = "nested too deep";
		goto bad;
	}
	if (qmp_classify(m, why) == -1)
		goto bad;
	return 0;
bad:
	qmp_msg_free(m);
	return -1;
}

void
qmp_msg_free(struct qmp_msg *m)
{
	if (m->root != NULL)
		json_decref(m->root);
	memset(m, 0, sizeof(*m));
}

void
qmp_reader_init(struct qmp_reader *r)
{
	r->len = 0;
	r->why[0] = '\0';
}

/* One complete line (without its newline). */
static int
qmp_line(struct qmp_reader *r, const char *line, size_t len, qmp_msg_cb cb, void *arg)
{
	struct qmp_msg	 m;
	const char	*why;
	size_t		 i;
	int		 rc;

	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\r' || line[i] == '\t'); i++)
		;
	if (i == len)
		return 0;
	if (qmp_parse(line, len, &m, &why) == -1) {
		snprintf(r->why, sizeof(r->why), "%s", why);
		return -1;
	}
	rc = cb(arg, &m);
	qmp_msg_free(&m);
	if (rc == -1)
		snprintf(r->why, sizeof(r->why), "stopped by handler");
	return rc;
}

int
qmp_reader_feed(struct qmp_reader *r, const char *buf, size_t len, qmp_msg_cb cb, void *arg)
{
	const char	*nl;
	size_t		 n;

	while (len > 0) {
		nl = memchr(buf, '\n', len);
		n = nl ? (size_t)(nl - buf) : len;
		if (r->len + n > QMP_LINE_MAX) {
			snprintf(r->why, sizeof(r->why), "message longer than %d bytes",
			    QMP_LINE_MAX);
			return -1;
		}
		memcpy(r->buf + r->len, buf, n);
		r->len += n;
		if (nl == NULL)
			return 0;
		buf += n + 1;
		len -= n + 1;
		n = r->len;
		r->len = 0;
		if (qmp_line(r, r->buf, n, cb, arg) == -1)
			return -1;
	}
	return 0;
}

/* The value at a dotted path, or NULL. */
static json_t *
qmp_path(json_t *obj, const char *path)
{
	char		 key[64];
	const char	*dot;
	size_t		 n;

	while (obj != NULL && json_is_object(obj)) {
		dot = strchr(path, '.');
		n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		obj = json_object_get(obj, key);
		if (dot == NULL)
			return obj;
		path = dot + 1;
	}
	return NULL;
}

int
qmp_get_uint(json_t *obj, const char *path, uint64_t *out)
{
	json_t	*v = qmp_path(obj, path);

	if (v == NULL || !json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

const char *
qmp_get_str(json_t *obj, const char *path)
{
	return json_string_value(qmp_path(obj, path));
}
