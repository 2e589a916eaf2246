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
 * entering a state, decremented on leaving it, only with relaxed atomic
 * adds on the request path.  The parent zeroes the slot of a child that
 * exited.  Slots whose pid is dead are ignored by the reader.
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

struct migshm_header {
	uint64_t magic;			/* MIGSHM_MAGIC, written last on create */
	uint32_t version;		/* MIGSHM_VERSION */
	uint32_t header_size;		/* MIGSHM_HEADER_SIZE */
	uint32_t slot_size;		/* MIGSHM_SLOT_SIZE */
	uint32_t nslots;
	uint64_t threshold;		/* MigStateLargeTransfer in force */
	uint32_t generation;		/* Apache's generation, for readers' logs */
	uint32_t enabled;		/* 0 when MigState Off */
	uint8_t	 reserved[88];
};

struct migshm_slot {
	int32_t	 pid;			/* 0 = free; CAS to claim */
	uint32_t generation;		/* the owner's Apache generation */
	int32_t	 count[WIRE_REASON_MAX];/* gauges by enum wire_reason */
	uint8_t	 reserved[88];
};

_Static_assert(sizeof(struct migshm_header) == MIGSHM_HEADER_SIZE, "header size");
_Static_assert(sizeof(struct migshm_slot) == MIGSHM_SLOT_SIZE, "slot size");

/* Bytes a file with n slots needs. */
#define MIGSHM_FILE_SIZE(n)	((size_t)MIGSHM_HEADER_SIZE + (size_t)(n) * MIGSHM_SLOT_SIZE)

/* A read-only mapping of the file, for migstate-agent and tests. */
struct migshm_reader {
	int			 fd;
	const void		*map;
	size_t			 maplen;
	dev_t			 dev;
	ino_t			 ino;
	uint32_t		 nslots;
	int32_t			*dead;		/* per slot: pid found dead, or 0 */
};

/*
 * Open and map path read-only and validate the header (magic, version,
 * sizes, the file's length).  0, or -1 with *why set (reader closed).
 */
int	migshm_open(struct migshm_reader *, const char *path, const char **why);
/* migshm_read flags. */
#define MIGSHM_CHECK_PIDS	0x1	/* probe claimants: kill(pid, 0) */
#define MIGSHM_CHECK_SIZE	0x2	/* fstat: is the file still long enough? */

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
 */
int	migshm_read(struct migshm_reader *, uint32_t counts[WIRE_REASON_MAX],
	    unsigned flags, const char **why);
/* 1 if path now names another file than the one mapped (recreated). */
int	migshm_replaced(const struct migshm_reader *, const char *path);
void	migshm_close(struct migshm_reader *);

#endif /* MIGSHM_H */
