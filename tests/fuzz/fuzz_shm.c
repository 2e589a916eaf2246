/*
 * fuzz_shm.c - libFuzzer target: the shared-memory reader on arbitrary
 * file contents (a compromised Apache child can write anything there).
 *
 * Each input is read as written and again with MIGSHM_F_HINTS forced on,
 * by a hinted reader (a full read, then a poll on the input's own hint
 * bits, then MIGSHM_FULL) and by a plain one.  The file's slots do not
 * change between the reads, so all of them must agree, and no sum may
 * exceed WIRE_MAX_CONNS.
 */
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "migshm.h"

/* A read's result: what it returned and the counts. */
struct fuzz_res {
	int		n;
	uint32_t	c[WIRE_REASON_MAX];
};

static void
fuzz_read(struct migshm_reader *r, unsigned flags, struct fuzz_res *res)
{
	const char	*why;
	int		 j;

	memset(res, 0, sizeof(*res));
	res->n = migshm_read(r, res->c, flags, &why);
	if (res->n < 0)
		memset(res->c, 0, sizeof(res->c));
	for (j = 0; j < WIRE_REASON_MAX; j++)
		if (res->c[j] > WIRE_MAX_CONNS)
			abort();
}

static void
fuzz_same(const struct fuzz_res *a, const struct fuzz_res *b)
{
	if (a->n != b->n || memcmp(a->c, b->c, sizeof(a->c)) != 0)
		abort();
}

/* One round on the file at path; data's hint words are put back in fd. */
static void
fuzz_round(int fd, const char *path, const uint8_t *data, size_t size)
{
	struct migshm_reader	r, p;
	struct fuzz_res		full, poll, plain, again;
	const char		*why;
	size_t			off = offsetof(struct migshm_header, hint);

	if (migshm_open_hinted(&r, path, &why) != 0)
		return;
	fuzz_read(&r, MIGSHM_CHECK_SIZE, &full);
	/* The full read cleared the bits: the poll takes the input's. */
	if (size >= MIGSHM_HEADER_SIZE &&
	    pwrite(fd, data + off, MIGSHM_HEADER_SIZE - off, off) != (ssize_t)(MIGSHM_HEADER_SIZE - off))
		abort();
	fuzz_read(&r, 0, &poll);
	fuzz_read(&r, MIGSHM_FULL, &again);
	fuzz_same(&full, &poll);
	fuzz_same(&full, &again);
	if (migshm_open(&p, path, &why) == 0) {
		fuzz_read(&p, 0, &plain);
		fuzz_same(&full, &plain);
		migshm_close(&p);
	}
	migshm_close(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t	features;
	char		path[64];
	int		fd;

	if ((fd = memfd_create("fuzz_shm", 0)) == -1)
		return 0;
	if (write(fd, data, size) != (ssize_t)size)
		goto done;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	fuzz_round(fd, path, data, size);
	if (size >= MIGSHM_HEADER_SIZE) {
		memcpy(&features, data + offsetof(struct migshm_header, features), 4);
		features |= MIGSHM_F_HINTS;
		if (pwrite(fd, &features, 4, offsetof(struct migshm_header, features)) == 4)
			fuzz_round(fd, path, data, size);
	}
done:
	close(fd);
	return 0;
}
