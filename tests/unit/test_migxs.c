/*
 * test_migxs.c - proto/migxs.c: the dir backend in full (keys, paths,
 * watches, two processes on one root), and the xen backend's clean
 * failure on a host without Xen.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "migxs.h"

#define SELF		7
#define WAIT_MS		5000	/* generous: only there so a bug can't hang the test */

struct fx {
	char		 root[128];
	struct migxs	*x;
};

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(p) : unlink(p);
}

static int
setup(void **state)
{
	struct fx	*f = calloc(1, sizeof(*f));
	const char	*tmp = getenv("TMPDIR");
	char		 err[256];

	assert_non_null(f);
	snprintf(f->root, sizeof(f->root), "%s/test_migxs.XXXXXX", tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->root));
	f->x = migxs_open_dir(f->root, SELF, err, sizeof(err));
	assert_non_null(f->x);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;

	migxs_close(f->x);
	nftw(f->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* 1 if fd is readable within ms. */
static int
readable(int fd, int ms)
{
	struct pollfd	 p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* Wait (bounded) for one event; 1 with path/token, 0 if none came. */
static int
next_event(struct migxs *x, char *path, size_t plen, char *tok, size_t tlen, int ms)
{
	int	 rc, waited;

	for (waited = 0; waited <= ms; waited += 10) {
		if ((rc = migxs_next_event(x, path, plen, tok, tlen)) != 0)
			return rc;
		readable(migxs_fd(x), 10);
	}
	return 0;
}

/* Events pending right now (none expected to arrive later). */
static int
count_pending(struct migxs *x)
{
	char	 p[256], t[64];
	int	 n = 0;

	while (migxs_next_event(x, p, sizeof(p), t, sizeof(t)) == 1)
		n++;
	return n;
}

static void
file_content(const char *root, const char *rel, char *buf, size_t cap)
{
	char	 p[512];
	ssize_t	 n;
	int	 fd;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, cap - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
}

/* ------------------------------------------------------------------------ */

static void
test_roundtrip(void **state)
{
	struct fx	*f = *state;
	char		 buf[MIGXS_VALUE_MAX];

	assert_int_equal(migxs_write(f->x, MIGXS_QUIESCE, "0"), 0);
	assert_int_equal(migxs_read(f->x, MIGXS_QUIESCE, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0");
	/* Relative is under /local/domain/<self>, stored as a bare value. */
	assert_int_equal(migxs_read(f->x, "/local/domain/7/data/migbridge/quiesce",
	    buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0");
	file_content(f->root, "local/domain/7/data/migbridge/quiesce", buf, sizeof(buf));
	assert_string_equal(buf, "0");
	/* Overwrite, absolute. */
	assert_int_equal(migxs_write(f->x, "/local/domain/7/data/migbridge/quiesce", "1"), 0);
	assert_int_equal(migxs_read(f->x, MIGXS_QUIESCE, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1");
	/* Empty value. */
	assert_int_equal(migxs_write(f->x, "/tool/x", ""), 0);
	assert_int_equal(migxs_read(f->x, "/tool/x", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	file_content(f->root, "tool/x", buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static void
test_missing_and_rm(void **state)
{
	struct fx	*f = *state;
	char		 buf[64], p[512];
	struct stat	 st;

	errno = 0;
	assert_int_equal(migxs_read(f->x, "data/none", buf, sizeof(buf)), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(migxs_rm(f->x, "data/none"), 0);

	assert_int_equal(migxs_write(f->x, "data/migbridge/a", "1"), 0);
	assert_int_equal(migxs_write(f->x, "data/migbridge/b/c", "2"), 0);
	assert_int_equal(migxs_rm(f->x, "data/migbridge/a"), 0);
	assert_int_equal(migxs_read(f->x, "data/migbridge/a", buf, sizeof(buf)), -1);
	assert_int_equal(migxs_read(f->x, "data/migbridge/b/c", buf, sizeof(buf)), 0);
	/* Recursive. */
	assert_int_equal(migxs_rm(f->x, MIGXS_DIR), 0);
	assert_int_equal(migxs_read(f->x, "data/migbridge/b/c", buf, sizeof(buf)), -1);
	assert_int_equal(errno, ENOENT);
	snprintf(p, sizeof(p), "%s/local/domain/7/data/migbridge", f->root);
	assert_int_equal(lstat(p, &st), -1);
	/* Nothing left behind in the parent (no temporary trees). */
	snprintf(p, sizeof(p), "%s/local/domain/7/data", f->root);
	assert_int_equal(rmdir(p), 0);
}

static void
test_value_and_children(void **state)
{
	struct fx	*f = *state;
	char		 buf[64];

	/* A key with a value gains children, and keeps its value. */
	assert_int_equal(migxs_write(f->x, "k", "1"), 0);
	assert_int_equal(migxs_write(f->x, "k/c", "2"), 0);
	assert_int_equal(migxs_read(f->x, "k", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1");
	assert_int_equal(migxs_read(f->x, "k/c", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2");
	assert_int_equal(migxs_write(f->x, "k", "3"), 0);
	assert_int_equal(migxs_read(f->x, "k", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "3");
	/* An intermediate node made implicitly reads as "". */
	assert_int_equal(migxs_write(f->x, "/a/b/c", "x"), 0);
	assert_int_equal(migxs_read(f->x, "/a/b", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	/* A deep write below a file key converts every level needed. */
	assert_int_equal(migxs_write(f->x, "/a/b/c/d/e", "y"), 0);
	assert_int_equal(migxs_read(f->x, "/a/b/c", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "x");
	assert_int_equal(migxs_read(f->x, "/a/b/c/d/e", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "y");
}

static void
test_path_validation(void **state)
{
	struct fx	*f = *state;
	static const char *bad[] = {
		"", "/", "//", "a//b", "a/", "/a/", "..", "../x", "a/../b", "a/..",
		".", "a/./b", "a/.value", ".hidden", "a/b c", "a\x01", "a/\x7f",
		"a/b\n", "a/\xc3\xa9", "a\\b", "a/*", "a:b",
	};
	static const char *good[] = {
		"a.b", "@introduceDomain", "a-b_c/D9", "/x.y/z", "data/migbridge/vchan",
	};
	char		 buf[64], longp[1100];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_int_equal(migxs_write(f->x, bad[i], "v"), -1);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(migxs_read(f->x, bad[i], buf, sizeof(buf)), -1);
		assert_int_equal(migxs_rm(f->x, bad[i]), -1);
		assert_int_equal(migxs_watch(f->x, bad[i], "t"), -1);
		assert_int_equal(errno, EINVAL);
	}
	assert_int_equal(migxs_write(f->x, NULL, "v"), -1);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(migxs_write(f->x, good[i], "v"), 0);
		assert_int_equal(migxs_read(f->x, good[i], buf, sizeof(buf)), 0);
		assert_string_equal(buf, "v");
	}
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	assert_int_equal(migxs_write(f->x, longp, "v"), -1);
	/* Tokens: non-empty, printable, no spaces. */
	assert_int_equal(migxs_watch(f->x, "k", ""), -1);
	assert_int_equal(migxs_watch(f->x, "k", "a b"), -1);
	/* Absolute paths land under the root. */
	file_content(f->root, "x.y/z", buf, sizeof(buf));
	assert_string_equal(buf, "v");
}

static void
test_value_limits(void **state)
{
	struct fx	*f = *state;
	char		 v[MIGXS_VALUE_MAX + 1], buf[MIGXS_VALUE_MAX + 8], small[4];

	memset(v, 'v', MIGXS_VALUE_MAX - 1);
	v[MIGXS_VALUE_MAX - 1] = '\0';
	assert_int_equal(migxs_write(f->x, "big", v), 0);
	assert_int_equal(migxs_read(f->x, "big", buf, sizeof(buf)), 0);
	assert_int_equal(strlen(buf), MIGXS_VALUE_MAX - 1);
	assert_string_equal(buf, v);
	/* One byte more is refused, and the old value stays. */
	v[MIGXS_VALUE_MAX - 1] = 'v';
	v[MIGXS_VALUE_MAX] = '\0';
	errno = 0;
	assert_int_equal(migxs_write(f->x, "big", v), -1);
	assert_int_equal(errno, E2BIG);
	assert_int_equal(migxs_read(f->x, "big", buf, sizeof(buf)), 0);
	assert_int_equal(strlen(buf), MIGXS_VALUE_MAX - 1);
	/* Reads truncate to the buffer, NUL-terminated. */
	assert_int_equal(migxs_read(f->x, "big", small, sizeof(small)), 0);
	assert_string_equal(small, "vvv");
	assert_int_equal(migxs_read(f->x, "big", small, 0), -1);
	assert_int_equal(migxs_write(f->x, "k", NULL), -1);
}

static void
test_domid(void **state)
{
	struct fx	*f = *state;
	char		 buf[32];

	assert_int_equal(migxs_self_domid(f->x), SELF);
	assert_int_equal(migxs_read(f->x, MIGXS_DOMID, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "7");
	/* A domid key, once written, is what is reported. */
	assert_int_equal(migxs_write(f->x, MIGXS_DOMID, "12"), 0);
	assert_int_equal(migxs_self_domid(f->x), 12);
	assert_int_equal(migxs_write(f->x, MIGXS_DOMID, "junk"), 0);
	assert_int_equal(migxs_self_domid(f->x), -1);
	assert_int_equal(migxs_write(f->x, MIGXS_DOMID, "32752"), 0);
	assert_int_equal(migxs_self_domid(f->x), -1);
	/* Only the relative "domid" falls back to self. */
	assert_int_equal(migxs_read(f->x, "/domid", buf, sizeof(buf)), -1);
}

static void
test_watch_registration(void **state)
{
	struct fx	*f = *state;
	char		 p[256], t[64];
	int		 fd = migxs_fd(f->x);

	assert_true(fd >= 0);
	assert_false(readable(fd, 0));
	assert_int_equal(migxs_next_event(f->x, p, sizeof(p), t, sizeof(t)), 0);
	/* Fires once at once, even for a key that does not exist yet. */
	assert_int_equal(migxs_watch(f->x, MIGXS_QUIESCE, "q"), 0);
	assert_true(readable(fd, 0));
	assert_int_equal(migxs_next_event(f->x, p, sizeof(p), t, sizeof(t)), 1);
	assert_string_equal(p, MIGXS_QUIESCE);
	assert_string_equal(t, "q");
	assert_int_equal(migxs_next_event(f->x, p, sizeof(p), t, sizeof(t)), 0);
	assert_false(readable(fd, 0));
	/* Small output buffers truncate. */
	assert_int_equal(migxs_watch(f->x, "domid", "tok"), 0);
	assert_int_equal(migxs_next_event(f->x, p, 4, t, 2), 1);
	assert_string_equal(p, "dom");
	assert_string_equal(t, "t");
	assert_int_equal(migxs_next_event(f->x, p, 0, t, 2), -1);
}

static void
test_watch_each_change(void **state)
{
	struct fx	*f = *state;
	char		 p[256], t[64], v[16];
	const char	*values[] = { "0", "1", "0" };
	size_t		 i;

	assert_int_equal(migxs_watch(f->x, MIGXS_STATE, "st"), 0);
	assert_int_equal(count_pending(f->x), 1);
	for (i = 0; i < 3; i++) {
		assert_int_equal(migxs_write(f->x, MIGXS_STATE, values[i]), 0);
		assert_int_equal(next_event(f->x, p, sizeof(p), t, sizeof(t), WAIT_MS), 1);
		assert_string_equal(p, MIGXS_STATE);
		assert_string_equal(t, "st");
		assert_int_equal(migxs_read(f->x, p, v, sizeof(v)), 0);
		assert_string_equal(v, values[i]);
		/* An atomic write is one event. */
		assert_false(readable(migxs_fd(f->x), 50));
		assert_int_equal(count_pending(f->x), 0);
	}
	/* A write in place by something else (not temp + rename) fires. */
	snprintf(p, sizeof(p), "%s/local/domain/7/%s", f->root, MIGXS_STATE);
	i = (size_t)open(p, O_WRONLY | O_TRUNC);
	assert_true((int)i >= 0);
	assert_int_equal(write((int)i, "9", 1), 1);
	close((int)i);
	assert_int_equal(next_event(f->x, p, sizeof(p), t, sizeof(t), WAIT_MS), 1);
	assert_string_equal(p, MIGXS_STATE);
	assert_int_equal(migxs_read(f->x, p, v, sizeof(v)), 0);
	assert_string_equal(v, "9");
	/* Removal fires too. */
	assert_int_equal(migxs_rm(f->x, MIGXS_STATE), 0);
	assert_int_equal(next_event(f->x, p, sizeof(p), t, sizeof(t), WAIT_MS), 1);
	assert_int_equal(migxs_read(f->x, MIGXS_STATE, v, sizeof(v)), -1);
}

static void
test_watch_shared_dir(void **state)
{
	struct fx	*f = *state;
	char		 p[256], t[64];

	assert_int_equal(migxs_watch(f->x, MIGXS_QUIESCE, "q"), 0);
	assert_int_equal(migxs_watch(f->x, MIGXS_STATE, "s"), 0);
	assert_int_equal(migxs_watch(f->x, MIGXS_STATE, "s2"), 0);
	assert_int_equal(count_pending(f->x), 3);
	/* A write to one key fires only that key's watches. */
	assert_int_equal(migxs_write(f->x, MIGXS_QUIESCE, "1"), 0);
	assert_int_equal(next_event(f->x, p, sizeof(p), t, sizeof(t), WAIT_MS), 1);
	assert_string_equal(p, MIGXS_QUIESCE);
	assert_string_equal(t, "q");
	assert_int_equal(count_pending(f->x), 0);
	/* Unwatching one of two sharing a directory leaves the other working. */
	assert_int_equal(migxs_unwatch(f->x, MIGXS_QUIESCE, "q"), 0);
	assert_int_equal(migxs_write(f->x, MIGXS_STATE, MIGXS_STATE_SERVING), 0);
	assert_int_equal(next_event(f->x, p, sizeof(p), t, sizeof(t), WAIT_MS), 1);
	assert_string_equal(p, MIGXS_STATE);
	assert_int_equal(next_event(f->x, p, sizeof(p), t, sizeof(t), WAIT_MS), 1);
	assert_string_equal(p, MIGXS_STATE);
	assert_int_equal(count_pending(f->x), 0);
	/* Another token on the same path is a second watch; the same is not. */
	errno = 0;
	assert_int_equal(migxs_watch(f->x, MIGXS_STATE, "s"), -1);
	assert_int_equal(errno, EEXIST);
	errno = 0;
	assert_int_equal(migxs_unwatch(f->x, MIGXS_STATE, "nope"), -1);
	assert_int_equal(errno, ENOENT);
}

static void
test_unwatch(void **state)
{
	struct fx	*f = *state;
	char		 p[256], t[64];

	/* Unwatch drops what is still pending for that watch. */
	assert_int_equal(migxs_watch(f->x, MIGXS_QUIESCE, "q"), 0);
	assert_int_equal(migxs_unwatch(f->x, MIGXS_QUIESCE, "q"), 0);
	assert_int_equal(migxs_next_event(f->x, p, sizeof(p), t, sizeof(t)), 0);
	assert_false(readable(migxs_fd(f->x), 0));
	/* And later changes are not reported. */
	assert_int_equal(migxs_write(f->x, MIGXS_QUIESCE, "1"), 0);
	assert_int_equal(migxs_rm(f->x, MIGXS_QUIESCE), 0);
	assert_int_equal(next_event(f->x, p, sizeof(p), t, sizeof(t), 200), 0);
	/* Watching again works. */
	assert_int_equal(migxs_watch(f->x, MIGXS_QUIESCE, "q"), 0);
	assert_int_equal(count_pending(f->x), 1);
	assert_int_equal(migxs_write(f->x, MIGXS_QUIESCE, "0"), 0);
	assert_int_equal(next_event(f->x, p, sizeof(p), t, sizeof(t), WAIT_MS), 1);
}

static void
test_watch_directory_key(void **state)
{
	struct fx	*f = *state;
	char		 p[256], t[64];

	assert_int_equal(migxs_watch(f->x, MIGXS_DIR, "dir"), 0);
	assert_int_equal(count_pending(f->x), 1);
	/* The first child turns the key into a directory: the key fires. */
	assert_int_equal(migxs_write(f->x, MIGXS_QUIESCE, "0"), 0);
	assert_int_equal(next_event(f->x, p, sizeof(p), t, sizeof(t), WAIT_MS), 1);
	assert_string_equal(t, "dir");
	while (next_event(f->x, p, sizeof(p), t, sizeof(t), 100) == 1)
		;
	/* Then each direct child's change is reported with its own path. */
	assert_int_equal(migxs_write(f->x, MIGXS_STATE, MIGXS_STATE_SERVING), 0);
	assert_int_equal(next_event(f->x, p, sizeof(p), t, sizeof(t), WAIT_MS), 1);
	assert_string_equal(p, MIGXS_STATE);
	assert_string_equal(t, "dir");
	/* The key's own value. */
	assert_int_equal(migxs_write(f->x, MIGXS_DIR, "v"), 0);
	assert_int_equal(next_event(f->x, p, sizeof(p), t, sizeof(t), WAIT_MS), 1);
	assert_string_equal(p, MIGXS_DIR);
	/* Removing the tree reports the key. */
	assert_int_equal(migxs_rm(f->x, MIGXS_DIR), 0);
	assert_int_equal(next_event(f->x, p, sizeof(p), t, sizeof(t), WAIT_MS), 1);
	assert_string_equal(p, MIGXS_DIR);
}

static void
test_watch_parent_removed(void **state)
{
	struct fx	*f = *state;
	char		 p[256], t[64], v[16];

	assert_int_equal(migxs_write(f->x, MIGXS_QUIESCE, "0"), 0);
	assert_int_equal(migxs_watch(f->x, MIGXS_QUIESCE, "q"), 0);
	assert_int_equal(count_pending(f->x), 1);
	/* The whole data/migbridge tree goes (as on a migration). */
	assert_int_equal(migxs_rm(f->x, MIGXS_DIR), 0);
	assert_int_equal(next_event(f->x, p, sizeof(p), t, sizeof(t), WAIT_MS), 1);
	assert_string_equal(p, MIGXS_QUIESCE);
	while (next_event(f->x, p, sizeof(p), t, sizeof(t), 100) == 1)
		;
	assert_int_equal(migxs_read(f->x, MIGXS_QUIESCE, v, sizeof(v)), -1);
	/* The watch survives and reports the key's return. */
	assert_int_equal(migxs_write(f->x, MIGXS_QUIESCE, "1"), 0);
	assert_int_equal(next_event(f->x, p, sizeof(p), t, sizeof(t), WAIT_MS), 1);
	assert_string_equal(p, MIGXS_QUIESCE);
	assert_int_equal(migxs_read(f->x, p, v, sizeof(v)), 0);
	assert_string_equal(v, "1");
}

/*
 * The quiesce handshake across two processes on one root: this process
 * plays the agent (watches quiesce, answers with state), the child the
 * precopy hook (writes quiesce = 1, waits for state = quiesced).
 */
static int
hook_child(const char *root)
{
	struct migxs	*x;
	char		 err[256], p[256], t[64], v[32];
	int		 waited;

	if ((x = migxs_open_dir(root, SELF, err, sizeof(err))) == NULL)
		return 10;
	if (migxs_watch(x, "/local/domain/7/data/migbridge/state", "st") == -1)
		return 11;
	if (migxs_write(x, "/local/domain/7/data/migbridge/quiesce", "1") == -1)
		return 12;
	for (waited = 0; waited < WAIT_MS; waited += 10) {
		if (migxs_next_event(x, p, sizeof(p), t, sizeof(t)) == 1 &&
		    migxs_read(x, p, v, sizeof(v)) == 0 &&
		    strcmp(v, MIGXS_STATE_QUIESCED) == 0) {
			migxs_close(x);
			return 0;
		}
		readable(migxs_fd(x), 10);
	}
	return 13;
}

static void
test_two_processes(void **state)
{
	struct fx	*f = *state;
	char		 p[256], t[64], v[32];
	pid_t		 pid;
	int		 status, got = 0;

	assert_int_equal(migxs_write(f->x, MIGXS_QUIESCE, "0"), 0);
	assert_int_equal(migxs_write(f->x, MIGXS_STATE, MIGXS_STATE_SERVING), 0);
	assert_int_equal(migxs_watch(f->x, MIGXS_QUIESCE, "quiesce"), 0);
	assert_int_equal(count_pending(f->x), 1);
	if ((pid = fork()) == 0)
		_exit(hook_child(f->root));
	assert_true(pid > 0);
	while (!got && next_event(f->x, p, sizeof(p), t, sizeof(t), WAIT_MS) == 1) {
		assert_string_equal(p, MIGXS_QUIESCE);
		assert_string_equal(t, "quiesce");
		assert_int_equal(migxs_read(f->x, p, v, sizeof(v)), 0);
		got = strcmp(v, "1") == 0;
	}
	assert_true(got);
	assert_int_equal(migxs_write(f->x, MIGXS_STATE, MIGXS_STATE_QUIESCED), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* A concurrent reader sees whole values only (write is temp + rename). */
static void
test_atomic_write(void **state)
{
	struct fx	*f = *state;
	char		 a[201], b[201], v[MIGXS_VALUE_MAX];
	pid_t		 pid;
	int		 i, status, reads = 0;

	memset(a, 'a', 200);
	memset(b, 'b', 200);
	a[200] = b[200] = '\0';
	assert_int_equal(migxs_write(f->x, "val", a), 0);
	if ((pid = fork()) == 0) {
		char		 err[256];
		struct migxs	*x = migxs_open_dir(f->root, SELF, err, sizeof(err));

		for (i = 0; x != NULL && i < 2000; i++)
			if (migxs_write(x, "val", i % 2 ? a : b) == -1)
				_exit(1);
		_exit(x == NULL ? 2 : 0);
	}
	assert_true(pid > 0);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		assert_int_equal(migxs_read(f->x, "val", v, sizeof(v)), 0);
		assert_true(strcmp(v, a) == 0 || strcmp(v, b) == 0);
		reads++;
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(reads > 0);
}

static void
test_xen_unavailable(void **state)
{
	struct migxs	*x;
	char		 err[256] = "";

	(void)state;
	if (access("/dev/xen/xenbus", F_OK) == 0 ||
	    access("/var/run/xenstored/socket", F_OK) == 0 ||
	    access("/run/xenstored/socket", F_OK) == 0)
		skip();
	x = migxs_open_xen(err, sizeof(err));
	assert_null(x);
	assert_true(strlen(err) > 0);
	assert_non_null(strstr(err, "xenstore"));
	migxs_close(NULL);
}

/* Two handles in one process on one root see each other's writes. */
static void
test_two_handles(void **state)
{
	struct fx	*f = *state;
	struct migxs	*y;
	char		 err[256], p[256], t[64], v[16], nested[300];
	int		 i;

	snprintf(nested, sizeof(nested), "%s/sub/dir/xs", f->root);
	assert_non_null(y = migxs_open_dir(f->root, SELF, err, sizeof(err)));
	assert_int_equal(migxs_watch(y, MIGXS_QUIESCE, "y"), 0);
	assert_int_equal(count_pending(y), 1);
	for (i = 0; i < 20; i++) {
		assert_int_equal(migxs_write(i % 2 ? f->x : y, MIGXS_QUIESCE, i % 2 ? "1" : "0"), 0);
		assert_int_equal(next_event(y, p, sizeof(p), t, sizeof(t), WAIT_MS), 1);
		assert_int_equal(migxs_read(f->x, MIGXS_QUIESCE, v, sizeof(v)), 0);
		assert_string_equal(v, i % 2 ? "1" : "0");
	}
	migxs_close(y);
	/* A root whose parents are missing is created whole. */
	assert_non_null(y = migxs_open_dir(nested, 3, err, sizeof(err)));
	assert_int_equal(migxs_self_domid(y), 3);
	migxs_close(y);
}

static void
test_open_dir_errors(void **state)
{
	char	 err[256] = "";

	(void)state;
	assert_null(migxs_open_dir("", 1, err, sizeof(err)));
	assert_true(strlen(err) > 0);
	err[0] = '\0';
	assert_null(migxs_open_dir("/proc/self/nonexistent/x", 1, err, sizeof(err)));
	assert_true(strlen(err) > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_and_rm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_value_and_children, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_value_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_registration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_each_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_shared_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_directory_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_parent_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_processes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_atomic_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_handles, setup, teardown),
		cmocka_unit_test(test_xen_unavailable),
		cmocka_unit_test(test_open_dir_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
