/*
 * migxs.c - xenstore access for migstate (interface: migxs.h).
 *
 * xen backend: a thin layer over libxenstore.  Relative paths are passed
 * as they are; xenstored resolves them against the caller's domain home.
 * Link libxenstore dynamically: Debian's static libxenstore.a has no
 * pthreads and its watches over /dev/xen/xenbus fail (ARCHITECTURE.md).
 *
 * dir backend: a directory tree standing in for xenstore.
 *   - Key /a/b/c is the file ROOT/a/b/c holding the value (no newline).  A
 *     key that also has children is a directory; its own value then lives
 *     in ROOT/a/b/c/.value (absent: "").  A file key is turned into a
 *     directory when a child is written below it.
 *   - Names beginning with '.' belong to the backend (temporary files,
 *     .value) and are invalid in key paths.
 *   - A relative path p is /local/domain/<self>/p.  Reading "domid" falls
 *     back to <self> when no such file exists.  Paths beginning with '@'
 *     (xenstore's special watch paths) map to ROOT/@name.
 *   - migxs_write writes a temporary file next to the key and renames it
 *     into place: a reader never sees a partial value, a watcher sees one
 *     IN_MOVED_TO.  migxs_rm renames the key away, then deletes that tree:
 *     the key vanishes at once for every reader.
 *   - Watches are inotify.  Watching P watches P's parent directory (made
 *     if missing) for events naming P, and, while P is a directory, P
 *     itself for events naming its direct children (reported as P/child)
 *     or its .value (reported as P).  Limits: changes deeper than a direct
 *     child are not reported; children created in the instant between P
 *     becoming a directory and the watcher noticing are reported once
 *     when it notices.  If P's parent directory is removed the watch fires,
 *     and is re-armed by re-creating that directory (so a removed parent
 *     comes back empty); if even that fails (the root itself removed) the
 *     watch stays registered but silent.
 *   - A handle is not thread-safe: one per thread, or a lock around it.
 *   - migxs_fd is an epoll fd holding the inotify fd and an eventfd that
 *     is kept signalled while events are queued (the one a watch reports
 *     at registration, or ones already read from inotify), so the fd is
 *     readable exactly while migxs_next_event has something to return.
 *     Identical pending events (same watch, same path) are coalesced.
 *
 * Library code: no logging, no exit; errors are -1 with errno.
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenstore.h>

#include "migxs.h"

#define XS_PATH_MAX	1024	/* a key path, caller's form (xenstore allows more; we need less) */
#define XS_TOKEN_MAX	128	/* a watch token */
#define XS_QUEUE_MAX	1024	/* pending events before child events fold into their watch's own */
#define XS_DRAIN_READS	64	/* inotify reads per migxs_next_event, to stay short */
#define XS_VALUE_NAME	".value"
#define XS_DIR_MASK	(IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE | IN_CREATE | \
			 IN_DELETE | IN_DELETE_SELF | IN_ONLYDIR)

enum xs_kind { XS_XEN, XS_DIR };

struct xs_watch {
	struct xs_watch	*next;
	unsigned	 id;
	int		 pwd;		/* inotify wd of the parent directory, or -1 */
	int		 swd;		/* inotify wd of the key's own directory, or -1 */
	char		*path;		/* as the caller gave it */
	char		*token;
	char		*fspath;	/* ROOT/... */
	const char	*name;		/* last component, inside fspath */
};

struct xs_event {
	struct xs_event	*next;
	unsigned	 watch;		/* xs_watch.id */
	char		 path[];
};

struct migxs {
	enum xs_kind	 kind;
	struct xs_handle *xsh;		/* xen */
	uint32_t	 self;		/* dir: the domain we act as */
	int		 epfd;		/* dir: migxs_fd */
	int		 ifd;		/* dir: inotify */
	int		 efd;		/* dir: eventfd, signalled while events queue */
	int		 signalled;
	unsigned	 next_id;
	unsigned	 nevents;
	struct xs_watch	*watches;
	struct xs_event	*head;
	struct xs_event	**tail;
	char		 root[PATH_MAX];
};

static void	xsdir_queue(struct migxs *, struct xs_watch *, const char *, const char *);

/* ------------------------------------------------------------------------ */
/* Path rules, common to both backends. */

static int
xs_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '@' || c == '.';
}

