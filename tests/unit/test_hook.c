/*
 * test_hook.c - libmigstate-precopy.so's policy (dom0-bridge/hook.c),
 * driven call by call as libxenguest's send loop drives it, against a
 * scripted fake migbridge on a Unix socket (a thread of this test).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "migwire.h"
#include "migxs.h"
#include "dom0-bridge/hook.h"

#define C	XGS_POLICY_CONTINUE_PRECOPY
#define S	XGS_POLICY_STOP_AND_COPY

/* What the fake bridge answers to a DOMAIN-QUERY. */
enum fake_mode { FAKE_VERDICTS, FAKE_GARBAGE, FAKE_WRONG_ID, FAKE_ERROR, FAKE_SILENT };

struct fake {
	char			 dir[64];
	char			 path[108];
	int			 lfd;
	enum fake_mode		 mode;
	const int		*decisions;	/* per query; the last repeats */
	int			 ndecisions;
	pthread_t		 thread;
	/* recorded */
	struct wire_domain_query q[64];
	int			 nq;
	struct wire_migration_end end;
	int			 nend;
};

static int
fake_read(int fd, void *buf, size_t len)
{
	size_t	 off = 0;
	ssize_t	 n;

	while (off < len) {
		n = read(fd, (char *)buf + off, len - off);
		if (n <= 0)
			return -1;
		off += n;
	}
	return 0;
}

static void
fake_answer(struct fake *f, int fd, const struct wire_domain_query *q)
{
	struct wire_verdict	 v = { .migration_id = q->migration_id };
	struct wire_error	 e = { .code = EINVAL, .text = "no" };
	uint8_t			 buf[256];
	size_t			 len = 0;
	int			 i = f->nq - 1;

	if (i >= f->ndecisions)
		i = f->ndecisions - 1;
	v.decision = f->decisions[i];
	v.vreason = v.decision == WIRE_D_STOP ? WIRE_VR_SUITABLE : WIRE_VR_DEFER;
	v.total = v.unsuitable = v.reasons[WIRE_R_PROCESSING] = 3;
	switch (f->mode) {
	case FAKE_SILENT:
		return;
	case FAKE_GARBAGE:
		memset(buf, 0xff, 64);
		len = 64;
		break;
	case FAKE_WRONG_ID:
		v.migration_id++;
		/* FALLTHROUGH */
	case FAKE_VERDICTS:
		len = wire_encode_verdict(buf, sizeof(buf), &v);
		break;
	case FAKE_ERROR:
		len = wire_encode_error(buf, sizeof(buf), &e);
		break;
	}
	if (write(fd, buf, len) != (ssize_t)len)
		fail_msg("fake bridge: short write");
}

/* One client at a time, frames until it closes; stops on shutdown(lfd). */
static void *
fake_main(void *arg)
{
	struct fake	*f = arg;
	uint8_t		 hdr[8], pl[WIRE_MAX_PAYLOAD];
	const char	*why;
	uint32_t	 type, len;
	int		 fd;

	while ((fd = accept(f->lfd, NULL, NULL)) >= 0) {
		while (fake_read(fd, hdr, 8) == 0) {
			type = hdr[0] | hdr[1] << 8 | hdr[2] << 16 | (uint32_t)hdr[3] << 24;
			len = hdr[4] | hdr[5] << 8 | hdr[6] << 16 | (uint32_t)hdr[7] << 24;
			if (len > sizeof(pl) || fake_read(fd, pl, len) < 0)
				break;
			if (type == WIRE_T_DOMAIN_QUERY && f->nq < 64 &&
			    wire_sanitize_domain_query(pl, len, &f->q[f->nq], &why) == 0) {
				f->nq++;
				fake_answer(f, fd, &f->q[f->nq - 1]);
			} else if (type == WIRE_T_MIGRATION_END &&
			    wire_sanitize_migration_end(pl, len, &f->end, &why) == 0)
				__atomic_add_fetch(&f->nend, 1, __ATOMIC_SEQ_CST);
		}
		close(fd);
	}
	return NULL;
}

static void
fake_start(struct fake *f, enum fake_mode mode, const int *decisions, int n)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	memset(f, 0, sizeof(*f));
	f->mode = mode;
	f->decisions = decisions;
	f->ndecisions = n;
	snprintf(f->dir, sizeof(f->dir), "%s/test_hook.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/q.sock", f->dir);
	memcpy(sun.sun_path, f->path, sizeof(f->path));
	f->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(f->lfd >= 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(f->lfd, 4), 0);
	assert_int_equal(pthread_create(&f->thread, NULL, fake_main, f), 0);
	setenv("MIGSTATE_QUERY_SOCKET", f->path, 1);
}

