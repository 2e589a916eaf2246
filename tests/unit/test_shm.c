/*
 * test_shm.c - proto/shm.c, the reader of mod_migstate's shared memory:
 * header validation, sums over claimed slots, dead pids skipped, negative
 * gauges clamped, truncation and replacement noticed; the change hints:
 * marked changes seen by a poll, unmarked ones by the next full read,
 * groups of slots past 512, hostile bits, exact totals over random churn.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "migshm.h"

static char	path[64];

/* Write a file with n slots and features; returns its writable mapping. */
static void *
make_file_f(uint32_t n, uint32_t features)
{
	struct migshm_header	*h;
	void			*map;
	int			 fd;

	strcpy(path, "/tmp/test_shm.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, MIGSHM_FILE_SIZE(n)), 0);
	map = mmap(NULL, MIGSHM_FILE_SIZE(n), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(map != MAP_FAILED);
	close(fd);
	h = map;
	h->version = MIGSHM_VERSION;
	h->header_size = MIGSHM_HEADER_SIZE;
	h->slot_size = MIGSHM_SLOT_SIZE;
	h->nslots = n;
	h->threshold = 4194304;
	h->enabled = 1;
	h->features = features;
	h->magic = MIGSHM_MAGIC;
	return map;
}

/* A file as an older mod_migstate writes it: no hints. */
static void *
make_file(uint32_t n)
{
	return make_file_f(n, 0);
}

static struct migshm_slot *
slot(void *map, uint32_t i)
{
	return (struct migshm_slot *)((uint8_t *)map + MIGSHM_HEADER_SIZE) + i;
}

static void
test_sums_and_dead_pids(void **st)
{
	void			*map = make_file(8);
	struct migshm_reader	 r;
	uint32_t		 c[WIRE_REASON_MAX];
	const char		*why;
	pid_t			 child;
	(void)st;

	/* A child that exits: its pid is dead when we look. */
	if ((child = fork()) == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	slot(map, 0)->pid = getpid();
	slot(map, 0)->count[WIRE_R_IDLE] = 3;
	slot(map, 0)->count[WIRE_R_PROCESSING] = 2;
	slot(map, 3)->pid = getppid();
	slot(map, 3)->count[WIRE_R_IDLE] = 1;
	slot(map, 3)->count[WIRE_R_NEW] = -1;	/* racing decrement: counts as 0 */
	slot(map, 5)->pid = child;
	slot(map, 5)->count[WIRE_R_READING] = 7;
	slot(map, 6)->count[WIRE_R_READING] = 9; /* unclaimed: ignored */

	assert_int_equal(migshm_open(&r, path, &why), 0);
	/* Without a pid check the dead child's slot still counts. */
	assert_int_equal(migshm_read(&r, c, 0, &why), 3);
	assert_int_equal(c[WIRE_R_READING], 7);
	/* The check finds it dead, and later reads remember that. */
	assert_int_equal(migshm_read(&r, c, MIGSHM_CHECK_PIDS, &why), 2);
	assert_int_equal(c[WIRE_R_READING], 0);
	assert_int_equal(migshm_read(&r, c, 0, &why), 2);
	assert_int_equal(c[WIRE_R_IDLE], 4);
	assert_int_equal(c[WIRE_R_PROCESSING], 2);
	assert_int_equal(c[WIRE_R_NEW], 0);
	/* Another (live) process claims the slot: counted again. */
	slot(map, 5)->pid = getpid();
	assert_int_equal(migshm_read(&r, c, 0, &why), 3);
	assert_int_equal(c[WIRE_R_READING], 7);
	assert_int_equal(migshm_replaced(&r, path), 0);
	migshm_close(&r);
	munmap(map, MIGSHM_FILE_SIZE(8));
	unlink(path);
}

/* Sums cross the reader's 64-slot chunks; huge gauges and sums clamp. */
static void
test_sum_chunks(void **st)
{
	void			*map = make_file(300);
	struct migshm_reader	 r;
	uint32_t		 c[WIRE_REASON_MAX], i;
	const char		*why;
	(void)st;

	for (i = 0; i < 300; i++) {
		slot(map, i)->pid = getpid();
		slot(map, i)->count[WIRE_R_IDLE] = 1;
		slot(map, i)->count[WIRE_R_WRITING_LARGE] = i % 3;
		slot(map, i)->count[WIRE_R_AUTH] = INT32_MAX;
	}
	slot(map, 299)->pid = 0;	/* unclaimed */
	assert_int_equal(migshm_open(&r, path, &why), 0);
	assert_int_equal(migshm_read(&r, c, MIGSHM_CHECK_SIZE | MIGSHM_CHECK_PIDS, &why), 299);
	assert_int_equal(c[WIRE_R_IDLE], 299);
	assert_int_equal(c[WIRE_R_WRITING_LARGE], 298);	/* 0, 1, 2, 0, ... up to 298 % 3 */
	assert_int_equal(c[WIRE_R_AUTH], WIRE_MAX_CONNS);
	assert_int_equal(c[WIRE_R_NEW], 0);
	for (i = 0; i < 299; i++)
		slot(map, i)->count[WIRE_R_AUTH] = i == 5 ? WIRE_MAX_CONNS + 1 : 0;
	assert_int_equal(migshm_read(&r, c, 0, &why), 299);
	assert_int_equal(c[WIRE_R_AUTH], WIRE_MAX_CONNS);
	migshm_close(&r);
	munmap(map, MIGSHM_FILE_SIZE(300));
	unlink(path);
}

static void
expect_open_fails(const char *needle)
{
	struct migshm_reader	r;
	const char		*why = NULL;

	assert_int_equal(migshm_open(&r, path, &why), -1);
	assert_non_null(why);
	assert_non_null(strstr(why, needle));
}

static void
test_bad_files(void **st)
{
	struct migshm_header	*h;
	(void)st;

	h = make_file(4);
	h->magic = 0;
	expect_open_fails("magic");
	h->magic = MIGSHM_MAGIC;
	h->version = 99;
	expect_open_fails("version");
	h->version = MIGSHM_VERSION;
	h->slot_size = 64;
	expect_open_fails("size");
	h->slot_size = MIGSHM_SLOT_SIZE;
	h->nslots = 5;			/* more slots than the file holds */
	expect_open_fails("shorter");
	h->nslots = 0;
	expect_open_fails("slot count");
	munmap(h, MIGSHM_FILE_SIZE(4));
	assert_int_equal(truncate(path, 10), 0);
	expect_open_fails("shorter than its header");
	unlink(path);
	expect_open_fails("no such file");
}

static void
test_truncated_and_replaced(void **st)
{
	void			*map = make_file(4);
	struct migshm_reader	 r;
	uint32_t		 c[WIRE_REASON_MAX];
	const char		*why;
	(void)st;

	assert_int_equal(migshm_open(&r, path, &why), 0);
	/* Truncated under the reader: with the size check, no SIGBUS, an error. */
	assert_int_equal(truncate(path, MIGSHM_HEADER_SIZE), 0);
	assert_int_equal(migshm_read(&r, c, MIGSHM_CHECK_SIZE, &why), -1);
	assert_non_null(strstr(why, "truncated"));
	assert_int_equal(truncate(path, MIGSHM_FILE_SIZE(4)), 0);
	/* Header rewritten with another slot count. */
	((struct migshm_header *)map)->nslots = 2;
	assert_int_equal(migshm_read(&r, c, 0, &why), -1);
	((struct migshm_header *)map)->nslots = 4;
	assert_int_equal(migshm_read(&r, c, 0, &why), 0);
	/* Recreated file: noticed. */
	unlink(path);
	assert_int_equal(migshm_replaced(&r, path), 1);
	migshm_close(&r);
	munmap(map, MIGSHM_FILE_SIZE(4));
}

/* Change slot i's gauge by delta as mod_migstate does: SEQ_CST, then mark. */
static void
change(void *map, uint32_t i, int reason, int32_t delta, int mark)
{
	__atomic_add_fetch(&slot(map, i)->count[reason], delta, __ATOMIC_SEQ_CST);
	if (mark)
		migshm_hint_mark(map, i);
}

static void
test_hint_shift(void **st)
{
	(void)st;
	assert_int_equal(migshm_hint_shift(1), 0);
	assert_int_equal(migshm_hint_shift(512), 0);
	assert_int_equal(migshm_hint_shift(513), 1);
	assert_int_equal(migshm_hint_shift(1024), 1);
	assert_int_equal(migshm_hint_shift(1025), 2);
	assert_int_equal(migshm_hint_shift(1500), 2);
	assert_int_equal(migshm_hint_shift(MIGSHM_MAX_SLOTS), 7);
	assert_int_equal(offsetof(struct migshm_header, hint), 64);
}

/* (1) Marked changes are seen by a poll; unmarked ones by the next full read. */
static void
test_hints_marked(void **st)
{
	struct migshm_header	*h = make_file_f(16, MIGSHM_F_HINTS);
	struct migshm_reader	 r, plain;
	uint32_t		 c[WIRE_REASON_MAX];
	const char		*why;
	(void)st;

	slot(h, 3)->pid = getpid();
	slot(h, 5)->pid = getpid();
	assert_int_equal(migshm_open_hinted(&r, path, &why), 0);
	assert_int_equal(r.hinted, 1);
	assert_int_equal(migshm_read(&r, c, 0, &why), 2);	/* nothing cached: full */
	change(h, 3, WIRE_R_READING, 2, 1);
	assert_int_not_equal(h->hint[0], 0);
	assert_int_equal(migshm_read(&r, c, 0, &why), 2);
	assert_int_equal(c[WIRE_R_READING], 2);
	assert_int_equal(h->hint[0], 0);			/* taken by the poll */
	/* Unmarked: a poll keeps the old sums, a pid check reads it. */
	change(h, 5, WIRE_R_IDLE, 4, 0);
	assert_int_equal(migshm_read(&r, c, 0, &why), 2);
	assert_int_equal(c[WIRE_R_IDLE], 0);
	assert_int_equal(migshm_read(&r, c, MIGSHM_CHECK_PIDS, &why), 2);
	assert_int_equal(c[WIRE_R_IDLE], 4);
	assert_int_equal(c[WIRE_R_READING], 2);
	change(h, 5, WIRE_R_IDLE, -1, 0);
	assert_int_equal(migshm_read(&r, c, MIGSHM_FULL, &why), 2);
	assert_int_equal(c[WIRE_R_IDLE], 3);
	/* A claim is a change too: the new slot counts once marked. */
	slot(h, 9)->count[WIRE_R_NEW] = 1;
	__atomic_store_n(&slot(h, 9)->pid, getpid(), __ATOMIC_SEQ_CST);
	migshm_hint_mark(h, 9);
	assert_int_equal(migshm_read(&r, c, 0, &why), 3);
	assert_int_equal(c[WIRE_R_NEW], 1);
	/* A plain reader sees unmarked changes at once and leaves the bits. */
	change(h, 3, WIRE_R_READING, 5, 0);
	migshm_hint_mark(h, 0);
	assert_int_equal(migshm_open(&plain, path, &why), 0);
	assert_int_equal(plain.hinted, 0);
	assert_int_equal(migshm_read(&plain, c, 0, &why), 3);
	assert_int_equal(c[WIRE_R_READING], 7);
	assert_int_equal(h->hint[0], 1);
	migshm_close(&plain);
	migshm_close(&r);
	munmap(h, MIGSHM_FILE_SIZE(16));
	unlink(path);
}

/* (2) A file without MIGSHM_F_HINTS is read whole on every poll. */
static void
test_hints_absent(void **st)
{
	struct migshm_header	*h = make_file(16);
	struct migshm_reader	 r;
	uint32_t		 c[WIRE_REASON_MAX];
	const char		*why;
	(void)st;

	slot(h, 7)->pid = getpid();
	assert_int_equal(migshm_open_hinted(&r, path, &why), 0);
	assert_int_equal(migshm_read(&r, c, 0, &why), 1);
	change(h, 7, WIRE_R_PROCESSING, 3, 0);
	assert_int_equal(migshm_read(&r, c, 0, &why), 1);
	assert_int_equal(c[WIRE_R_PROCESSING], 3);
	/* Hints announced later: a full read first, then polls use them. */
	h->features = MIGSHM_F_HINTS;
	change(h, 7, WIRE_R_PROCESSING, 1, 0);
	assert_int_equal(migshm_read(&r, c, 0, &why), 1);
	assert_int_equal(c[WIRE_R_PROCESSING], 4);
	change(h, 7, WIRE_R_PROCESSING, 1, 0);
	assert_int_equal(migshm_read(&r, c, 0, &why), 1);
	assert_int_equal(c[WIRE_R_PROCESSING], 4);
	/* And withdrawn: whole reads again. */
	h->features = 0;
	assert_int_equal(migshm_read(&r, c, 0, &why), 1);
	assert_int_equal(c[WIRE_R_PROCESSING], 5);
	migshm_close(&r);
	munmap(h, MIGSHM_FILE_SIZE(16));
	unlink(path);
}

/* What the reader must find: claimed slots' gauges, negatives as 0. */
static int
brute_sum(void *map, uint32_t n, uint64_t sum[WIRE_REASON_MAX])
{
	uint32_t	i;
	int		j, live = 0;

	memset(sum, 0, WIRE_REASON_MAX * sizeof(sum[0]));
	for (i = 0; i < n; i++) {
		if (slot(map, i)->pid <= 0)
			continue;
		live++;
		for (j = 0; j < WIRE_REASON_MAX; j++)
			if (slot(map, i)->count[j] > 0)
				sum[j] += (uint64_t)slot(map, i)->count[j];
	}
	return live;
}

static void
assert_brute(struct migshm_reader *r, void *map, uint32_t n, unsigned flags)
{
	uint64_t	sum[WIRE_REASON_MAX];
	uint32_t	c[WIRE_REASON_MAX];
	const char	*why;
	int		j, live = brute_sum(map, n, sum);

	assert_int_equal(migshm_read(r, c, flags, &why), live);
	for (j = 0; j < WIRE_REASON_MAX; j++)
		assert_int_equal(c[j], sum[j]);
}

/* (3) Past 512 slots bits cover groups; hostile bits are harmless. */
static void
test_hint_groups(void **st)
{
	const uint32_t		 n = 1502;	/* shift 2: 376 groups, the last of 2 */
	struct migshm_header	*h = make_file_f(n, MIGSHM_F_HINTS);
	struct migshm_reader	 r;
	uint32_t		 c[WIRE_REASON_MAX], i;
	const char		*why;
	int			 w;
	(void)st;

	for (i = 0; i < n; i++)
		slot(h, i)->pid = getpid();
	assert_int_equal(migshm_open_hinted(&r, path, &why), 0);
	assert_int_equal(r.shift, 2);
	assert_int_equal(r.ngroups, 376);
	assert_brute(&r, h, n, 0);
	/* Slots 4..7 share bit 1: marking 6 re-reads 4 and 7 too. */
	change(h, 4, WIRE_R_AUTH, 1, 0);
	change(h, 7, WIRE_R_AUTH, 2, 0);
	change(h, 6, WIRE_R_IDLE, 1, 1);
	assert_int_equal(h->hint[0], 1ull << 1);
	assert_int_equal(migshm_read(&r, c, 0, &why), (int)n);
	assert_int_equal(c[WIRE_R_AUTH], 3);
	assert_int_equal(c[WIRE_R_IDLE], 1);
	/* The last, partial group (slots 1500, 1501: bit 375). */
	change(h, 1501, WIRE_R_WRITING_LARGE, 9, 1);
	assert_int_equal(h->hint[375 / 64], 1ull << (375 % 64));
	assert_int_equal(migshm_read(&r, c, 0, &why), (int)n);
	assert_int_equal(c[WIRE_R_WRITING_LARGE], 9);
	/* A hostile writer sets every bit: no slot past the file is read. */
	slot(h, 1000)->pid = 0;
	for (w = 0; w < MIGSHM_HINT_WORDS; w++)
		h->hint[w] = ~0ull;
	assert_brute(&r, h, n, 0);
	assert_int_equal(h->hint[0], 0);
	/* Bits past the last group are ignored; words past it left alone. */
	assert_int_equal(h->hint[375 / 64], 0);
	assert_int_equal(h->hint[6], ~0ull);
	assert_int_equal(h->hint[7], ~0ull);
	change(h, 1501, WIRE_R_WRITING_LARGE, -9, 0);
	assert_int_equal(migshm_read(&r, c, 0, &why), (int)n - 1);
	assert_int_equal(c[WIRE_R_WRITING_LARGE], 9);
	migshm_close(&r);
	munmap(h, MIGSHM_FILE_SIZE(n));
	unlink(path);
}

/* (4) A child dies; the parent zeroes and frees its slot, then marks it. */
static void
test_hint_child_exit(void **st)
{
	struct migshm_header	*h = make_file_f(8, MIGSHM_F_HINTS);
	struct migshm_reader	 r;
	uint32_t		 c[WIRE_REASON_MAX];
	const char		*why;
	pid_t			 child;
	int			 j;
	(void)st;

	if ((child = fork()) == 0) {
		for (;;)
			pause();
	}
	assert_true(child > 0);
	slot(h, 2)->count[WIRE_R_PROCESSING] = 6;
	slot(h, 2)->pid = child;
	migshm_hint_mark(h, 2);
	assert_int_equal(migshm_open_hinted(&r, path, &why), 0);
	assert_int_equal(migshm_read(&r, c, MIGSHM_CHECK_PIDS, &why), 1);
	assert_int_equal(c[WIRE_R_PROCESSING], 6);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	/* Not probed on a poll: still counted until the parent acts. */
	assert_int_equal(migshm_read(&r, c, 0, &why), 1);
	assert_int_equal(c[WIRE_R_PROCESSING], 6);
	for (j = 0; j < WIRE_REASON_MAX; j++)
		__atomic_store_n(&slot(h, 2)->count[j], 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&slot(h, 2)->pid, 0, __ATOMIC_SEQ_CST);
	migshm_hint_mark(h, 2);
	assert_int_equal(migshm_read(&r, c, 0, &why), 0);
	assert_int_equal(c[WIRE_R_PROCESSING], 0);
	migshm_close(&r);
	munmap(h, MIGSHM_FILE_SIZE(8));
	unlink(path);
}

/* (5) Random marked changes, claims and frees: totals stay exact. */
static void
churn(uint32_t n, unsigned seed)
{
	struct migshm_header	*h = make_file_f(n, MIGSHM_F_HINTS);
	struct migshm_reader	 r;
	const char		*why;
	uint32_t		 i;
	int			 k, next = 1;

	srandom(seed);
	for (i = 0; i < n; i += 2)
		slot(h, i)->pid = getpid();
	assert_int_equal(migshm_open_hinted(&r, path, &why), 0);
	assert_brute(&r, h, n, 0);
	for (k = 0; k < 4000; k++) {
		i = (uint32_t)random() % n;
		if (random() % 50 == 0) {	/* a claim or a free */
			__atomic_store_n(&slot(h, i)->pid, slot(h, i)->pid ? 0 : getpid(),
			    __ATOMIC_SEQ_CST);
			migshm_hint_mark(h, i);
		} else
			change(h, i, (int)(random() % WIRE_REASON_MAX), random() % 2 ? 1 : -1, 1);
		if (--next == 0) {
			assert_brute(&r, h, n, k % 500 == 0 ? MIGSHM_CHECK_PIDS : 0);
			next = 1 + (int)(random() % 20);
		}
	}
	assert_brute(&r, h, n, 0);
	migshm_close(&r);
	munmap(h, MIGSHM_FILE_SIZE(n));
	unlink(path);
}

static void
test_hint_churn(void **st)
{
	(void)st;
	churn(40, 1);		/* one bit a slot, one word */
	churn(512, 2);		/* every bit */
	churn(1502, 3);		/* groups of four, a partial last one */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sums_and_dead_pids),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_truncated_and_replaced),
		cmocka_unit_test(test_sum_chunks),
		cmocka_unit_test(test_hint_shift),
		cmocka_unit_test(test_hints_marked),
		cmocka_unit_test(test_hints_absent),
		cmocka_unit_test(test_hint_groups),
		cmocka_unit_test(test_hint_child_exit),
		cmocka_unit_test(test_hint_churn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