/*
 * 0 if path is a valid key path: absolute or relative, no empty component,
 * no component beginning with '.' (so neither "." nor ".."), only
 * [A-Za-z0-9_@.-] in names.  Else -1, errno EINVAL (or ENAMETOOLONG).
 */
static int
xs_path_valid(const char *path)
{
	size_t	 i, len, complen = 0;

	if (path == NULL || (len = strlen(path)) == 0)
		goto bad;
	if (len >= XS_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (i = path[0] == '/' ? 1 : 0; i <= len; i++) {
		if (path[i] == '/' || path[i] == '\0') {
			if (complen == 0)
				goto bad;
			complen = 0;
			continue;
		}
		if (!xs_name_char((unsigned char)path[i]))
			goto bad;
		if (complen++ == 0 && path[i] == '.')
			goto bad;
	}
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

static int
xs_token_valid(const char *token)
{
	size_t	 i, len;

	if (token == NULL || (len = strlen(token)) == 0 || len >= XS_TOKEN_MAX)
		goto bad;
	for (i = 0; i < len; i++)
		if ((unsigned char)token[i] < 0x21 || (unsigned char)token[i] > 0x7e)
			goto bad;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

static int
xs_value_valid(const char *value)
{
	if (value == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (strlen(value) >= MIGXS_VALUE_MAX) {
		errno = E2BIG;
		return -1;
	}
	return 0;
}

static void
xs_copy(char *dst, size_t cap, const char *src)
{
	size_t	 n;

	if (cap == 0)
		return;
	n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* ------------------------------------------------------------------------ */
/* xen backend */

struct migxs *
migxs_open_xen(char *err, size_t errlen)
{
	struct migxs	*x;

	if ((x = calloc(1, sizeof(*x))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	x->kind = XS_XEN;
	x->epfd = x->ifd = x->efd = -1;
	if ((x->xsh = xs_open(0)) == NULL) {
		snprintf(err, errlen, "xenstore unreachable (xs_open): %s",
		    strerror(errno ? errno : ENOENT));
		free(x);
		return NULL;
	}
	return x;
}

static int
xsxen_read(struct migxs *x, const char *path, char *buf, size_t cap)
{
	char		*v;
	unsigned int	 len;

	if ((v = xs_read(x->xsh, XBT_NULL, path, &len)) == NULL)
		return -1;
	if (len >= cap)
		len = cap - 1;
	memcpy(buf, v, len);
	buf[len] = '\0';
	free(v);
	return 0;
}

static int
xsxen_next_event(struct migxs *x, char *path, size_t pathlen, char *token,
    size_t tokenlen)
{
	char	**v;

	if ((v = xs_check_watch(x->xsh)) == NULL)
		return errno == EAGAIN ? 0 : -1;
	xs_copy(path, pathlen, v[XS_WATCH_PATH]);
	xs_copy(token, tokenlen, v[XS_WATCH_TOKEN]);
	free(v);
	return 1;
}

/* ------------------------------------------------------------------------ */
/* dir backend: files */

/* The file-system path of a valid key path; -1 (ENAMETOOLONG) if too long. */
static int
xsdir_resolve(const struct migxs *x, const char *path, char *fs, size_t fslen)
{
	int	 n;

	if (path[0] == '/' || path[0] == '@')
		n = snprintf(fs, fslen, "%s/%s", x->root, path + (path[0] == '/'));
	else
		n = snprintf(fs, fslen, "%s/local/domain/%u/%s", x->root, x->self, path);
	if (n < 0 || (size_t)n >= fslen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/*
 * A unique temporary name in the directory of fs (which has a '/' in it):
 * pid and a process-wide counter, so several handles in one process and
 * several processes on one root never collide.
 */
static int
xsdir_tmpname(struct migxs *x, const char *fs, const char *what, char *tmp, size_t len)
{
	static unsigned	 seq;
	const char	*slash = strrchr(fs, '/');
	int		 n;

	(void)x;
	n = snprintf(tmp, len, "%.*s/.migxs-%s-%ld-%u", (int)(slash - fs), fs, what,
	    (long)getpid(), __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED));
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/*
 * Turn the file key at p into a directory key keeping its value in
 * p/.value.  -1 with ENOENT if p vanished (someone else converted it).
 */
static int
xsdir_convert(struct migxs *x, const char *p)
{
	char		 tmp[PATH_MAX], val[PATH_MAX];
	struct stat	 st;

	if (xsdir_tmpname(x, p, "conv", tmp, sizeof(tmp)) == -1 ||
	    snprintf(val, sizeof(val), "%s/%s", p, XS_VALUE_NAME) >= (int)sizeof(val))
		return -1;
	if (rename(p, tmp) == -1)
		return -1;
	if (mkdir(p, 0755) == -1 && (errno != EEXIST ||
	    lstat(p, &st) == -1 || !S_ISDIR(st.st_mode))) {
		(void)rename(tmp, p);
		return -1;
	}
	if (rename(tmp, val) == -1) {
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

/* Make p a directory, converting a file key there; 0 or -1. */
static int
xsdir_ensure_dir(struct migxs *x, const char *p)
{
	struct stat	 st;
	int		 tries;

	for (tries = 0; tries < 4; tries++) {
		if (mkdir(p, 0755) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
		if (lstat(p, &st) == -1) {
			if (errno == ENOENT)
				continue;
			return -1;
		}
		if (S_ISDIR(st.st_mode))
			return 0;
		if (!S_ISREG(st.st_mode)) {
			errno = ENOTDIR;
			return -1;
		}
		if (xsdir_convert(x, p) == 0)
			return 0;
		if (errno != ENOENT)
			return -1;
	}
	errno = EAGAIN;
	return -1;
}

/* Create every directory above the key at fs (below the root). */
static int
xsdir_mkparents(struct migxs *x, const char *fs)
{
	char	 p[PATH_MAX];
	size_t	 i, rootlen = strlen(x->root);

	xs_copy(p, sizeof(p), fs);
	for (i = rootlen + 1; p[i] != '\0'; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		if (xsdir_ensure_dir(x, p) == -1)
			return -1;
		p[i] = '/';
	}
	return 0;
}

static int
xsdir_read_fd(int fd, char *buf, size_t cap)
{
	size_t	 have = 0;
	ssize_t	 n;

	while (have < cap - 1) {
		n = read(fd, buf + have, cap - 1 - have);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		have += (size_t)n;
	}
	buf[have] = '\0';
	return 0;
}

/* Read the key at fs: a file, or a directory's .value ("" if none). */
static int
xsdir_read_fs(const char *fs, char *buf, size_t cap)
{
	struct stat	 st;
	int		 fd, vfd, rc = -1;

	if ((fd = open(fs, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto done;
	if (S_ISREG(st.st_mode)) {
		rc = xsdir_read_fd(fd, buf, cap);
	} else if (S_ISDIR(st.st_mode)) {
		vfd = openat(fd, XS_VALUE_NAME, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (vfd == -1 && errno == ENOENT) {
			buf[0] = '\0';
			rc = 0;
		} else if (vfd != -1) {
			rc = xsdir_read_fd(vfd, buf, cap);
			close(vfd);
		}
	} else
		errno = EINVAL;
done:
	close(fd);
	return rc;
}

static int
xsdir_read(struct migxs *x, const char *path, char *buf, size_t cap)
{
	char	 fs[PATH_MAX];

	if (xsdir_resolve(x, path, fs, sizeof(fs)) == -1)
		return -1;
	if (xsdir_read_fs(fs, buf, cap) == 0)
		return 0;
	if (errno == ENOENT && strcmp(path, MIGXS_DOMID) == 0) {
		snprintf(buf, cap, "%u", x->self);
		return 0;
	}
	return -1;
}

/* Write value into a new file tmp (whole, or -1 and tmp removed). */
static int
xsdir_write_tmp(const char *tmp, const char *value)
{
	size_t	 len = strlen(value), off = 0;
	ssize_t	 n;
	int	 fd;

	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644)) == -1)
		return -1;
	while (off < len) {
		if ((n = write(fd, value + off, len - off)) == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	if (fd != -1)
		close(fd);
	(void)unlink(tmp);
	return -1;
}

static int
xsdir_write(struct migxs *x, const char *path, const char *value)
{
	char		 fs[PATH_MAX], tmp[PATH_MAX], val[PATH_MAX];
	struct stat	 st;

	if (xsdir_resolve(x, path, fs, sizeof(fs)) == -1 ||
	    snprintf(val, sizeof(val), "%s/%s", fs, XS_VALUE_NAME) >= (int)sizeof(val))
		return -1;
	if (xsdir_mkparents(x, fs) == -1)
		return -1;
	/* A key with children keeps its value inside its directory. */
	if (lstat(fs, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (xsdir_tmpname(x, val, "tmp", tmp, sizeof(tmp)) == -1 ||
		    xsdir_write_tmp(tmp, value) == -1)
			return -1;
		if (rename(tmp, val) == 0)
			return 0;
	} else {
		if (xsdir_tmpname(x, fs, "tmp", tmp, sizeof(tmp)) == -1 ||
		    xsdir_write_tmp(tmp, value) == -1)
			return -1;
		if (rename(tmp, fs) == 0)
			return 0;
		/* It became a directory meanwhile. */
		if ((errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST) &&
		    rename(tmp, val) == 0)
			return 0;
	}
	(void)unlink(tmp);
	return -1;
}

static int
xsdir_rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(p) == -1 && errno != ENOENT ? -1 : 0;
	return unlink(p) == -1 && errno != ENOENT ? -1 : 0;
}

static int
xsdir_rm(struct migxs *x, const char *path)
{
	char		 fs[PATH_MAX], tmp[PATH_MAX];
	struct stat	 st;

	if (xsdir_resolve(x, path, fs, sizeof(fs)) == -1)
		return -1;
	if (lstat(fs, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(fs) == -1 && errno != ENOENT ? -1 : 0;
	/* Take the whole tree out of sight at once, then delete it. */
	if (xsdir_tmpname(x, fs, "rm", tmp, sizeof(tmp)) == -1)
		return -1;
	if (rename(fs, tmp) == -1)
		return errno == ENOENT ? 0 : -1;
	return nftw(tmp, xsdir_rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------------ */
/* dir backend: watches */

/* mkdir -p root; 0, or -1 (ENOTDIR if something else is in the way). */
static int
xsdir_mkroot(const char *root)
{
	char		 p[PATH_MAX], *s, c;
	struct stat	 st;

	xs_copy(p, sizeof(p), root);
	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		c = *s;
		*s = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST)
			return -1;
		if ((*s = c) == '\0')
			break;
	}
	if (stat(p, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

struct migxs *
migxs_open_dir(const char *root, uint32_t self, char *err, size_t errlen)
{
	struct migxs		*x;
	struct epoll_event	 ev;

	if ((x = calloc(1, sizeof(*x))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	x->kind = XS_DIR;
	x->self = self;
	x->epfd = x->ifd = x->efd = -1;
	x->tail = &x->head;
	if (root == NULL || root[0] == '\0' || strlen(root) >= PATH_MAX / 2) {
		snprintf(err, errlen, "dir backend: bad root directory");
		goto fail;
	}
	if (xsdir_mkroot(root) == -1) {
		snprintf(err, errlen, "mkdir %s: %s", root, strerror(errno));
		goto fail;
	}
	if (realpath(root, x->root) == NULL) {
		snprintf(err, errlen, "%s: %s", root, strerror(errno));
		goto fail;
	}
	x->epfd = epoll_create1(EPOLL_CLOEXEC);
	x->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	x->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (x->epfd == -1 || x->ifd == -1 || x->efd == -1) {
		snprintf(err, errlen, "epoll/inotify/eventfd: %s", strerror(errno));
		goto fail;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	if (epoll_ctl(x->epfd, EPOLL_CTL_ADD, x->ifd, &ev) == -1 ||
	    epoll_ctl(x->epfd, EPOLL_CTL_ADD, x->efd, &ev) == -1) {
		snprintf(err, errlen, "epoll_ctl: %s", strerror(errno));
		goto fail;
	}
	return x;
fail:
	migxs_close(x);
	return NULL;
}

static void
xsdir_signal(struct migxs *x, int on)
{
	uint64_t	 v = 1;

	if (on && !x->signalled) {
		if (write(x->efd, &v, sizeof(v)) == sizeof(v))
			x->signalled = 1;
	} else if (!on && x->signalled) {
		if (read(x->efd, &v, sizeof(v)) == sizeof(v) || errno == EAGAIN)
			x->signalled = 0;
	}
}

/*
 * Queue an event for watch w about path (w->path, or w->path/child).
 * Coalesces with an identical pending event; past XS_QUEUE_MAX a child
 * event folds into the watch's own path (the caller re-reads anyway).
 */
static void
xsdir_queue(struct migxs *x, struct xs_watch *w, const char *path, const char *child)
{
	struct xs_event	*e;
	char		 full[XS_PATH_MAX * 2];

	if (child != NULL && x->nevents >= XS_QUEUE_MAX)
		child = NULL;
	if (child != NULL)
		snprintf(full, sizeof(full), "%s/%s", path, child);
	else
		xs_copy(full, sizeof(full), path);
	for (e = x->head; e != NULL; e = e->next)
		if (e->watch == w->id && strcmp(e->path, full) == 0)
			return;
	if ((e = malloc(sizeof(*e) + strlen(full) + 1)) == NULL)
		return;		/* lost event: the watch still fires on the next change */
	e->next = NULL;
	e->watch = w->id;
	memcpy(e->path, full, strlen(full) + 1);
	*x->tail = e;
	x->tail = &e->next;
	x->nevents++;
	xsdir_signal(x, 1);
}

/* Drop pending events of watch id. */
static void
xsdir_purge(struct migxs *x, unsigned id)
{
	struct xs_event	**ep = &x->head, *e;

	while ((e = *ep) != NULL) {
		if (e->watch == id) {
			*ep = e->next;
			free(e);
			x->nevents--;
		} else
			ep = &e->next;
	}
	x->tail = ep;
	if (x->head == NULL)
		xsdir_signal(x, 0);
}

/* Report the direct children of w's directory, once it appeared. */
static void
xsdir_scan_children(struct migxs *x, struct xs_watch *w)
{
	DIR		*d;
	struct dirent	*de;

	if ((d = opendir(w->fspath)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			xsdir_queue(x, w, w->path, de->d_name);
	closedir(d);
}

/* Stop watching wd in the kernel unless another watch still uses it. */
static void
xsdir_release(struct migxs *x, int wd)
{
	struct xs_watch	*w;

	if (wd == -1)
		return;
	for (w = x->watches; w != NULL; w = w->next)
		if (w->pwd == wd || w->swd == wd)
			return;
	(void)inotify_rm_watch(x->ifd, wd);
}

/*
 * Arm w: make its parent directory if missing and watch it; watch the key
 * itself too while it is a directory.  0, or -1 if the parent can't be
 * watched.
 */
static int
xsdir_arm(struct migxs *x, struct xs_watch *w)
{
	char		 parent[PATH_MAX];
	struct stat	 st;

	if (xsdir_mkparents(x, w->fspath) == -1)
		return -1;
	xs_copy(parent, sizeof(parent), w->fspath);
	parent[w->name - w->fspath - 1] = '\0';
	if ((w->pwd = inotify_add_watch(x->ifd, parent, XS_DIR_MASK)) == -1)
		return -1;
	/* If it vanishes meanwhile the parent's event says so. */
	if (lstat(w->fspath, &st) == 0 && S_ISDIR(st.st_mode))
		w->swd = inotify_add_watch(x->ifd, w->fspath, XS_DIR_MASK);
	return 0;
}

/* An event in the parent directory naming w's key. */
static void
xsdir_on_key(struct migxs *x, struct xs_watch *w, uint32_t mask)
{
	int	 old;

	if ((mask & IN_ISDIR) && (mask & (IN_CREATE | IN_MOVED_TO))) {
		/* Arm before reporting: a later change can't go unseen. */
		if (w->swd == -1)
			w->swd = inotify_add_watch(x->ifd, w->fspath, XS_DIR_MASK);
		xsdir_queue(x, w, w->path, NULL);
		xsdir_scan_children(x, w);
		return;
	}
	if ((mask & IN_CREATE) && !(mask & IN_ISDIR))
		return;		/* a file being written in place: IN_CLOSE_WRITE follows */
	if ((mask & (IN_DELETE | IN_MOVED_FROM)) && w->swd != -1) {
		old = w->swd;
		w->swd = -1;
		xsdir_release(x, old);
	}
	xsdir_queue(x, w, w->path, NULL);
}

/* An event inside w's key directory: its .value or a direct child. */
static void
xsdir_on_child(struct migxs *x, struct xs_watch *w, const char *name, uint32_t mask)
{
	const char	*p;

	if (strcmp(name, XS_VALUE_NAME) == 0) {
		if (mask & (IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE | IN_DELETE))
			xsdir_queue(x, w, w->path, NULL);
		return;
	}
	if (name[0] == '.' || ((mask & IN_CREATE) && !(mask & IN_ISDIR)))
		return;		/* ours (temporary), or a file whose write follows */
	for (p = name; *p != '\0'; p++)
		if (!xs_name_char((unsigned char)*p))
			return;	/* not a key: placed there by something else */
	xsdir_queue(x, w, w->path, name);
}

/* The kernel dropped wd (directory removed, or our own rm_watch). */
static void
xsdir_on_ignored(struct migxs *x, struct xs_watch *w, int wd)
{
	if (w->swd == wd)
		w->swd = -1;
	if (w->pwd != wd)
		return;
	/* The key's parent went away: the key with it.  Re-arm, then report. */
	w->pwd = -1;
	(void)xsdir_arm(x, w);
	xsdir_queue(x, w, w->path, NULL);
}

static void
xsdir_dispatch(struct migxs *x, const struct inotify_event *ev)
{
	struct xs_watch	*w;

	for (w = x->watches; w != NULL; w = w->next) {
		if (ev->mask & IN_Q_OVERFLOW) {
			xsdir_queue(x, w, w->path, NULL);
			continue;
		}
		if (ev->mask & IN_IGNORED) {
			xsdir_on_ignored(x, w, ev->wd);
			continue;
		}
		if (ev->len == 0 || ev->name[0] == '\0')
			continue;	/* IN_DELETE_SELF: IN_IGNORED follows */
		if (w->pwd == ev->wd && strcmp(ev->name, w->name) == 0)
			xsdir_on_key(x, w, ev->mask);
		if (w->swd == ev->wd)
			xsdir_on_child(x, w, ev->name, ev->mask);
	}
}

/* Turn what inotify has into queued events; 0, or -1 on a read error. */
static int
xsdir_drain(struct migxs *x)
{
	char			 buf[8 * (sizeof(struct inotify_event) + NAME_MAX + 1)]
			    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t			 n, off;
	int			 reads;

	for (reads = 0; reads < XS_DRAIN_READS; reads++) {
		if ((n = read(x->ifd, buf, sizeof(buf))) == -1) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -1;
		}
		for (off = 0; off + (ssize_t)sizeof(*ev) <= n;
		    off += (ssize_t)(sizeof(*ev) + ev->len)) {
			ev = (const struct inotify_event *)(buf + off);
			xsdir_dispatch(x, ev);
		}
	}
	return 0;
}

static int
xsdir_next_event(struct migxs *x, char *path, size_t pathlen, char *token,
    size_t tokenlen)
{
	struct xs_event	*e;
	struct xs_watch	*w = NULL;

	if (x->head == NULL && xsdir_drain(x) == -1)
		return -1;
	while (w == NULL && (e = x->head) != NULL) {
		if ((x->head = e->next) == NULL)
			x->tail = &x->head;
		x->nevents--;
		for (w = x->watches; w != NULL && w->id != e->watch; w = w->next)
			;
		if (w != NULL) {
			xs_copy(path, pathlen, e->path);
			xs_copy(token, tokenlen, w->token);
		}
		free(e);
	}
	if (x->head == NULL)
		xsdir_signal(x, 0);
	return w != NULL;
}

static void
xsdir_free_watch(struct xs_watch *w)
{
	free(w->path);
	free(w->token);
	free(w->fspath);
	free(w);
}

static int
xsdir_watch(struct migxs *x, const char *path, const char *token)
{
	struct xs_watch	*w;
	int		 saved;

	for (w = x->watches; w != NULL; w = w->next)
		if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0) {
			errno = EEXIST;
			return -1;
		}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	w->pwd = w->swd = -1;
	w->id = ++x->next_id;
	w->path = strdup(path);
	w->token = strdup(token);
	w->fspath = malloc(PATH_MAX);
	if (w->path == NULL || w->token == NULL || w->fspath == NULL ||
	    xsdir_resolve(x, path, w->fspath, PATH_MAX) == -1)
		goto fail;
	w->name = strrchr(w->fspath, '/') + 1;
	if (xsdir_arm(x, w) == -1)
		goto fail;
	w->next = x->watches;
	x->watches = w;
	xsdir_queue(x, w, w->path, NULL);	/* xenstore fires once at once */
	return 0;
fail:
	saved = errno;
	if (w->swd != -1)
		xsdir_release(x, w->swd);
	if (w->pwd != -1)
		xsdir_release(x, w->pwd);
	xsdir_free_watch(w);
	errno = saved;
	return -1;
}

static int
xsdir_unwatch(struct migxs *x, const char *path, const char *token)
{
	struct xs_watch	**wp, *w;
	int		 pwd, swd;

	for (wp = &x->watches; (w = *wp) != NULL; wp = &w->next)
		if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0)
			break;
	if (w == NULL) {
		errno = ENOENT;
		return -1;
	}
	*wp = w->next;
	xsdir_purge(x, w->id);
	pwd = w->pwd;
	swd = w->swd;
	xsdir_free_watch(w);
	xsdir_release(x, pwd);
	xsdir_release(x, swd);
	return 0;
}

/* ------------------------------------------------------------------------ */
/*
 * The interface (contracts: migxs.h).  Every entry point validates the path
 * (xs_path_valid), the token and the value length first, so both backends
 * accept exactly the same inputs.  Once migxs_fd() is readable, call
 * migxs_next_event() until it returns 0: libxenstore may stop showing the
 * fd readable while events are still queued (xs_check_watch), and the dir
 * backend reads inotify in batches.
 */

int
migxs_read(struct migxs *x, const char *path, char *buf, size_t cap)
{
	if (x == NULL || buf == NULL || cap == 0) {
		errno = EINVAL;
		return -1;
	}
	if (xs_path_valid(path) == -1)
		return -1;
	if (x->kind == XS_XEN)
		return xsxen_read(x, path, buf, cap);
	return xsdir_read(x, path, buf, cap);
}

int
migxs_write(struct migxs *x, const char *path, const char *value)
{
	if (x == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (xs_path_valid(path) == -1 || xs_value_valid(value) == -1)
		return -1;
	if (x->kind == XS_XEN)
		return xs_write(x->xsh, XBT_NULL, path, value, strlen(value)) ? 0 : -1;
	return xsdir_write(x, path, value);
}

int
migxs_rm(struct migxs *x, const char *path)
{
	if (x == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (xs_path_valid(path) == -1)
		return -1;
	if (x->kind == XS_XEN)
		return xs_rm(x->xsh, XBT_NULL, path) || errno == ENOENT ? 0 : -1;
	return xsdir_rm(x, path);
}

int
migxs_watch(struct migxs *x, const char *path, const char *token)
{
	if (x == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (xs_path_valid(path) == -1 || xs_token_valid(token) == -1)
		return -1;
	if (x->kind == XS_XEN)
		return xs_watch(x->xsh, path, token) ? 0 : -1;
	return xsdir_watch(x, path, token);
}

int
migxs_unwatch(struct migxs *x, const char *path, const char *token)
{
	if (x == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (xs_path_valid(path) == -1 || xs_token_valid(token) == -1)
		return -1;
	if (x->kind == XS_XEN)
		return xs_unwatch(x->xsh, path, token) ? 0 : -1;
	return xsdir_unwatch(x, path, token);
}

int
migxs_fd(const struct migxs *x)
{
	if (x == NULL)
		return -1;
	return x->kind == XS_XEN ? xs_fileno(x->xsh) : x->epfd;
}

int
migxs_next_event(struct migxs *x, char *path, size_t pathlen, char *token,
    size_t tokenlen)
{
	if (x == NULL || path == NULL || pathlen == 0 || token == NULL || tokenlen == 0) {
		errno = EINVAL;
		return -1;
	}
	if (x->kind == XS_XEN)
		return xsxen_next_event(x, path, pathlen, token, tokenlen);
	return xsdir_next_event(x, path, pathlen, token, tokenlen);
}

long
migxs_self_domid(struct migxs *x)
{
	char	 buf[32], *end;
	long	 v;

	if (migxs_read(x, MIGXS_DOMID, buf, sizeof(buf)) == -1)
		return -1;
	errno = 0;
	v = strtol(buf, &end, 10);
	/* Real domain ids stop below DOMID_FIRST_RESERVED (0x7ff0). */
	if (errno != 0 || end == buf || *end != '\0' || v < 0 || v > 0x7fef)
		return -1;
	return v;
}

void
migxs_close(struct migxs *x)
{
	struct xs_watch	*w;
	struct xs_event	*e;

	if (x == NULL)
		return;
	if (x->xsh != NULL)
		xs_close(x->xsh);
	while ((w = x->watches) != NULL) {
		x->watches = w->next;
		xsdir_free_watch(w);
	}
	while ((e = x->head) != NULL) {
		x->head = e->next;
		free(e);
	}
	if (x->epfd != -1)
		close(x->epfd);
	if (x->ifd != -1)
		close(x->ifd);
	if (x->efd != -1)
		close(x->efd);
	free(x);
}
