/*
 * hook.h - private header of libmigstate-precopy.so, the LD_PRELOAD
 * interposer on libxenguest's xc_domain_save (ARCHITECTURE.md, "The
 * precopy hook").  Nothing here is exported from the shared object: its
 * version script exports xc_domain_save@@VERS_4.17.0 and nothing else.
 */
#ifndef HOOK_H
#define HOOK_H

#include <stdint.h>

#include <xenctrl.h>
#include <xenguest.h>

/* The stock policy of libxenguest 4.17 (simple_precopy_policy). */
#define HOOK_STOCK_MAX_ITERATIONS	5
#define HOOK_STOCK_TARGET_DIRTY		50

/* Defaults of the environment knobs (docs/libmigstate-precopy.8). */
#define HOOK_QUERY_SOCKET	"/run/migstate/migbridge.sock"
#define HOOK_QUERY_TIMEOUT_MS	50
#define HOOK_DEADLINE_S		120	/* the hook's own bound on deferring */
#define HOOK_DEADLINE_MAX_S	3600	/* MIGSTATE_DEADLINE_S is clamped here */
#define HOOK_MAX_ITERATIONS	1000	/* never defer beyond this round */
#define HOOK_QUIESCE_MS		200
#define HOOK_QUIESCE_MAX_MS	10000

/* Decisions, as libxenguest's XGS_POLICY_* (values fixed by its ABI). */
#define HOOK_CONTINUE		0
#define HOOK_STOP		1

/* What the hook reads from its environment, once per xc_domain_save. */
struct hook_conf {
	char		 query_socket[108];	/* sun_path */
	int		 query_timeout_ms;
	int		 deadline_s;
	int		 quiesce_ms;
	const char	*xs;			/* MIGSTATE_XS, or NULL */
};

/* hook.c */
/*
 * One migration, as xc_domain_save drives it (exposed for the unit test;
 * the version script keeps them out of the shared object's exports).
 * hook_begin(dom) starts a migration's state and reads the environment;
 * hook_policy is the precopy_policy installed into libxl's callbacks (data
 * is libxl's and untouched): it returns XGS_POLICY_CONTINUE_PRECOPY or
 * XGS_POLICY_STOP_AND_COPY, never XGS_POLICY_ABORT; hook_end(rc) resets
 * quiesce, sends MIGRATION-END and closes the query socket.
 */
void		 hook_begin(uint32_t dom);
int		 hook_policy(struct precopy_stats, void *data);
void		 hook_end(int rc);
void		 hook_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int		 hook_stock(unsigned iteration, long dirty_count);

/* quiesce.c */
struct quiesce;
/*
 * Run the guest side of the quiesce handshake for domid: if the agent's
 * data/migbridge/state key exists, write quiesce=1 and wait up to bound_ms
 * for state=quiesced.  xs_spec selects the backend (NULL or "xen": xenstore;
 * "dir:PATH": the directory backend).  Returns a handle to pass to
 * quiesce_reset() (NULL when there was nothing to reset); never fails the
 * caller: every error is logged and the migration proceeds.
 */
struct quiesce	*quiesce_run(uint32_t domid, const char *xs_spec, int bound_ms);
/* Write quiesce=0 if quiesce_run wrote 1, and free q (NULL is a no-op). */
void		 quiesce_reset(struct quiesce *q);

#endif /* HOOK_H */
