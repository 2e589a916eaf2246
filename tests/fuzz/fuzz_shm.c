/*
 * fuzz_shm.c - libFuzzer target: the shared-memory reader on arbitrary
 * file contents (a compromised Apache child can write anything there).
 */
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "migshm.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct migshm_reader	r;
	uint32_t		c[WIRE_REASON_MAX];
	const char		*why;
	char			path[64];
	int			fd, i;

	if ((fd = memfd_create("fuzz_shm", 0)) == -1)
		return 0;
	if (write(fd, data, size) != (ssize_t)size)
		goto done;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (migshm_open(&r, path, &why) == 0) {
		for (i = 0; i < 2; i++)
			if (migshm_read(&r, c, i ? MIGSHM_CHECK_SIZE : 0, &why) >= 0)
				for (int j = 0; j < WIRE_REASON_MAX; j++)
					if (c[j] > WIRE_MAX_CONNS)
						abort();
		migshm_close(&r);
	}
done:
	close(fd);
	return 0;
}
