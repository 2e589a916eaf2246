/*
 * migshm-dump - print the sums of mod_migstate's shared memory, for tests.
 *
 *   migshm-dump [-p] FILE
 *
 * Prints one line:
 *   new=N reading=N processing=N writing_small=N handshake=N auth=N idle=N
 *   writing_large=N slots=N
 * where slots is the number of claimed slots counted.  Without -p the pids
 * of claimed slots are not probed, so a test sees exactly what the module
 * (and Apache's parent) left in the file.  Exit 1 with a reason on stderr
 * if the file cannot be read.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "migshm.h"

static const char *dump_names[WIRE_REASON_MAX] = {
	[WIRE_R_NEW] = "new",
	[WIRE_R_READING] = "reading",
	[WIRE_R_PROCESSING] = "processing",
	[WIRE_R_WRITING_SMALL] = "writing_small",
	[WIRE_R_HANDSHAKE] = "handshake",
	[WIRE_R_AUTH] = "auth",
	[WIRE_R_IDLE] = "idle",
	[WIRE_R_WRITING_LARGE] = "writing_large",
};

int
main(int argc, char *argv[])
{
	struct migshm_reader	 r;
	uint32_t		 counts[WIRE_REASON_MAX];
	const char		*why = NULL;
	int			 ch, probe = 0, n, i;

	while ((ch = getopt(argc, argv, "p")) != -1) {
		if (ch != 'p')
			goto usage;
		probe = 1;
	}
	if (optind != argc - 1)
		goto usage;
	if (migshm_open(&r, argv[optind], &why) == -1) {
		fprintf(stderr, "migshm-dump: %s: %s\n", argv[optind], why);
		return 1;
	}
	if ((n = migshm_read(&r, counts,
	    MIGSHM_CHECK_SIZE | (probe ? MIGSHM_CHECK_PIDS : 0), &why)) == -1) {
		fprintf(stderr, "migshm-dump: %s: %s\n", argv[optind], why);
		migshm_close(&r);
		return 1;
	}
	for (i = 0; i < WIRE_REASON_MAX; i++)
		printf("%s=%u ", dump_names[i], counts[i]);
	printf("slots=%d\n", n);
	migshm_close(&r);
	return 0;
usage:
	fprintf(stderr, "usage: migshm-dump [-p] file\n");
	return 2;
}
