/*
 * shm.c - reader of mod_migstate's shared memory (layout: migshm.h).
 *
 * The file is written by another process (Apache children): every read
 * re-validates the header and bounds, and never trusts a count beyond
 * WIRE_MAX_CONNS.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migshm.h"

static int
shm_check_header(const struct migshm_header *h, size_t len, const char **why)
{
	if (h->magic != MIGSHM_MAGIC)
		*why = "bad magic (not a mod_migstate file, or not yet initialised)";
	else if (h->version != MIGSHM_VERSION)
		*why = "unsupported layout version";
	else if (h->header_size != MIGSHM_HEADER_SIZE || h->slot_size != MIGSHM_SLOT_SIZE)
		*why = "unexpected header or slot size";
	else if (h->nslots == 0 || h->nslots > MIGSHM_MAX_SLOTS)
		*why = "slot count out of range";
	else if (MIGSHM_FILE_SIZE(h->nslots) > len)
		*why = "file shorter than its slots";
	else
		return 0;
	return -1;
}

int
migshm_open(struct migshm_reader *r, const char *path, const char **why)
{
	struct stat	 st;
	void		*map;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	if ((r->fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*why = errno == ENOENT ? "no such file" : "cannot open";
		return -1;
	}
	if (fstat(r->fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		goto fail;
	}
	if ((size_t)st.st_size < MIGSHM_HEADER_SIZE) {
		*why = "file shorter than its header";
		goto fail;
	}
	if ((uint64_t)st.st_size > MIGSHM_FILE_SIZE(MIGSHM_MAX_SLOTS)) {
		*why = "file larger than any valid layout";
		goto fail;
	}
	map = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, r->fd, 0);
	if (map == MAP_FAILED) {
		*why = "cannot map";
		goto fail;
	}
	r->map = map;
	r->maplen = st.st_size;
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	if (shm_check_header(r->map, r->maplen, why) == -1)
		goto fail;
	r->nslots = ((const struct migshm_header *)r->map)->nslots;
	if ((r->dead = calloc(r->nslots, sizeof(*r->dead))) == NULL) {
		*why = "out of memory";
		goto fail;
	}
	return 0;
fail:
	migshm_close(r);
	return -1;
}

/*
 * The gauges of a slot, four at a time: a volatile vector load is one real
 * load per poll (the writer is another process), each 4-byte element read
 * whole (aligned, within one cache line).  Unaligned type: count[] sits at
 * offset 8 of the slot.
 */
typedef int32_t shm_v4 __attribute__((vector_size(16), aligned(4)));
#define SHM_NV		(WIRE_REASON_MAX / 4)
#define SHM_CHUNK	64	/* slots summed in int32: 64 * 2^24 < 2^31 */
_Static_assert(WIRE_REASON_MAX % 4 == 0, "gauges come in vectors of four");
_Static_assert((uint64_t)SHM_CHUNK * WIRE_MAX_CONNS < (1ull << 31), "chunk sum fits");

/* Load slot s's gauges into v, each clamped to [0, WIRE_MAX_CONNS]; 1 if any was not 0. */
static inline int
shm_load_slot(const struct migshm_slot *s, shm_v4 v[SHM_NV])
{
	const volatile shm_v4	*g = (const volatile shm_v4 *)s->count;
	const shm_v4		 zero = { 0 }, max = zero + (int32_t)WIRE_MAX_CONNS;
	shm_v4			 any = zero;
	int			 k;

	for (k = 0; k < SHM_NV; k++) {
		v[k] = g[k];
		any |= v[k];
		v[k] &= v[k] > zero;		/* a racing decrement counts 0 */
		v[k] = (v[k] & ~(v[k] > max)) | (max & (v[k] > max));
	}
	return (any[0] | any[1] | any[2] | any[3]) != 0;
}

/* Whether slot i's claimant is to be counted; probes it with check_pids. */
static inline int
shm_slot_live(struct migshm_reader *r, uint32_t i, int32_t pid, int busy, int check_pids)
{
	/* All-zero gauges add nothing, dead or alive: not worth a kill(). */
	if (check_pids && busy)
		r->dead[i] = (kill(pid, 0) == -1 && errno == ESRCH) ? pid : 0;
	return r->dead[i] != pid;
}

/* Move the chunk sums in acc into the 64-bit sum. */
static void
shm_flush(shm_v4 acc[SHM_NV], uint64_t sum[WIRE_REASON_MAX])
{
	int	j;

	for (j = 0; j < WIRE_REASON_MAX; j++)
		sum[j] += (uint32_t)acc[j / 4][j % 4];
	memset(acc, 0, SHM_NV * sizeof(acc[0]));
}

int
migshm_read(struct migshm_reader *r, uint32_t counts[WIRE_REASON_MAX], unsigned flags,
    const char **why)
{
	const struct migshm_header	*h = r->map;
	const struct migshm_slot	*slots;
	struct stat			 st;
	uint64_t			 sum[WIRE_REASON_MAX] = { 0 };
	shm_v4				 acc[SHM_NV], v[SHM_NV];
	uint32_t			 i, j;
	int				 k;
	int				 n = 0;

	/* A truncated file faults on access: check before reading. */
	if ((flags & MIGSHM_CHECK_SIZE) &&
	    (fstat(r->fd, &st) == -1 || (size_t)st.st_size < r->maplen)) {
		*why = "file truncated";
		return -1;
	}
	if (shm_check_header(h, r->maplen, why) == -1 || h->nslots != r->nslots) {
		if (h->nslots != r->nslots)
			*why = "slot count changed";
		return -1;
	}
	slots = (const struct migshm_slot *)((const uint8_t *)r->map + MIGSHM_HEADER_SIZE);
	memset(acc, 0, sizeof(acc));
	for (i = 0; i < r->nslots; i++) {
		int32_t	pid;
		int	busy;

		/* After 10 ms asleep the slots are out of cache: fetch ahead. */
		__builtin_prefetch(&slots[i + 8]);
		pid = __atomic_load_n(&slots[i].pid, __ATOMIC_ACQUIRE);

		if (i % SHM_CHUNK == 0)
			shm_flush(acc, sum);
		if (pid <= 0)
			continue;
		busy = shm_load_slot(&slots[i], v);
		if (!shm_slot_live(r, i, pid, busy, flags & MIGSHM_CHECK_PIDS))
			continue;
		for (k = 0; k < SHM_NV; k++)
			acc[k] += v[k];
		n++;
	}
	shm_flush(acc, sum);
	for (j = 0; j < WIRE_REASON_MAX; j++)
		counts[j] = sum[j] > WIRE_MAX_CONNS ? WIRE_MAX_CONNS : (uint32_t)sum[j];
	return n;
}

int
migshm_replaced(const struct migshm_reader *r, const char *path)
{
	struct stat	st;

	if (stat(path, &st) == -1)
		return 1;
	return st.st_dev != r->dev || st.st_ino != r->ino;
}

void
migshm_close(struct migshm_reader *r)
{
	if (r->map != NULL)
		munmap((void *)r->map, r->maplen);
	if (r->fd != -1)
		close(r->fd);
	free(r->dead);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}
