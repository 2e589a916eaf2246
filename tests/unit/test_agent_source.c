/*
 * test_agent_source.c - the source interface, the aggregation into a
 * STATE, and the mod_migstate shared-memory source (src_shm.c) over a real
 * file written by forked "children".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "guest-agent/agent.h"
#include "log.h"

/* ------------------------------------------------------------ aggregation */
static const struct source_ops event_ops = { NULL, NULL };	/* event-driven */

static void
fake(struct source *s, enum wire_proto p)
{
	memset(s, 0, sizeof(*s));
	s->proto = p;
	s->ops = &event_ops;
}

static int changes;

static void
on_change(void *arg)
{
	(void)arg;
	changes++;
}

static void
test_aggregate(void **state)
{
	struct sources		r;
	struct source		a, b, c;
	struct wire_state	st, st2;
	uint32_t		ca[WIRE_REASON_MAX] = { 1, 2, 0, 0, 0, 0, 5, 0 };
	uint32_t		cb[WIRE_REASON_MAX] = { 0, 1, 0, 0, 0, 0, 0, 3 };
	uint32_t		cc[WIRE_REASON_MAX] = { 0, 0, 0, 0, 0, 4, 0, 0 };

	(void)state;
	sources_init(&r, on_change, NULL);
	fake(&a, WIRE_P_POP3);
	fake(&b, WIRE_P_HTTP);
	fake(&c, WIRE_P_POP3);
	assert_int_equal(sources_add(&r, &a), 0);
	assert_int_equal(sources_add(&r, &b), 0);
	assert_int_equal(sources_add(&r, &c), 0);

	/* Present protocols are reported even with no connection. */
	sources_aggregate(&r, &st);
	assert_int_equal(st.nproto, 2);
	assert_int_equal(st.proto[0].proto, WIRE_P_HTTP);
	assert_int_equal(st.proto[1].proto, WIRE_P_POP3);
	assert_int_equal(st.total, 0);

	changes = 0;
	source_changed(&a, ca);
	source_changed(&b, cb);
	source_changed(&c, cc);
	assert_int_equal(changes, 3);
	source_changed(&c, cc);		/* same counts: no notification */
	assert_int_equal(changes, 3);

	sources_aggregate(&r, &st);
	assert_int_equal(st.nproto, 2);
	/* Sorted by protocol; POP3 sums a and c. */
	assert_int_equal(st.proto[0].proto, WIRE_P_HTTP);
	assert_int_equal(st.proto[0].count[WIRE_R_READING], 1);
	assert_int_equal(st.proto[0].count[WIRE_R_WRITING_LARGE], 3);
	assert_int_equal(st.proto[1].count[WIRE_R_NEW], 1);
	assert_int_equal(st.proto[1].count[WIRE_R_READING], 2);
	assert_int_equal(st.proto[1].count[WIRE_R_AUTH], 4);
	assert_int_equal(st.proto[1].count[WIRE_R_IDLE], 5);
	assert_int_equal(st.total, 16);
	assert_int_equal(st.unsuitable, 8);	/* new 1 + reading 3 + auth 4 */

	/* Any count change is a difference; equal inputs are not. */
	sources_aggregate(&r, &st2);
	assert_false(sources_differ(&st, &st2));
	ca[WIRE_R_IDLE]--;
	ca[WIRE_R_READING]++;		/* total unchanged, unsuitable +1 */
	source_changed(&a, ca);
	sources_aggregate(&r, &st2);
	assert_true(sources_differ(&st, &st2));
	ca[WIRE_R_IDLE]++;
	ca[WIRE_R_READING]--;
	ca[WIRE_R_IDLE]--;
	ca[WIRE_R_WRITING_LARGE]++;	/* total and unsuitable unchanged */
	source_changed(&a, ca);
	sources_aggregate(&r, &st2);
	assert_true(sources_differ(&st, &st2));
}

static void
test_add_limits(void **state)
{
	static struct source	s[AGENT_MAX_SOURCES + 1];
	struct sources		r;
	unsigned		i;

	(void)state;
	sources_init(&r, NULL, NULL);
	fake(&s[0], 0);
	assert_int_equal(sources_add(&r, &s[0]), -1);
	fake(&s[0], WIRE_PROTO_MAX);
	assert_int_equal(sources_add(&r, &s[0]), -1);
	for (i = 0; i < AGENT_MAX_SOURCES; i++) {
		fake(&s[i], WIRE_P_TCP);
		assert_int_equal(sources_add(&r, &s[i]), 0);
	}
	fake(&s[i], WIRE_P_TCP);
	assert_int_equal(sources_add(&r, &s[i]), -1);
}