/* Stop the fake bridge, once it has seen a MIGRATION-END (1 s at most). */
static void
fake_stop(struct fake *f)
{
	int i;

	for (i = 0; i < 1000 && __atomic_load_n(&f->nend, __ATOMIC_SEQ_CST) == 0; i++)
		usleep(1000);
	shutdown(f->lfd, SHUT_RDWR);
	pthread_join(f->thread, NULL);
	close(f->lfd);
	unlink(f->path);
	rmdir(f->dir);
}

static int
call(unsigned iteration, long dirty)
{
	struct precopy_stats st = { .iteration = iteration, .dirty_count = dirty };

	return hook_policy(st, NULL);
}

/* Calls of libxenguest's loop up to the stock stop: 5 rounds, no early stop. */
static void
rounds_to_five(void)
{
	unsigned i;

	for (i = 0; i < 5; i++) {
		assert_int_equal(call(i, 1000), C);
		if (i < 4)
			assert_int_equal(call(i + 1, -1), C);
	}
}

static char	xsroot[64];	/* the migxs dir backend's root, per test */
static char	xsspec[80];

static int
setup(void **state)
{
	(void)state;
	snprintf(xsroot, sizeof(xsroot), "%s/test_hook_xs.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(xsroot));
	snprintf(xsspec, sizeof(xsspec), "dir:%s", xsroot);
	setenv("MIGSTATE_HOOK_LOG", "off", 1);
	setenv("MIGSTATE_XS", xsspec, 1);
	unsetenv("MIGSTATE_DEADLINE_S");
	setenv("MIGSTATE_QUERY_TIMEOUT_MS", "50", 1);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", xsroot);
	return system(cmd) == 0 ? 0 : -1;
}

/* The stock rule of libxenguest 4.17. */
static void
test_stock(void **state)
{
	(void)state;
	assert_int_equal(hook_stock(0, 131072), C);
	assert_int_equal(hook_stock(4, 50), C);
	assert_int_equal(hook_stock(4, 49), S);
	assert_int_equal(hook_stock(1, 0), S);
	assert_int_equal(hook_stock(4, -1), C);
	assert_int_equal(hook_stock(5, -1), S);
	assert_int_equal(hook_stock(5, 100000), S);
}

/* No bridge: every answer is the stock one, including a first-call stop. */
static void
test_no_bridge(void **state)
{
	(void)state;
	setenv("MIGSTATE_QUERY_SOCKET", "/nonexistent-migstate-test.sock", 1);
	hook_begin(5);
	rounds_to_five();
	assert_int_equal(call(5, -1), S);
	hook_end(0);
	hook_begin(5);
	assert_int_equal(call(0, 4096), C);
	assert_int_equal(call(1, -1), C);
	assert_int_equal(call(1, 10), S);
	hook_end(0);
}

/* Defer twice, then stop; a first-call stock stop waits for the second call. */
static void
test_defer_then_stop(void **state)
{
	static const int	 d[] = { WIRE_D_CONTINUE, WIRE_D_CONTINUE, WIRE_D_STOP };
	struct fake		 f;

	(void)state;
	fake_start(&f, FAKE_VERDICTS, d, 3);
	hook_begin(7);
	rounds_to_five();
	assert_int_equal(call(5, -1), C);	/* query 1: defer */
	assert_int_equal(call(5, 300), C);	/* stock stop, bridge up: later */
	assert_int_equal(call(6, -1), C);	/* query 2: defer */
	assert_int_equal(call(6, 20), C);
	assert_int_equal(call(7, -1), S);	/* query 3: stop */
	hook_end(0);
	fake_stop(&f);
	assert_int_equal(f.nq, 3);
	assert_int_equal(f.q[0].domid, 7);
	assert_int_equal(f.q[0].iteration, 5);
	assert_int_equal(f.q[0].dirty_count, -1);
	assert_int_equal(f.q[0].stock, WIRE_D_STOP);
	assert_int_equal(f.q[0].flags, WIRE_DQ_FIRST | WIRE_DQ_FRESH);
	assert_int_equal(f.q[1].flags, WIRE_DQ_FRESH);
	assert_int_equal(f.q[2].iteration, 7);
	assert_true(f.q[0].migration_id != 0);
	assert_true(f.q[2].migration_id == f.q[0].migration_id);
	assert_int_equal(f.nend, 1);
	assert_true(f.end.migration_id == f.q[0].migration_id);
	assert_int_equal(f.end.result, 0);
	assert_int_equal(f.end.stopped_unsuitable, 3);
}

/* Bad answers fail open: the stock stop, at the stock call. */
static void
test_bad_answers(void **state)
{
	static const int	 d[] = { WIRE_D_CONTINUE };
	static const enum fake_mode modes[] = { FAKE_GARBAGE, FAKE_WRONG_ID, FAKE_ERROR,
	    FAKE_SILENT };
	struct fake		 f;
	unsigned		 i;

	(void)state;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		fake_start(&f, modes[i], d, 1);
		hook_begin(9);
		rounds_to_five();
		assert_int_equal(call(5, -1), S);
		hook_end(-1);
		fake_stop(&f);
		assert_true(f.nq >= 1);
		assert_int_equal(f.end.result, -1);
	}
}

