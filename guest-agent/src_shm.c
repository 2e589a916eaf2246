/*
 * src_shm.c - the mod_migstate source: its shared-memory slots (migshm.h).
 *
 * The file belongs to Apache, which may start after us, restart (a new
 * file), or be broken: a missing file is normal (logged once, re-tried
 * every second), a corrupted or truncated one is rejected with one log
 * line and re-tried, a recreated one is re-opened.  While the file is not
 * usable the source reports zero connections.
 *
 * Polls between pid checks skip the file-size check (an fstat per poll was
 * a sixth of the agent's idle cost): a file truncated in between faults
 * with SIGBUS when read, and a guard turns that fault into a rejection.
 *
 * The agent is the file's one consumer of change hints (migshm.h): it opens
 * it read-write (only the header's page is mapped writable) so that a poll
 * reads the slots Apache marked as changed, not all of them; pid checks
 * (heartbeat and QUERY) read every slot.  A file it may not write (said
 * when opened), or one from a module without hints, is read whole on
 * every poll.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "log.h"

#define SRC_SHM_RETRY_US	1000000	/* re-try a missing or rejected file */

struct src_shm {
	struct source		 src;
	char			 path[PATH_MAX];
	struct migshm_reader	 rd;
	int			 open;
	uint64_t		 next_try_us;
	const char		*last_why;	/* last failure logged, to log it once */
};

/* Set only while a mapping is being read: where a fault in it returns to. */
struct src_shm_guard {
	sigjmp_buf	*jmp;
	const uint8_t	*lo, *hi;		/* the mapping */
};
static struct src_shm_guard *volatile src_shm_guard;

static void
src_shm_sigbus(int sig, siginfo_t *si, void *uctx)
{
	const uint8_t	*addr = si->si_addr;

	(void)uctx;
	if (src_shm_guard != NULL && addr >= src_shm_guard->lo && addr < src_shm_guard->hi)
		siglongjmp(*src_shm_guard->jmp, 1);
	signal(sig, SIG_DFL);		/* not a read of ours: die as without us */
	raise(sig);
}

/* Install the SIGBUS guard; SA_NODEFER so a longjmp leaves it unblocked. */
static void
src_shm_guard_install(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = src_shm_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

/* migshm_read under the guard: a truncated file is an error, not a crash. */
static int
src_shm_read_guarded(struct src_shm *s, uint32_t counts[WIRE_REASON_MAX], unsigned flags,
    const char **why)
{
	sigjmp_buf		jb;
	struct src_shm_guard	g = { &jb, s->rd.map, (const uint8_t *)s->rd.map + s->rd.maplen };
	int			n;

	if (sigsetjmp(jb, 0) != 0) {	/* 0: no sigprocmask call per poll */
		src_shm_guard = NULL;
		*why = "file truncated (the read faulted)";
		return -1;
	}
	src_shm_guard = &g;
	n = migshm_read(&s->rd, counts, flags, why);
	src_shm_guard = NULL;
	return n;
}

/* Log a failure once per distinct reason, and schedule the next try. */
static void
src_shm_failed(struct src_shm *s, const char *what, const char *why)
{
	if (s->last_why == NULL || strcmp(s->last_why, why) != 0) {
		if (!strcmp(why, "no such file"))
			log_info("%s: %s: no such file yet, re-trying every second",
			    s->src.name, s->path);
		else
			log_warnx("%s: %s: %s: %s; re-trying every second", s->src.name,
			    s->path, what, why);
	}
	s->last_why = why;
	s->next_try_us = wire_mono_us() + SRC_SHM_RETRY_US;
}

static void
src_shm_try_open(struct src_shm *s)
{
	const char	*why = NULL;

	if (wire_mono_us() < s->next_try_us)
		return;
	if (migshm_open_hinted(&s->rd, s->path, &why) == -1) {
		src_shm_failed(s, "rejected", why);
		return;
	}
	s->open = 1;
	s->last_why = NULL;
	log_info("%s: %s: reading %u slots%s", s->src.name, s->path, s->rd.nslots,
	    s->rd.hinted ? "" : " (not writable: every slot on every poll)");
}

static void
src_shm_drop(struct src_shm *s)
{
	migshm_close(&s->rd);
	s->open = 0;
}

static void
src_shm_read(struct source *src, uint32_t counts[WIRE_REASON_MAX], int check_pids)
{
	struct src_shm	*s = src->priv;
	const char	*why = NULL;

	memset(counts, 0, WIRE_REASON_MAX * sizeof(counts[0]));
	/* Apache restarted with a new file: follow it (checked at pid-check rate). */
	if (s->open && check_pids && migshm_replaced(&s->rd, s->path)) {
		log_info("%s: %s: file replaced, re-opening", src->name, s->path);
		src_shm_drop(s);
		s->next_try_us = 0;
	}
	if (!s->open)
		src_shm_try_open(s);
	if (!s->open)
		return;
	if (src_shm_read_guarded(s, counts, check_pids ?
	    MIGSHM_CHECK_PIDS | MIGSHM_CHECK_SIZE : 0, &why) == -1) {
		memset(counts, 0, WIRE_REASON_MAX * sizeof(counts[0]));
		src_shm_drop(s);
		src_shm_failed(s, "rejected while reading", why);
	}
}

static void
src_shm_close(struct source *src)
{
	struct src_shm	*s = src->priv;

	if (s->open)
		src_shm_drop(s);
	free(s);
}

static const struct source_ops src_shm_ops = {
	.read = src_shm_read,
	.close = src_shm_close,
};

struct source *
src_shm_new(const char *name, const char *path)
{
	struct src_shm	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	snprintf(s->src.name, sizeof(s->src.name), "%s", name);
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->src.proto = WIRE_P_HTTP;
	s->src.ops = &src_shm_ops;
	s->src.priv = s;
	s->rd.fd = -1;
	src_shm_guard_install();
	return &s->src;
}