/* Sums saturate so the STATE stays within the wire's limits. */
static void
test_aggregate_saturates(void **state)
{
	static struct source	s[AGENT_MAX_SOURCES];
	struct sources		r;
	struct wire_state	st;
	uint32_t		big[WIRE_REASON_MAX];
	const char		*why;
	uint8_t			frame[WIRE_HDR_SIZE + WIRE_STATE_SIZE(WIRE_MAX_PROTO)];
	size_t			n;
	unsigned		i;

	(void)state;
	for (i = 0; i < WIRE_REASON_MAX; i++)
		big[i] = WIRE_MAX_CONNS;
	sources_init(&r, NULL, NULL);
	for (i = 0; i < AGENT_MAX_SOURCES; i++) {
		fake(&s[i], 1 + i % (WIRE_PROTO_MAX - 1));
		sources_add(&r, &s[i]);
		source_changed(&s[i], big);
	}
	sources_aggregate(&r, &st);
	assert_int_equal(st.nproto, WIRE_PROTO_MAX - 1);
	assert_true(st.total <= WIRE_MAX_CONNS);
	/* What the agent sends passes the bridge's sanitizer. */
	n = wire_encode_state(frame, sizeof(frame), &st);
	assert_true(n > 0);
	assert_int_equal(wire_sanitize_state(frame + WIRE_HDR_SIZE, n - WIRE_HDR_SIZE,
	    &st, &why), 0);
}

/* ------------------------------------------------------------ src_shm */
static char	dir[64];
static char	shm_path[128];

static int
setup_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_agent_source.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(shm_path, sizeof(shm_path), "%s/shm", dir);
	return 0;
}

static int
teardown_dir(void **state)
{
	char	path[160];

	(void)state;
	unlink(shm_path);
	snprintf(path, sizeof(path), "%s/shm.new", dir);
	unlink(path);
	rmdir(dir);
	return 0;
}

/* Write a valid file of n slots at path (aside, then renamed). */
static void
make_file(const char *path, uint32_t n)
{
	struct migshm_header	h = { .version = MIGSHM_VERSION,
				      .header_size = MIGSHM_HEADER_SIZE,
				      .slot_size = MIGSHM_SLOT_SIZE, .nslots = n,
				      .magic = MIGSHM_MAGIC, .enabled = 1 };
	char			tmp[160];
	int			fd;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, MIGSHM_FILE_SIZE(n)), 0);
	assert_int_equal(pwrite(fd, &h, sizeof(h), 0), (ssize_t)sizeof(h));
	close(fd);
	assert_int_equal(rename(tmp, path), 0);
}

static struct migshm_slot *
map_slots(const char *path, size_t *len)
{
	int	fd = open(path, O_RDWR);
	void	*m;

	assert_true(fd >= 0);
	*len = lseek(fd, 0, SEEK_END);
	m = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(m != MAP_FAILED);
	close(fd);
	return (struct migshm_slot *)((uint8_t *)m + MIGSHM_HEADER_SIZE);
}

