/*
 * shmwriter.c - a stand-in for mod_migstate's writers of the shared-memory
 * file (layout: proto/migshm.h), for tests and the benchmark.
 *
 *   shmwriter create FILE NSLOTS        a fresh file (magic written last)
 *                                       announcing change hints
 *   shmwriter child FILE REASON COUNT   claim a slot as this process, set
 *                                       count[REASON] = COUNT, print
 *                                       "ready PID" and sleep until killed
 *   shmwriter set FILE SLOT PID REASON COUNT   write one slot directly
 *   shmwriter corrupt FILE              overwrite the magic
 *   shmwriter truncate FILE BYTES       cut the file
 *   shmwriter churn FILE RATE SECONDS [IDLE]
 *                                       claim every free slot as this process,
 *                                       print "idle IDLE" and hold still IDLE
 *                                       seconds, print "start MONO_US", then
 *                                       RATE times a second add one
 *                                       connection in the next slot (round
 *                                       robin, reason by turn) and print
 *                                       "change TOTAL MONO_US" (the new total
 *                                       of every count, CLOCK_MONOTONIC)
 *
 * Like mod_migstate, every change is a SEQ_CST atomic followed by the mark
 * of the slot's hint bit (migshm_hint_mark).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "migshm.h"

static void __attribute__((noreturn))
die(const char *what)
{
	fprintf(stderr, "shmwriter: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint8_t *
map_file(const char *path, size_t *len)
{
	struct stat	 st;
	void		*m;
	int		 fd;

	if ((fd = open(path, O_RDWR)) == -1 || fstat(fd, &st) == -1)
		die(path);
	m = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap");
	close(fd);
	*len = st.st_size;
	return m;
}

static struct migshm_slot *
slots_of(uint8_t *m)
{
	return (struct migshm_slot *)(m + MIGSHM_HEADER_SIZE);
}

static void
do_create(const char *path, uint32_t n)
{
	struct migshm_header	*h;
	char			 tmp[4096];
	size_t			 len;
	uint8_t			*m;
	int			 fd;

	/* Created aside and renamed: readers never see a half-made file. */
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if ((fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0644)) == -1 ||
	    ftruncate(fd, MIGSHM_FILE_SIZE(n)) == -1)
		die(tmp);
	close(fd);
	m = map_file(tmp, &len);
	h = (struct migshm_header *)m;
	h->version = MIGSHM_VERSION;
	h->header_size = MIGSHM_HEADER_SIZE;
	h->slot_size = MIGSHM_SLOT_SIZE;
	h->nslots = n;
	h->threshold = 4 << 20;
	h->enabled = 1;
	h->features = MIGSHM_F_HINTS;
	__atomic_store_n(&h->magic, MIGSHM_MAGIC, __ATOMIC_RELEASE);
	munmap(m, len);
	if (rename(tmp, path) == -1)
		die("rename");
}

/* Claim a free slot for pid, as a child does (CAS 0 -> pid).  -1 if full. */
static int
claim(uint8_t *m, int32_t pid)
{
	struct migshm_header	*h = (struct migshm_header *)m;
	struct migshm_slot	*s = slots_of(m);
	uint32_t		 i;

	for (i = 0; i < h->nslots; i++) {
		int32_t zero = 0;
		if (__atomic_compare_exchange_n(&s[i].pid, &zero, pid, 0,
		    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
			migshm_hint_mark(h, i);
			return (int)i;
		}
	}
	return -1;
}

static void
do_child(const char *path, int reason, int count)
{
	size_t	 len;
	uint8_t	*m = map_file(path, &len);
	int	 i = claim(m, getpid());

	if (i < 0 || reason < 0 || reason >= WIRE_REASON_MAX) {
		fprintf(stderr, "shmwriter: no free slot or bad reason\n");
		exit(1);
	}
	__atomic_store_n(&slots_of(m)[i].count[reason], count, __ATOMIC_SEQ_CST);
	migshm_hint_mark((struct migshm_header *)m, (uint32_t)i);
	printf("ready %d slot %d\n", (int)getpid(), i);
	fflush(stdout);
	for (;;)
		pause();
}

static uint64_t
now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
do_churn(const char *path, unsigned rate, unsigned secs, unsigned idle)
{
	size_t			 len;
	uint8_t			*m = map_file(path, &len);
	struct migshm_slot	*s = slots_of(m);
	uint32_t		 n = ((struct migshm_header *)m)->nslots, k;
	uint64_t		 total = 0, start = now_us(), next;
	struct timespec		 ts;

	while (claim(m, getpid()) >= 0)
		;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (idle > 0) {
		printf("idle %u\n", idle);
		sleep(idle);
		start = now_us();
	}
	printf("start %llu\n", (unsigned long long)start);
	for (k = 0; k < (uint64_t)rate * secs; k++) {
		next = start + (uint64_t)k * 1000000 / rate;
		while (now_us() < next) {
			uint64_t d = next - now_us();
			ts.tv_sec = d / 1000000;
			ts.tv_nsec = (d % 1000000) * 1000;
			nanosleep(&ts, NULL);
		}
		__atomic_add_fetch(&s[k % n].count[k % WIRE_REASON_MAX], 1, __ATOMIC_SEQ_CST);
		migshm_hint_mark((struct migshm_header *)m, k % n);
		total++;
		printf("change %llu %llu\n", (unsigned long long)total,
		    (unsigned long long)now_us());
	}
}

int
main(int argc, char *argv[])
{
	size_t	 len;
	uint8_t	*m;

	if (argc == 4 && !strcmp(argv[1], "create"))
		do_create(argv[2], (uint32_t)atoi(argv[3]));
	else if (argc == 5 && !strcmp(argv[1], "child"))
		do_child(argv[2], atoi(argv[3]), atoi(argv[4]));
	else if (argc == 7 && !strcmp(argv[1], "set")) {
		struct migshm_slot *s;
		m = map_file(argv[2], &len);
		s = &slots_of(m)[atoi(argv[3])];
		__atomic_store_n(&s->count[atoi(argv[5])], atoi(argv[6]), __ATOMIC_SEQ_CST);
		__atomic_store_n(&s->pid, atoi(argv[4]), __ATOMIC_SEQ_CST);
		migshm_hint_mark((struct migshm_header *)m, (uint32_t)atoi(argv[3]));
	} else if (argc == 3 && !strcmp(argv[1], "corrupt")) {
		m = map_file(argv[2], &len);
		memset(m, 0xee, 8);
	} else if (argc == 4 && !strcmp(argv[1], "truncate")) {
		if (truncate(argv[2], atol(argv[3])) == -1)
			die("truncate");
	} else if ((argc == 5 || argc == 6) && !strcmp(argv[1], "churn"))
		do_churn(argv[2], (unsigned)atoi(argv[3]), (unsigned)atoi(argv[4]),
		    argc == 6 ? (unsigned)atoi(argv[5]) : 0);
	else {
		fprintf(stderr, "usage: see the comment at the top of shmwriter.c\n");
		return 2;
	}
	return 0;
}
