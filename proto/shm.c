/*
 * shm.c - reader of mod_migstate's shared memory (layout: migshm.h).
 *
 * The file is written by another process (Apache children): every read
 * re-validates the header and bounds, and never trusts a count beyond
 * WIRE_MAX_CONNS.
 *
 * A hinted reader keeps the sums of every hint group (migshm.h) and their
 * totals; a poll re-reads only the groups whose bit it cleared and swaps
 * their old sums for the new ones in the totals.  Full scans (pid checks,
 * MIGSHM_FULL, a file without hints, nothing cached yet) rebuild it all.
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

/* One hint group's share of the totals: sums of its live slots' gauges. */
struct migshm_group {
	uint32_t	sum[WIRE_REASON_MAX];	/* each gauge clamped first */
	uint32_t	n;			/* live slots counted */
};

/* Slots summed in one uint32 sum: a whole group at most. */
#define SHM_RANGE_MAX	(MIGSHM_MAX_SLOTS / MIGSHM_HINT_BITS)
_Static_assert((uint64_t)SHM_RANGE_MAX * WIRE_MAX_CONNS <= UINT32_MAX, "a group's sum fits");
_Static_assert(MIGSHM_MAX_SLOTS % MIGSHM_HINT_BITS == 0, "groups of at most SHM_RANGE_MAX");

/* The hint groups' bookkeeping of a hinted reader: r->nslots is set. */
static int
shm_open_groups(struct migshm_reader *r, const char **why)
{
	r->shift = migshm_hint_shift(r->nslots);
	r->ngroups = (r->nslots + (1u << r->shift) - 1) >> r->shift;
	if (!r->hinted)
		return 0;
	if ((r->group = calloc(r->ngroups, sizeof(*r->group))) == NULL) {
		*why = "out of memory";
		return -1;
	}
	return 0;
}

/*
 * Open path, read-write first if hinted (falling back to read-only), map
 * it read-only, and (hinted) the header's page writable.
 */
static int
shm_open_map(struct migshm_reader *r, const char *path, int hinted, const char **why)
{
	struct stat	 st;
	void		*map;

	if (hinted && (r->fd = open(path, O_RDWR | O_CLOEXEC)) != -1)
		r->hinted = 1;
	if (r->fd == -1 && (r->fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*why = errno == ENOENT ? "no such file" : "cannot open";
		return -1;
	}
	if (fstat(r->fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		return -1;
	}
	if ((size_t)st.st_size < MIGSHM_HEADER_SIZE) {
		*why = "file shorter than its header";
		return -1;
	}
	if ((uint64_t)st.st_size > MIGSHM_FILE_SIZE(MIGSHM_MAX_SLOTS)) {
		*why = "file larger than any valid layout";
		return -1;
	}
	map = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, r->fd, 0);
	if (map == MAP_FAILED) {
		*why = "cannot map";
		return -1;
	}
	r->map = map;
	r->maplen = st.st_size;
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	/* Only the first page: the header, and slots we never write. */
	if (r->hinted && mprotect(map, MIGSHM_HEADER_SIZE, PROT_READ | PROT_WRITE) == -1)
		r->hinted = 0;
	return 0;
}

static int
shm_open_reader(struct migshm_reader *r, const char *path, int hinted, const char **why)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	if (shm_open_map(r, path, hinted, why) == -1)
		goto fail;
	if (shm_check_header(r->map, r->maplen, why) == -1)
		goto fail;
	r->nslots = ((const struct migshm_header *)r->map)->nslots;
	if ((r->dead = calloc(r->nslots, sizeof(*r->dead))) == NULL) {
		*why = "out of memory";
		goto fail;
	}
	if (shm_open_groups(r, why) == -1)
		goto fail;
	return 0;
fail:
	migshm_close(r);
	return -1;
}

int
migshm_open(struct migshm_reader *r, const char *path, const char **why)
{
	return shm_open_reader(r, path, 0, why);
}

int
migshm_open_hinted(struct migshm_reader *r, const char *path, const char **why)
{
	return shm_open_reader(r, path, 1, why);
}

/*
 * The gauges of a slot, four at a time: a volatile vector load is one real
 * load per poll (the writer is another process), each 4-byte element read
 * whole (aligned, within one cache line).  Unaligned type: count[] sits at
 * offset 8 of the slot.  Sums are unsigned: a range of SHM_RANGE_MAX
 * clamped gauges fits.
 */
typedef int32_t shm_v4 __attribute__((vector_size(16), aligned(4)));
typedef uint32_t shm_u4 __attribute__((vector_size(16)));
#define SHM_NV		(WIRE_REASON_MAX / 4)
_Static_assert(WIRE_REASON_MAX % 4 == 0, "gauges come in vectors of four");

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

/*
 * Sum the live slots [lo, hi) into g (hi - lo <= SHM_RANGE_MAX), and
 * fetch ahead up to slot end: after 10 ms asleep the slots are out of
 * cache.
 */
