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

int
migshm_read(struct migshm_reader *r, uint32_t counts[WIRE_REASON_MAX], int check_pids,
    const char **why)
{
	const struct migshm_header	*h = r->map;
	const struct migshm_slot	*slots;
	struct stat			 st;
	uint64_t			 sum[WIRE_REASON_MAX] = { 0 };
	uint32_t			 i, j;
	int				 n = 0;

	/* A truncated file would fault on access: check before reading. */
	if (fstat(r->fd, &st) == -1 || (size_t)st.st_size < r->maplen) {
		*why = "file truncated";
		return -1;
	}
	if (shm_check_header(h, r->maplen, why) == -1 || h->nslots != r->nslots) {
		if (h->nslots != r->nslots)
			*why = "slot count changed";
		return -1;
	}
	slots = (const struct migshm_slot *)((const uint8_t *)r->map + MIGSHM_HEADER_SIZE);
	for (i = 0; i < r->nslots; i++) {
		int32_t pid = __atomic_load_n(&slots[i].pid, __ATOMIC_ACQUIRE);

		if (pid <= 0)
			continue;
		if (check_pids)
			r->dead[i] = (kill(pid, 0) == -1 && errno == ESRCH) ? pid : 0;
		if (r->dead[i] == pid)
			continue;
		for (j = 0; j < WIRE_REASON_MAX; j++) {
			int32_t c = __atomic_load_n(&slots[i].count[j], __ATOMIC_RELAXED);
			if (c > 0)
				sum[j] += (uint32_t)c;
		}
		n++;
	}
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
