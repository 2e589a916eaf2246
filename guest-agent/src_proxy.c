/*
 * src_proxy.c - the proxy's sources: one event-driven source a protocol
 * ("proxy-pop3"), holding the count of proxied connections by reason.
 * proxy.c moves a connection between reasons whenever its tracker's
 * reason changes; every change is reported through source_changed().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

struct src_proxy {
	struct source	src;
	uint32_t	counts[WIRE_REASON_MAX];
};

static void
src_proxy_close(struct source *src)
{
	free(src->priv);
}

static const struct source_ops src_proxy_ops = {
	.read = NULL,		/* event-driven */
	.close = src_proxy_close,
};

struct source *
src_proxy_new(enum wire_proto proto)
{
	struct src_proxy	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	snprintf(s->src.name, sizeof(s->src.name), "proxy-%s", wire_proto_name(proto));
	s->src.proto = proto;
	s->src.ops = &src_proxy_ops;
	s->src.priv = s;
	return &s->src;
}

void
src_proxy_move(struct source *src, int from, int to)
{
	struct src_proxy	*s = src->priv;

	if (from == to)
		return;
	if (from >= 0 && from < WIRE_REASON_MAX && s->counts[from] > 0)
		s->counts[from]--;
	if (to >= 0 && to < WIRE_REASON_MAX)
		s->counts[to]++;
	source_changed(src, s->counts);
}