/* A "child": claim a free slot by CAS, set count[reason], signal, sleep. */
static pid_t
child(struct migshm_slot *slots, uint32_t n, int reason, int count, int ready)
{
	pid_t		pid = fork();
	uint32_t	i;

	assert_true(pid >= 0);
	if (pid > 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);	/* never outlive a failed test */
	for (i = 0; i < n; i++) {
		int32_t zero = 0;
		if (__atomic_compare_exchange_n(&slots[i].pid, &zero, getpid(), 0,
		    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			break;
	}
	if (i < n)
		__atomic_store_n(&slots[i].count[reason], count, __ATOMIC_RELAXED);
	if (write(ready, "x", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

static void
read_src(struct source *s, uint32_t c[WIRE_REASON_MAX], int check_pids)
{
	s->ops->read(s, c, check_pids);
}

static void
test_shm_children(void **state)
{
	struct source		*s;
	struct migshm_slot	*slots;
	uint32_t		 c[WIRE_REASON_MAX];
	pid_t			 kids[4];
	int			 p[2], i;
	size_t			 len;
	char			 x;

	(void)state;
	make_file(shm_path, 8);
	slots = map_slots(shm_path, &len);
	assert_int_equal(pipe(p), 0);
	kids[0] = child(slots, 8, WIRE_R_READING, 2, p[1]);
	kids[1] = child(slots, 8, WIRE_R_READING, 3, p[1]);
	kids[2] = child(slots, 8, WIRE_R_IDLE, 7, p[1]);
	kids[3] = child(slots, 8, WIRE_R_PROCESSING, 1, p[1]);
	for (i = 0; i < 4; i++)
		assert_int_equal(read(p[0], &x, 1), 1);

	assert_non_null(s = src_shm_new("apache", shm_path));
	assert_int_equal(s->proto, WIRE_P_HTTP);
	read_src(s, c, 1);
	assert_int_equal(c[WIRE_R_READING], 5);
	assert_int_equal(c[WIRE_R_IDLE], 7);
	assert_int_equal(c[WIRE_R_PROCESSING], 1);

	/* One child dies hard: its slot keeps its pid and counts. */
	kill(kids[1], SIGKILL);
	assert_int_equal(waitpid(kids[1], NULL, 0), kids[1]);
	read_src(s, c, 0);		/* a plain poll does not probe pids */
	assert_int_equal(c[WIRE_R_READING], 5);
	read_src(s, c, 1);		/* the pid check drops it */
	assert_int_equal(c[WIRE_R_READING], 2);
	assert_int_equal(c[WIRE_R_IDLE], 7);
	read_src(s, c, 0);		/* and later polls remember */
	assert_int_equal(c[WIRE_R_READING], 2);

	for (i = 0; i < 4; i++)
		if (i != 1) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
		}
	read_src(s, c, 1);
	assert_int_equal(c[WIRE_R_READING] + c[WIRE_R_IDLE] + c[WIRE_R_PROCESSING], 0);
	s->ops->close(s);
	munmap((uint8_t *)slots - MIGSHM_HEADER_SIZE, len);
	close(p[0]);
	close(p[1]);
}

static void
sum_is(struct source *s, int check, uint32_t want)
{
	uint32_t	c[WIRE_REASON_MAX], t = 0;
	int		i;

	read_src(s, c, check);
	for (i = 0; i < WIRE_REASON_MAX; i++)
		t += c[i];
	assert_int_equal(t, want);
}

static void
set_slot(int i, int32_t pid, int reason, int count)
{
	size_t			 len;
	struct migshm_slot	*slots = map_slots(shm_path, &len);

	slots[i].count[reason] = count;
	slots[i].pid = pid;
	munmap((uint8_t *)slots - MIGSHM_HEADER_SIZE, len);
}

/* Missing, corrupted, truncated, recreated: zeroes meanwhile, never a crash. */
static void
test_shm_lifecycle(void **state)
{
	struct source	*s;
	int		 fd;

	(void)state;
	assert_non_null(s = src_shm_new("apache", shm_path));
	sum_is(s, 1, 0);			/* missing: not an error */
	make_file(shm_path, 4);
	set_slot(0, getpid(), WIRE_R_NEW, 4);
	sum_is(s, 0, 0);			/* re-tried only once a second */
	usleep(1100 * 1000);
	sum_is(s, 0, 4);

	/* Recreated (Apache restarted): followed at the next pid check. */
	make_file(shm_path, 4);
	set_slot(1, getpid(), WIRE_R_AUTH, 6);
	sum_is(s, 0, 4);			/* still the old mapping */
	sum_is(s, 1, 6);

	/* Truncated under the reader: rejected, zeroes, re-tried later. */
	assert_int_equal(truncate(shm_path, 200), 0);
	sum_is(s, 0, 0);
	sum_is(s, 0, 0);

	/* Corrupted: rejected at open. */
	make_file(shm_path, 4);
	fd = open(shm_path, O_WRONLY);
	assert_int_equal(pwrite(fd, "XXXXXXXX", 8, 0), 8);
	close(fd);
	usleep(1100 * 1000);
	sum_is(s, 1, 0);
	/* Repaired: read again. */
	make_file(shm_path, 4);
	set_slot(3, getpid(), WIRE_R_IDLE, 9);
	usleep(1100 * 1000);
	sum_is(s, 1, 9);

	/*
	 * Truncated between pid checks, slots beyond the first page: a poll
	 * (no size check) faults reading them, and the guard makes that a
	 * rejection instead of a crash.
	 */
	make_file(shm_path, 200);
	set_slot(150, getpid(), WIRE_R_IDLE, 5);
	sum_is(s, 1, 5);			/* replaced: followed at once */
	sum_is(s, 0, 5);
	assert_int_equal(truncate(shm_path, 200), 0);
	sum_is(s, 0, 0);
	sum_is(s, 0, 0);
	s->ops->close(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aggregate),
		cmocka_unit_test(test_add_limits),
		cmocka_unit_test(test_aggregate_saturates),
		cmocka_unit_test_setup_teardown(test_shm_children, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_shm_lifecycle, setup_dir, teardown_dir),
	};

	log_init("test_agent_source", 1, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
