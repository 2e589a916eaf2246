/*
 * migshm.h - the shared memory mod_migstate publishes and migstate-agent
 * reads: a plain file mapped MAP_SHARED, so the reader needs no APR.
 *
 *   offset 0                 struct migshm_header (128 bytes)
 *   offset 128 + i * 128     struct migshm_slot i, i < nslots
 *
 * Apache's parent creates the file once (and keeps it across graceful
 * restarts); each child process claims a free slot by compare-and-swap of
 * pid from 0 to its pid, and keeps per-reason gauges in it: incremented on
 * entering a state, decremented on leaving it, only with atomic adds on
 * the request path.  The parent zeroes the slot of a child that exited.
 * Slots whose pid is dead are ignored by the reader.
 *
 * Change hints.  A writer that sets MIGSHM_F_HINTS in the header marks,
 * after every change of a slot (gauge or pid), the slot's bit in the
 * header's 512-bit hint[] (slot i is bit i >> migshm_hint_shift(nslots):
 * one bit a slot up to 512 slots, then one per group of 2, 4, ... slots),
 * so that a 10 ms poll reads the two header cache lines and only the slots
 * whose bit is set, not every slot.  Contract: the writer changes the slot
 * with a SEQ_CST atomic and THEN marks (migshm_hint_mark: a SEQ_CST load
 * of the word, and a SEQ_CST fetch-or if the bit is clear); the reader
 * atomically exchanges a word to 0 (SEQ_CST), then a SEQ_CST fence, THEN
 * reads the slots of the bits it took.  In the total order of SEQ_CST
 * operations a change whose mark found its bit already set precedes the
 * exchange that clears that bit, so the reader that clears it sees the
 * change.  On x86 a SEQ_CST add and a SEQ_CST load are the same
 * instructions as relaxed ones (lock xadd or lock add, mov): the writer's
 * request path only gains the load and test of the mark.  Only one reader
 * may consume the hints (migshm_open_hinted: the agent); other readers
 * (migshm_open) scan every slot and leave the bits alone.  A file without
 * MIGSHM_F_HINTS (an older writer) is scanned whole on every read.
 *
 * All fields are native-endian (reader and writer share the machine).
 */
#ifndef MIGSHM_H
#define MIGSHM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "migwire.h"

#define MIGSHM_MAGIC		0x31304d4853474d4dull	/* "MMGSHM01" */
#define MIGSHM_VERSION		1
#define MIGSHM_HEADER_SIZE	128
#define MIGSHM_SLOT_SIZE	128	/* two cache lines: no false sharing */
#define MIGSHM_MAX_SLOTS	65536	/* 8 MiB: bounds what a reader maps */
#define MIGSHM_DEFAULT_PATH	"/run/migstate/mod_migstate.shm"
#define MIGSHM_HINT_WORDS	8
#define MIGSHM_HINT_BITS	(MIGSHM_HINT_WORDS * 64)

/* migshm_header.features */
#define MIGSHM_F_HINTS		0x1	/* the writer marks hint bits */

struct migshm_header {
	uint64_t magic;			/* MIGSHM_MAGIC, written last on create */
	uint32_t version;		/* MIGSHM_VERSION */
	uint32_t header_size;		/* MIGSHM_HEADER_SIZE */
	uint32_t slot_size;		/* MIGSHM_SLOT_SIZE */
	uint32_t nslots;
	uint64_t threshold;		/* MigStateLargeTransfer in force */
	uint32_t generation;		/* Apache's generation, for readers' logs */
	uint32_t enabled;		/* 0 when MigState Off */
	uint32_t features;		/* MIGSHM_F_*, set before the magic */
	uint8_t	 reserved[20];		/* zero */
	uint64_t hint[MIGSHM_HINT_WORDS];/* change hints, own cache line */
};

struct migshm_slot {
	int32_t	 pid;			/* 0 = free; CAS to claim */
	uint32_t generation;		/* the owner's Apache generation */
	int32_t	 count[WIRE_REASON_MAX];/* gauges by enum wire_reason */
	uint8_t	 reserved[88];
};

_Static_assert(sizeof(struct migshm_header) == MIGSHM_HEADER_SIZE, "header size");
_Static_assert(sizeof(struct migshm_slot) == MIGSHM_SLOT_SIZE, "slot size");
_Static_assert(offsetof(struct migshm_header, features) == 40, "features offset");
_Static_assert(offsetof(struct migshm_header, hint) == 64, "hint offset");

/*
 * The smallest s such that groups of 1 << s slots number at most
 * MIGSHM_HINT_BITS: slot i's hint bit is i >> s.
 */