/* The hook's own bounds: deadline 0 never defers; round 1000 stops. */
static void
test_bounds(void **state)
{
	static const int	 d[] = { WIRE_D_CONTINUE };
	struct fake		 f;

	(void)state;
	fake_start(&f, FAKE_VERDICTS, d, 1);
	setenv("MIGSTATE_DEADLINE_S", "0", 1);
	hook_begin(3);
	rounds_to_five();
	assert_int_equal(call(5, -1), S);
	hook_end(0);
	assert_int_equal(f.nq, 0);
	unsetenv("MIGSTATE_DEADLINE_S");
	hook_begin(3);
	rounds_to_five();
	assert_int_equal(call(5, -1), C);
	assert_int_equal(call(999, 300), C);
	assert_int_equal(call(1000, -1), S);
	hook_end(0);
	fake_stop(&f);
	assert_int_equal(f.nq, 1);
}

/* A guest agent's side of the handshake, polling (test only). */
struct fake_agent {
	struct migxs	*xs;
	int		 answer;	/* 0: never quiesce */
	pthread_t	 thread;
};

static void *
fake_agent_main(void *arg)
{
	struct fake_agent	*a = arg;
	char			 v[MIGXS_VALUE_MAX];
	int			 i;

	for (i = 0; i < 2000; i++) {
		if (migxs_read(a->xs, "/local/domain/5/" MIGXS_QUIESCE, v, sizeof(v)) == 0 &&
		    strcmp(v, "1") == 0) {
			if (a->answer)
				migxs_write(a->xs, "/local/domain/5/" MIGXS_STATE,
				    MIGXS_STATE_QUIESCED);
			break;
		}
		usleep(1000);
	}
	return NULL;
}

static void
fake_agent_start(struct fake_agent *a, int answer)
{
	char err[128];

	a->answer = answer;
	a->xs = migxs_open_dir(xsroot, 5, err, sizeof(err));
	assert_non_null(a->xs);
	assert_int_equal(migxs_write(a->xs, MIGXS_QUIESCE, "0"), 0);
	assert_int_equal(migxs_write(a->xs, MIGXS_STATE, MIGXS_STATE_SERVING), 0);
	assert_int_equal(pthread_create(&a->thread, NULL, fake_agent_main, a), 0);
}

static void
key_equal(struct migxs *xs, const char *path, const char *want)
{
	char v[MIGXS_VALUE_MAX];

	assert_int_equal(migxs_read(xs, path, v, sizeof(v)), 0);
	assert_string_equal(v, want);
}

/* An agent that answers: quiesced before quiesce_run returns; reset to 0. */
static void
test_quiesce(void **state)
{
	struct fake_agent	 a;
	struct quiesce		*q;

	(void)state;
	fake_agent_start(&a, 1);
	q = quiesce_run(5, xsspec, 2000);
	assert_non_null(q);
	key_equal(a.xs, MIGXS_STATE, MIGXS_STATE_QUIESCED);
	key_equal(a.xs, MIGXS_QUIESCE, "1");
	quiesce_reset(q);
	key_equal(a.xs, MIGXS_QUIESCE, "0");
	pthread_join(a.thread, NULL);
	migxs_close(a.xs);
}

/* An agent that never answers: the bound is waited, no more. */
static void
test_quiesce_timeout(void **state)
{
	struct fake_agent	 a;
	struct quiesce		*q;
	uint64_t		 t0 = wire_mono_us(), dt;

	(void)state;
	fake_agent_start(&a, 0);
	q = quiesce_run(5, xsspec, 100);
	dt = wire_mono_us() - t0;
	assert_non_null(q);
	assert_true(dt >= 100000);
	key_equal(a.xs, MIGXS_STATE, MIGXS_STATE_SERVING);
	quiesce_reset(q);
	key_equal(a.xs, MIGXS_QUIESCE, "0");
	pthread_join(a.thread, NULL);
	migxs_close(a.xs);
}

/* No agent keys: nothing written, nothing to reset; a bad backend: same. */
static void
test_quiesce_no_agent(void **state)
{
	char	 path[128];

	(void)state;
	assert_null(quiesce_run(6, xsspec, 100));
	snprintf(path, sizeof(path), "%s/local/domain/6", xsroot);
	assert_int_equal(access(path, F_OK), -1);
	assert_null(quiesce_run(6, "bogus:x", 100));
	quiesce_reset(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stock),
		cmocka_unit_test_setup_teardown(test_no_bridge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defer_then_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quiesce, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quiesce_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quiesce_no_agent, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