static void
shm_sum_range(struct migshm_reader *r, uint32_t lo, uint32_t hi, uint32_t end,
    int check_pids, struct migshm_group *g)
{
	const struct migshm_slot	*slots = (const struct migshm_slot *)
					    ((const uint8_t *)r->map + MIGSHM_HEADER_SIZE);
	shm_u4				 acc[SHM_NV];
	shm_v4				 v[SHM_NV];
	uint32_t			 i, n = 0;
	int32_t				 pid;
	int				 j, k;

	memset(acc, 0, sizeof(acc));
	for (i = lo; i < hi; i++) {
		if (i + 8 < end)
			__builtin_prefetch(&slots[i + 8]);
		pid = __atomic_load_n(&slots[i].pid, __ATOMIC_ACQUIRE);
		if (pid <= 0)
			continue;
		if (!shm_slot_live(r, i, pid, shm_load_slot(&slots[i], v), check_pids))
			continue;
		for (k = 0; k < SHM_NV; k++)
			acc[k] += (shm_u4)v[k];
		n++;
	}
	for (j = 0; j < WIRE_REASON_MAX; j++)
		g->sum[j] = acc[j / 4][j % 4];
	g->n = n;
}

/* Add (sign 1) or take away (sign -1) g's share of the totals. */
static inline void
shm_total(struct migshm_reader *r, const struct migshm_group *g, int sign)
{
	int	j;

	for (j = 0; j < WIRE_REASON_MAX; j++)
		r->total[j] += sign > 0 ? g->sum[j] : -(uint64_t)g->sum[j];
	r->total_n += sign > 0 ? g->n : -g->n;
}

/*
 * Read every slot into the totals; into the group cache too with fill
 * (the hint bits already cleared), else in ranges of SHM_RANGE_MAX.
 */
static void
shm_scan(struct migshm_reader *r, int check_pids, int fill)
{
	struct migshm_group	 tmp, *g = &tmp;
	uint32_t		 lo, hi, step = fill ? 1u << r->shift : SHM_RANGE_MAX;

	memset(r->total, 0, sizeof(r->total));
	r->total_n = 0;
	for (lo = 0; lo < r->nslots; lo += step) {
		hi = r->nslots - lo < step ? r->nslots : lo + step;
		if (fill)
			g = &r->group[lo >> r->shift];
		shm_sum_range(r, lo, hi, r->nslots, check_pids, g);
		shm_total(r, g, 1);
	}
	r->cached = fill;
}

/* The hint words of a hinted reader's (writable) header. */
static inline uint64_t *
shm_hints(struct migshm_reader *r)
{
	return ((struct migshm_header *)(uintptr_t)r->map)->hint;
}

/* Before a full scan: bits set from now on are looked at by the next poll. */
static void
shm_clear_hints(struct migshm_reader *r)
{
	uint64_t	*hint = shm_hints(r);
	int		 w;

	for (w = 0; w < MIGSHM_HINT_WORDS; w++)
		__atomic_exchange_n(&hint[w], 0, __ATOMIC_SEQ_CST);
	/* Orders the slot loads after the clearing stores (migshm.h). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Group g changed: swap its old sums for the slots' current ones. */
static void
shm_reread_group(struct migshm_reader *r, uint32_t g)
{
	uint32_t lo = g << r->shift, hi = lo + (1u << r->shift);

	if (hi > r->nslots)
		hi = r->nslots;
	shm_total(r, &r->group[g], -1);
	shm_sum_range(r, lo, hi, hi, 0, &r->group[g]);
	shm_total(r, &r->group[g], 1);
}

/*
 * The poll: take the set bits of the words that cover our groups (bits
 * past the last group, which a hostile writer may set, are left alone),
 * then re-read those groups.  A quiet poll loads one cache line here.
 */
static void
shm_poll_hints(struct migshm_reader *r)
{
	uint64_t	*hint = shm_hints(r), taken[MIGSHM_HINT_WORDS], any = 0, m;
	uint32_t	 w, nw = (r->ngroups + 63) / 64, left;

	for (w = 0; w < nw; w++) {
		taken[w] = 0;
		if (__atomic_load_n(&hint[w], __ATOMIC_RELAXED) == 0)
			continue;
		left = r->ngroups - w * 64;
		m = left >= 64 ? ~0ull : (1ull << left) - 1;
		taken[w] = __atomic_exchange_n(&hint[w], 0, __ATOMIC_SEQ_CST) & m;
		any |= taken[w];
	}
	if (any == 0)
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* see migshm.h */
	for (w = 0; w < nw; w++)
		for (m = taken[w]; m != 0; m &= m - 1)
			shm_reread_group(r, w * 64 + (uint32_t)__builtin_ctzll(m));
}

int
migshm_read(struct migshm_reader *r, uint32_t counts[WIRE_REASON_MAX], unsigned flags,
    const char **why)
{
	const struct migshm_header	*h = r->map;
	struct stat			 st;
	int				 check_pids = (flags & MIGSHM_CHECK_PIDS) != 0, j;

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
	if (!r->hinted || !(__atomic_load_n(&h->features, __ATOMIC_RELAXED) & MIGSHM_F_HINTS))
		shm_scan(r, check_pids, 0);
	else if (check_pids || (flags & MIGSHM_FULL) || !r->cached) {
		shm_clear_hints(r);
		shm_scan(r, check_pids, 1);
	} else
		shm_poll_hints(r);
	for (j = 0; j < WIRE_REASON_MAX; j++)
		counts[j] = r->total[j] > WIRE_MAX_CONNS ? WIRE_MAX_CONNS : (uint32_t)r->total[j];
	return (int)r->total_n;
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
	free(r->group);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}