static inline uint32_t
migshm_hint_shift(uint32_t nslots)
{
	uint32_t s = 0;

	while ((((uint64_t)nslots + (1ull << s) - 1) >> s) > MIGSHM_HINT_BITS)
		s++;
	return s;
}

/*
 * Writer: set bit m of the hint word w, after the change it announces
 * (made with a SEQ_CST atomic).  Loads first: under load the bit is
 * usually set already, and a load does not take the line away from the
 * other writers and the reader.
 */
static inline void
migshm_hint_set(uint64_t *w, uint64_t m)
{
	if (!(__atomic_load_n(w, __ATOMIC_SEQ_CST) & m))
		__atomic_fetch_or(w, m, __ATOMIC_SEQ_CST);
}

/* Writer: mark slot_index of the file whose header is h as changed. */
static inline void
migshm_hint_mark(struct migshm_header *h, uint32_t slot_index)
{
	uint32_t bit = slot_index >> migshm_hint_shift(h->nslots);

	if (bit < MIGSHM_HINT_BITS)
		migshm_hint_set(&h->hint[bit / 64], 1ull << (bit % 64));
}

/* Bytes a file with n slots needs. */
#define MIGSHM_FILE_SIZE(n)	((size_t)MIGSHM_HEADER_SIZE + (size_t)(n) * MIGSHM_SLOT_SIZE)

struct migshm_group;	/* shm.c: one hint group's cached sums */

/* A mapping of the file, for migstate-agent and tests. */
struct migshm_reader {
	int			 fd;
	const void		*map;
	size_t			 maplen;
	dev_t			 dev;
	ino_t			 ino;
	uint32_t		 nslots;
	int32_t			*dead;		/* per slot: pid found dead, or 0 */
	/* Hints (migshm_open_hinted); the rest is valid while cached. */
	int			 hinted;	/* the header's page is writable */
	int			 cached;	/* group[] and the totals are valid */
	uint32_t		 shift;		/* migshm_hint_shift(nslots) */
	uint32_t		 ngroups;	/* hint groups, <= MIGSHM_HINT_BITS */
	struct migshm_group	*group;		/* ngroups entries */
	uint64_t		 total[WIRE_REASON_MAX];	/* sum over the groups */
	uint32_t		 total_n;	/* live slots in the groups */
};

/*
 * Open and map path read-only and validate the header (magic, version,
 * sizes, the file's length).  Such a reader leaves the hint bits alone and
 * reads every slot on every migshm_read.  0, or -1 with *why set (reader
 * closed).
 */
int	migshm_open(struct migshm_reader *, const char *path, const char **why);
/*
 * migshm_open for the one reader that consumes the hint bits (the agent):
 * the file is opened read-write and its first page mapped writable, so
 * that migshm_read can clear the bits it takes.  If the file cannot be
 * opened for writing (permissions, a read-only mount) it is read as by
 * migshm_open and r->hinted is 0.  0, or -1 with *why set (reader closed).
 */
int	migshm_open_hinted(struct migshm_reader *, const char *path, const char **why);
/* migshm_read flags. */
#define MIGSHM_CHECK_PIDS	0x1	/* probe claimants: kill(pid, 0) */
#define MIGSHM_CHECK_SIZE	0x2	/* fstat: is the file still long enough? */
#define MIGSHM_FULL		0x4	/* read every slot, hints or not */

/*
 * Sum the gauges of every claimed slot into counts[WIRE_REASON_MAX].
 * With MIGSHM_CHECK_PIDS, the pid of each claimed slot with a non-zero
 * gauge is probed (kill(pid, 0)) and a dead one remembered, so later reads
 * skip that slot until another pid claims it: probe at heartbeat rate, not
 * on every poll.  Negative gauges (a reader racing a decrement before its
 * increment) count as 0.  Returns the number of slots counted, or -1 with
 * *why if the file was truncated (seen only with MIGSHM_CHECK_SIZE) or its
 * header changed (close and reopen).  Without MIGSHM_CHECK_SIZE a file
 * truncated since the last check faults (SIGBUS) when read: a caller that
 * polls without it must catch that signal.
 *
 * A hinted reader of a file with MIGSHM_F_HINTS reads every slot only with
 * MIGSHM_CHECK_PIDS or MIGSHM_FULL, or when it has no cached sums yet
 * (clearing every hint bit first); otherwise it re-reads only the groups
 * whose hint bit is set and keeps the others' sums from before.  A change
 * the writer did not mark is then seen by the next full read.
 */
int	migshm_read(struct migshm_reader *, uint32_t counts[WIRE_REASON_MAX],
	    unsigned flags, const char **why);
/* 1 if path now names another file than the one mapped (recreated). */
int	migshm_replaced(const struct migshm_reader *, const char *path);
void	migshm_close(struct migshm_reader *);

#endif /* MIGSHM_H */
