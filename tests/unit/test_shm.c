/*
 * test_shm.c - proto/shm.c, the reader of mod_migstate's shared memory:
 * header validation, sums over claimed slots, dead pids skipped, negative
 * gauges clamped, truncation and replacement noticed.
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

/* Write a file with n slots; returns its writable mapping. */
static void *
make_file(uint32_t n)
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
	h->magic = MIGSHM_MAGIC;
	return map;
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sums_and_dead_pids),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_truncated_and_replaced),
		cmocka_unit_test(test_sum_chunks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
