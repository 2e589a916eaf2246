/*
 * domain.c - the per-domain state table: a hash of domains by domid, each
 * with its latest agent state, counters, last verdict and the bookkeeping
 * of the migrations asking about it.  A domain nobody needs any more is
 * forgotten after forget_after (domain_forget_cb).
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "migbridge.h"

static struct domain	*domain_hash[BRIDGE_HASH_SIZE];
static unsigned		 domain_n;
static ev_timer		 domain_forget_timer;

/*
 * Forget every domain without a channel, a waiting query or a migration in
 * progress, untouched for forget_after, and not a live Xen domain (those
 * stay watched): an agent that went away in unix mode, a destroyed
 * domain, a domid only ever queried.  Without this the table would grow
 * with every migration (each leaves a destroyed domid behind) and every
 * domid a unix agent or a query ever named.
 */
static void
domain_forget_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct domain	*d, **pp;
	uint64_t	 now = wire_mono_us(), after = bridge->conf.forget_after_ms * 1000;
	unsigned	 i;

	(void)loop; (void)w; (void)revents;
	for (i = 0; i < BRIDGE_HASH_SIZE; i++)
		for (pp = &domain_hash[i]; (d = *pp) != NULL;) {
			if (d->up != NULL || d->waiting != NULL || d->xs_watched ||
			    now - d->quiet_us < after || domain_migrating(d)) {
				pp = &d->next;
				continue;
			}
			log_info("domain %u: forgotten (%s, quiet for %llu s)", d->domid,
			    d->gone ? "destroyed" : d->have_state ? "agent gone" : "never had an agent",
			    (unsigned long long)((now - d->quiet_us) / 1000000));
			*pp = d->next;
			free(d);
			domain_n--;
		}
}

/* The table, empty, and the timer that forgets (a quarter of forget_after, at most 60 s). */
void
domain_init(void)
{
	double	tick = bridge->conf.forget_after_ms / 4000.0;

	memset(domain_hash, 0, sizeof(domain_hash));
	domain_n = 0;
	tick = tick > 60 ? 60 : tick;
	ev_timer_init(&domain_forget_timer, domain_forget_cb, tick, tick);
	ev_timer_start(bridge->loop, &domain_forget_timer);
}

/* Forget every domain (their uplinks must be closed already). */
void
domain_free_all(void)
{
	struct domain	*d;
	unsigned	 i;

	ev_timer_stop(bridge->loop, &domain_forget_timer);
	for (i = 0; i < BRIDGE_HASH_SIZE; i++)
		while ((d = domain_hash[i]) != NULL) {
			domain_hash[i] = d->next;
			free(d);
		}
	domain_n = 0;
}

static unsigned
domain_bucket(uint32_t domid)
{
	return (domid * 2654435761u) >> 22 & (BRIDGE_HASH_SIZE - 1);
}

/* Returns the domain, or NULL if unknown. */
struct domain *
domain_find(uint32_t domid)
{
	struct domain	*d;

	for (d = domain_hash[domain_bucket(domid)]; d != NULL; d = d->next)
		if (d->domid == domid)
			return d;
	return NULL;
}

/*
 * Returns the domain, created empty if new; NULL only if out of memory.
 * For every use that may need the domain later (a query, a channel, a
 * scan): it counts as activity for domain_forget_cb.
 */
