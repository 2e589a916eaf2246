/*
 * migbridge.h - migbridge's one private header: its state and every
 * function its files share, under a heading per file.
 */
#ifndef MIGBRIDGE_H
#define MIGBRIDGE_H

#include <sys/un.h>
#include <stdint.h>
#include <stdio.h>
#include <ev.h>

#include "migwire.h"
#include "policy.h"

#define BRIDGE_CONF_FILE	"/etc/migstate/migbridge.conf"
#define BRIDGE_PATH_MAX		(sizeof(((struct sockaddr_un *)0)->sun_path))
#define BRIDGE_MODE_UNIX	0
#define BRIDGE_MODE_XEN		1
#define BRIDGE_HELLO_TIMEOUT	10.0	/* s an agent has to send its HELLO */
#define BRIDGE_MIG_MAX		8	/* migrations remembered per domain */
#define BRIDGE_MIG_IDLE_US	(600 * 1000000ull) /* a migration unasked this long is over */
#define BRIDGE_HASH_SIZE	1024	/* domain table buckets (power of 2) */

struct bridge_conf {
	int		 mode;			/* BRIDGE_MODE_* */
	char		 agent_socket[BRIDGE_PATH_MAX];
	char		 query_socket[BRIDGE_PATH_MAX];
	uint64_t	 query_timeout_ms;
	uint64_t	 stale_after_ms;
	uint64_t	 forget_after_ms;	/* a domain nobody needs, this quiet */
	uint64_t	 max_frame_rate;	/* frames/s per guest */
	char		 decision_log[256];	/* "" = none */
	struct policy_conf policy;
};

/* One migration of a domain: the policy's bookkeeping. */
struct migration {
	uint64_t	 id;
	uint32_t	 deferrals;		/* DEFER verdicts so far */
	uint64_t	 first_defer_us;	/* monotonic; valid if deferrals > 0 */
	uint64_t	 last_use_us;		/* for eviction */
};

struct uplink;
struct qclient;

/* Everything migbridge knows about one domain. */
struct domain {
	struct domain	*next;			/* hash chain */
	uint32_t	 domid;
	int		 gone;			/* domain destroyed (xen) */
	int		 xs_watched;		/* xen: its vchan keys are watched */
	char		 name[WIRE_NAME_LEN];
	char		 software[WIRE_SOFTWARE_LEN];
	struct uplink	*up;			/* live agent channel, or NULL */
	int		 have_state;
	int		 state_live;		/* state came over the live channel */
	struct wire_state state;		/* the latest, sanitized */
	uint64_t	 state_us;		/* monotonic time it arrived */
	uint64_t	 frames, rejects, channels;
	uint32_t	 last_decision, last_vreason;
	uint32_t	 verdicts[WIRE_VR_MAX];
	struct migration mig[BRIDGE_MIG_MAX];	/* id 0 = free */
	struct qclient	*waiting;		/* queries waiting for a fresh STATE */
	uint64_t	 quiet_us;		/* monotonic: last looked up or lost */
};

struct bridge {
	struct ev_loop	*loop;
	struct bridge_conf conf;
	uint64_t	 start_us;
	uint64_t	 queries, failopen, rejects;
	FILE		*dlog;			/* decision log, or NULL */
};

extern struct bridge *bridge;

/* migbridge.c */
uint64_t	 bridge_unix_ms(void);		/* CLOCK_REALTIME */

/* config.c */
void		 config_defaults(struct bridge_conf *);
/*
 * Read path into *bc (defaults first).  If missing_ok and the file does
 * not exist, the defaults stand.  Returns the number of errors, all kept
 * in *cf (print them with conf_print_errors).
 */
struct conf;
int		 config_load(struct bridge_conf *, const char *path, int missing_ok,
		    struct conf *cf);

/* domain.c */
void		 domain_init(void);
void		 domain_free_all(void);
struct domain	*domain_find(uint32_t domid);
/* Find or create; NULL only if out of memory. */
struct domain	*domain_get(uint32_t domid);
/* *out = malloc'd sorted array of every domid (NULL if none or no memory); count. */
unsigned	 domain_ids(uint32_t **out);
unsigned	 domain_count(unsigned *connected);
/* The migration record for id (created, oldest evicted, if new); *isnew set. */
struct migration *domain_migration(struct domain *, uint64_t id, int *isnew);
/* Forget a migration; returns its deferrals (0 if unknown). */
uint32_t	 domain_migration_end(struct domain *, uint64_t id);
int		 domain_migrating(const struct domain *);
/* Counts by reason, summed over the state's protocols. */
void		 domain_reasons(const struct domain *, uint32_t reasons[WIRE_REASON_MAX]);
void		 domain_info(const struct domain *, uint64_t now_us, struct wire_domain_info *);
/* Age of the state in us, or WIRE_AGE_NONE. */
uint64_t	 domain_state_age(const struct domain *, uint64_t now_us);

/* uplink.c */
struct chan;
/*
 * Take over an agent channel: sends our HELLO and starts reading.  domid
 * is the channel's domain (vchan) or WIRE_DOMID_NONE (unix: the HELLO
 * names it).  Returns NULL (the chan closed, logged) on failure.
 */
struct uplink	*uplink_new(struct chan *, uint32_t domid, const char *label);
/* Close an uplink; the domain keeps its state, marked disconnected. */
void		 uplink_close(struct uplink *, const char *why, int reject);
/* Drop a vchan whose ring vanished (guest migrated): chan_abandon. */
void		 uplink_abandon(struct uplink *, const char *why);
/* Ask for a fresh STATE; returns the nonce, or 0 if the agent can't. */
uint64_t	 uplink_query(struct uplink *);
/*
 * A QEMU chardev channel: no HELLO deadline (the guest may boot, or arrive
 * by migration, much later) and a STATE before HELLO (an agent migrated
 * here, still speaking to its previous host end) is ignored, not refused,
 * until the agent answers our HELLO.
 */
void		 uplink_patient(struct uplink *);
/* Tell the agent a migration started (1) or ended (0). */
void		 uplink_migration(struct uplink *, int active);
void		 uplink_listen(void);		/* unix mode: agent_socket */
void		 uplink_shutdown(void);

/* query.c */
void		 query_listen(void);
void		 query_shutdown(void);
/* A STATE with this nonce arrived for dom (0: any; -1 lost: answer from cache). */
void		 query_state_arrived(struct domain *, uint64_t nonce);
void		 query_agent_lost(struct domain *);
/* The decision log line (and its log_info twin) for one verdict. */
void		 query_log_verdict(const struct wire_domain_query *, const struct wire_verdict *);

/* xen.c */
void		 xen_start(void);
void		 xen_stop(void);

/* qemu.c - QEMU mode: [qemu NAME] guests, QMP, driven migrations */
struct conf;
void		 qemu_config_reset(void);
/* One key of [qemu NAME]; errors go to cf. */
void		 qemu_config_key(struct conf *, const char *name, const char *key,
		    const char *value);
/* Checks across keys, once the file is read. */
void		 qemu_config_check(struct conf *);
void		 qemu_start(void);		/* connect QMP and channels, keep them up */
void		 qemu_stop(void);
/* Connect every [qemu] agent channel that has none (before a switchover). */
void		 qemu_connect_channels(void);
/* MIGRATE / MIGRATE-STATUS: encode the answer frame into buf; its length. */
size_t		 qemu_query(uint32_t type, const uint8_t *payload, uint32_t len,
		    uint8_t *buf, size_t cap);

#endif /* MIGBRIDGE_H */
