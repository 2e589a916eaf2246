/*
 * source.c - the state sources and their aggregation into a STATE.
 *
 * A source reports connection counts by reason for one application
 * protocol.  Polled sources (shared memory) are read by sources_poll();
 * event-driven ones (the proxy's trackers) call source_changed().  The
 * aggregate has one record per protocol that has a source, so a protocol
 * with no connection still says "0" rather than vanishing.
 */
#include <string.h>

#include "agent.h"

void
sources_init(struct sources *r, void (*on_change)(void *), void *arg)
{
	memset(r, 0, sizeof(*r));
	r->on_change = on_change;
	r->arg = arg;
}

int
sources_add(struct sources *r, struct source *s)
{
	if (r->n >= AGENT_MAX_SOURCES || s->proto == 0 || s->proto >= WIRE_PROTO_MAX)
		return -1;
	s->reg = r;
	r->src[r->n++] = s;
	return 0;
}

void
sources_poll(struct sources *r, int check_pids)
{
	unsigned	i;

	for (i = 0; i < r->n; i++)
		if (r->src[i]->ops->read != NULL)
			r->src[i]->ops->read(r->src[i], r->src[i]->counts, check_pids);
}

void
sources_aggregate(const struct sources *r, struct wire_state *st)
{
	uint64_t	sum[WIRE_PROTO_MAX][WIRE_REASON_MAX];
	int		present[WIRE_PROTO_MAX] = { 0 };
	unsigned	i, j, p;

	memset(st, 0, sizeof(*st));
	memset(sum, 0, sizeof(sum));
	for (i = 0; i < r->n; i++) {
		p = r->src[i]->proto;
		present[p] = 1;
		for (j = 0; j < WIRE_REASON_MAX; j++)
			sum[p][j] += r->src[i]->counts[j];
	}
	/* Sorted by protocol: equal inputs give byte-equal STATEs. */
	for (p = 1; p < WIRE_PROTO_MAX && st->nproto < WIRE_MAX_PROTO; p++) {
		struct wire_proto_counts *pc;

		if (!present[p])
			continue;
		pc = &st->proto[st->nproto++];
		pc->proto = p;
		for (j = 0; j < WIRE_REASON_MAX; j++)
			pc->count[j] = sum[p][j] > WIRE_MAX_CONNS ? WIRE_MAX_CONNS
			    : (uint32_t)sum[p][j];
	}
	/*
	 * The sums over protocols are bounded too: scale a pathological
	 * aggregate down rather than send one the bridge rejects.
	 */
	wire_state_sum(st);
	while (st->total > WIRE_MAX_CONNS) {
		for (i = 0; i < st->nproto; i++)
			for (j = 0; j < WIRE_REASON_MAX; j++)
				st->proto[i].count[j] /= 2;
		wire_state_sum(st);
	}
}

int
sources_differ(const struct wire_state *a, const struct wire_state *b)
{
	if (a->nproto != b->nproto || a->total != b->total || a->unsuitable != b->unsuitable)
		return 1;
	return memcmp(a->proto, b->proto, a->nproto * sizeof(a->proto[0])) != 0;
}

void
sources_close(struct sources *r)
{
	unsigned	i;

	for (i = 0; i < r->n; i++)
		if (r->src[i]->ops->close != NULL)
			r->src[i]->ops->close(r->src[i]);
	r->n = 0;
}

void
source_changed(struct source *s, const uint32_t counts[WIRE_REASON_MAX])
{
	if (memcmp(s->counts, counts, sizeof(s->counts)) == 0)
		return;
	memcpy(s->counts, counts, sizeof(s->counts));
	if (s->reg != NULL && s->reg->on_change != NULL)
		s->reg->on_change(s->reg->arg);
}