struct domain *
domain_get(uint32_t domid)
{
	struct domain	*d;
	unsigned	 b;

	if ((d = domain_find(domid)) != NULL) {
		d->quiet_us = wire_mono_us();
		return d;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->domid = domid;
	d->quiet_us = wire_mono_us();
	d->last_decision = d->last_vreason = UINT32_MAX;
	b = domain_bucket(domid);
	d->next = domain_hash[b];
	domain_hash[b] = d;
	domain_n++;
	return d;
}

static int
domain_cmp(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Sets *out to a malloc'd array of every domid, sorted; returns the count. */
unsigned
domain_ids(uint32_t **out)
{
	struct domain	*d;
	uint32_t	*v;
	unsigned	 i, n = 0;

	*out = NULL;
	if (domain_n == 0 || (v = calloc(domain_n, sizeof(*v))) == NULL)
		return domain_n;
	for (i = 0; i < BRIDGE_HASH_SIZE; i++)
		for (d = domain_hash[i]; d != NULL; d = d->next)
			v[n++] = d->domid;
	qsort(v, n, sizeof(*v), domain_cmp);
	*out = v;
	return n;
}

/* Known domains; *connected (if not NULL) those with a live channel. */
unsigned
domain_count(unsigned *connected)
{
	struct domain	*d;
	unsigned	 i, c = 0;

	for (i = 0; connected && i < BRIDGE_HASH_SIZE; i++)
		for (d = domain_hash[i]; d != NULL; d = d->next)
			c += d->up != NULL;
	if (connected)
		*connected = c;
	return domain_n;
}

/*
 * The bookkeeping of migration id; created if new (evicting the least
 * recently used one: a hook that died never sends MIGRATION-END).
 */
struct migration *
domain_migration(struct domain *d, uint64_t id, int *isnew)
{
	struct migration	*m, *lru = &d->mig[0];
	unsigned		 i;

	for (i = 0; i < BRIDGE_MIG_MAX; i++) {
		m = &d->mig[i];
		if (m->id == id) {
			*isnew = 0;
			return m;
		}
		if (m->id == 0 || (lru->id != 0 && m->last_use_us < lru->last_use_us))
			lru = m;
	}
	memset(lru, 0, sizeof(*lru));
	lru->id = id;
	*isnew = 1;
	return lru;
}

uint32_t
domain_migration_end(struct domain *d, uint64_t id)
{
	uint32_t	n;
	unsigned	i;

	for (i = 0; i < BRIDGE_MIG_MAX; i++) {
		if (d->mig[i].id == id && id != 0) {
			n = d->mig[i].deferrals;
			memset(&d->mig[i], 0, sizeof(d->mig[i]));
			return n;
		}
	}
	return 0;
}

/*
 * 1 if a migration of d is in progress: asked about in the last
 * BRIDGE_MIG_IDLE_US (a hook that died never sends MIGRATION-END).
 */
int
domain_migrating(const struct domain *d)
{
	uint64_t	now = wire_mono_us();
	unsigned	i;

	for (i = 0; i < BRIDGE_MIG_MAX; i++)
		if (d->mig[i].id != 0 && now - d->mig[i].last_use_us < BRIDGE_MIG_IDLE_US)
			return 1;
	return 0;
}

void
domain_reasons(const struct domain *d, uint32_t reasons[WIRE_REASON_MAX])
{
	uint32_t	i, r;

	memset(reasons, 0, sizeof(uint32_t) * WIRE_REASON_MAX);
	if (!d->have_state)
		return;
	/* Sanitized: every sum is <= WIRE_MAX_CONNS, no overflow. */
	for (i = 0; i < d->state.nproto && i < WIRE_MAX_PROTO; i++)
		for (r = 0; r < WIRE_REASON_MAX; r++)
			reasons[r] += d->state.proto[i].count[r];
}

uint64_t
domain_state_age(const struct domain *d, uint64_t now_us)
{
	if (!d->have_state)
		return WIRE_AGE_NONE;
	return now_us > d->state_us ? now_us - d->state_us : 0;
}

void
domain_info(const struct domain *d, uint64_t now_us, struct wire_domain_info *di)
{
	memset(di, 0, sizeof(*di));
	di->domid = d->domid;
	di->flags = (d->up ? WIRE_DI_CONNECTED : 0) | (d->gone ? WIRE_DI_GONE : 0) |
	    (domain_migrating(d) ? WIRE_DI_MIGRATING : 0);
	memcpy(di->name, d->name, sizeof(di->name));
	memcpy(di->software, d->software, sizeof(di->software));
	di->state_age_us = domain_state_age(d, now_us);
	di->state_seq = d->have_state ? d->state.seq : 0;
	di->frames = d->frames;
	di->rejects = d->rejects;
	di->total = d->have_state ? d->state.total : 0;
	di->unsuitable = d->have_state ? d->state.unsuitable : 0;
	domain_reasons(d, di->reasons);
	di->last_decision = d->last_decision;
	di->last_vreason = d->last_vreason;
	memcpy(di->verdicts, d->verdicts, sizeof(di->verdicts));
}
