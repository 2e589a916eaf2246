/*
 * migxs.h - the few xenstore operations migstate needs, behind one small
 * interface with two backends:
 *
 *   xen  libxenstore (xs_open), in a guest or in Dom-0
 *   dir  a directory tree standing in for xenstore: each key is a file,
 *        watches are inotify.  Used on hosts without Xen (the demo, unix
 *        mode) and in tests, so the quiesce handshake between the precopy
 *        hook and the agent runs the same code everywhere.
 *
 * Paths are xenstore paths.  A relative path ("data/migbridge/quiesce") is
 * relative to the caller's own domain home, /local/domain/<self>; the dir
 * backend maps an absolute path /a/b under its root directory.  Errors set
 * errno: EINVAL (bad path or token), E2BIG (value too long), EEXIST (watch
 * registered twice), ENOENT (no such key or watch).
 *
 * The quiesce keys (ARCHITECTURE.md, "The vchan across a migration")
 * follow.
 */
#ifndef MIGXS_H
#define MIGXS_H

#include <stddef.h>
#include <stdint.h>

#define MIGXS_DIR		"data/migbridge"
#define MIGXS_QUIESCE		"data/migbridge/quiesce"	/* "0" | "1", written by the hook */
#define MIGXS_STATE		"data/migbridge/state"		/* "serving" | "quiesced" */
#define MIGXS_DOMID		"domid"
#define MIGXS_STATE_SERVING	"serving"
#define MIGXS_STATE_QUIESCED	"quiesced"
#define MIGXS_VALUE_MAX		256

struct migxs;

/* Open libxenstore.  NULL with a message in err if xenstore is unreachable. */
struct migxs	*migxs_open_xen(char *err, size_t errlen);
/*
 * Open the directory backend rooted at root (created if missing), acting
 * as domain self (relative paths resolve under /local/domain/<self>).
 */
struct migxs	*migxs_open_dir(const char *root, uint32_t self, char *err, size_t errlen);

/* Read a key into buf (NUL-terminated, truncated to cap).  0, or -1 (errno). */
int		 migxs_read(struct migxs *, const char *path, char *buf, size_t cap);
/* Write a key, creating parents.  0, or -1. */
int		 migxs_write(struct migxs *, const char *path, const char *value);
/* Remove a key and everything below it.  0 (also if absent), or -1. */
int		 migxs_rm(struct migxs *, const char *path);
/*
 * Watch a key: an event with token is reported once at once and then on
 * every change of the key (xenstore semantics).  0, or -1.
 */
int		 migxs_watch(struct migxs *, const char *path, const char *token);
int		 migxs_unwatch(struct migxs *, const char *path, const char *token);
/* The fd that becomes readable when watch events may be pending. */
int		 migxs_fd(const struct migxs *);
/*
 * Take one pending watch event: 1 with path and token filled, 0 if none
 * is pending, -1 on error.  Never blocks.  The path is the node that
 * changed (the watched key or one below it).  Once the fd is readable,
 * call it until it returns 0: libxenstore may not show the fd readable
 * again while events are still queued.
 */
int		 migxs_next_event(struct migxs *, char *path, size_t pathlen,
		    char *token, size_t tokenlen);
/* This domain's id as xenstore says ("domid"; dir backend: that key if
 * written, else self).  -1 if unknown. */
long		 migxs_self_domid(struct migxs *);
void		 migxs_close(struct migxs *);

#endif /* MIGXS_H */
