/*
 * ml_session.c - one emulated user: a session walks the Support Markov
 * chain from home over one keep-alive connection, thinking between pages;
 * a page request fetches the page then its embedded images, one after
 * the other on that connection; a download is read at the line rate.
 * After each page the user logs off with probability end_prob and a new
 * user starts at home on a new connection (a new TLS handshake).
 */
#include <stdlib.h>
#include <string.h>

#include "migload.h"

struct session {
	struct ev_loop		*loop;
	const struct ml_opts	*o;
	struct ml_stats		*stats;
	int			 id;
	uint64_t		 rng;
	struct conn		 c;
	ev_timer		 think;
	int			 page;
	int			 fresh;		/* next page is home, new user */
	int			 busy;		/* a record is open */
	int			 stopped;
	int			 images_left;
	uint64_t		 resets, retries;	/* already reported */
	struct ml_record	 rec;
	char			 url[512];
};

static void	session_think_cb(struct ev_loop *, ev_timer *, int);
static void	session_step(struct conn *, void *, const char *);

/* NULL when out of memory. */
struct session *
session_new(struct ev_loop *loop, const struct ml_opts *o, SSL_CTX *ctx,
    struct ml_stats *st, int id, uint64_t seed)
{
	struct session *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->loop = loop;
	s->o = o;
	s->stats = st;
	s->id = id;
	s->rng = seed;
	s->fresh = 1;
	conn_init(&s->c, loop, o, ctx);
	ev_init(&s->think, session_think_cb);
	s->think.data = s;
	return s;
}

static double
session_u(struct session *s)
{
	return work_uniform(&s->rng);
}

/* First page after delay seconds. */
void
session_start(struct session *s, double delay)
{
	ev_timer_set(&s->think, delay, 0);
	ev_timer_start(s->loop, &s->think);
}

int
session_active(const struct session *s)
{
	return s->busy;
}

/* Pass the connection's reset and retry counts on to the totals. */
static void
session_counts(struct session *s)
{
	for (; s->resets < s->c.resets; s->resets++)
		stats_note_reset(s->stats);
	for (; s->retries < s->c.retries; s->retries++)
		stats_note_retry(s->stats);
}

static void
session_record(struct session *s, int done, const char *err)
{
	s->rec.end = ev_time();
	s->rec.done = done;
	s->rec.err = err;
	stats_add(s->stats, &s->rec);
	s->busy = 0;
	session_counts(s);
}

/* The record ended: log off maybe, then think. */
static void
session_done(struct session *s, const char *err)
{
	session_record(s, 1, err);
	if (s->stopped)
		return;
	if (session_u(s) < s->o->end_prob) {
		conn_close(&s->c);
		s->fresh = 1;
	}
	ev_timer_set(&s->think, work_think(s->o, session_u(s)), 0);
	ev_timer_start(s->loop, &s->think);
}

static void
session_think_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct session *s = w->data;
	int p;

	(void)loop, (void)revents;
	if (s->stopped)
		return;
	if (s->fresh)
		p = PAGE_HOME;
	else
		do
			p = work_next_page(s->page, session_u(s));
		while (p == PAGE_DOWNLOAD && s->o->no_downloads);
	s->fresh = 0;
	s->page = p;
	memset(&s->rec, 0, sizeof(s->rec));
	s->rec.start = ev_time();
	s->rec.session = s->id;
	s->rec.page = p;
	s->rec.kind = p == PAGE_DOWNLOAD ? KIND_DOWNLOAD : KIND_PAGE;
	s->rec.requests = 1;
	s->busy = 1;
	if (p == PAGE_DOWNLOAD) {
		s->images_left = 0;
		work_download_url(s->url, sizeof(s->url), s->o, session_u(s), session_u(s));
		conn_get(&s->c, s->url, s->o->line_rate, session_step, s);
		return;
	}
	s->images_left = s->o->images_min + (int)(session_u(s) *
	    (s->o->images_max - s->o->images_min + 1));
	work_page_url(s->url, sizeof(s->url), s->o, p, session_u(s));
	conn_get(&s->c, s->url, s->o->page_rate, session_step, s);
}

/* A response is in (or failed): the next image, or the record's end. */
static void
session_step(struct conn *c, void *arg, const char *err)
{
	struct session *s = arg;

	s->rec.bytes += c->bytes;
	s->rec.expected += c->resp.length;
	if (err != NULL || s->images_left == 0) {
		session_done(s, err);
		return;
	}
	s->images_left--;
	s->rec.requests++;
	work_image_url(s->url, sizeof(s->url), s->o, session_u(s));
	conn_get(&s->c, s->url, s->o->page_rate, session_step, s);
}

/* The run ends: an open record is kept as unfinished; the connection closes. */
void
session_stop(struct session *s, double now)
{
	(void)now;
	s->stopped = 1;
	ev_timer_stop(s->loop, &s->think);
	if (s->busy) {
		s->rec.bytes += s->c.bytes;
		s->rec.expected += s->c.resp.length;
		session_record(s, 0, NULL);
	}
	conn_close(&s->c);
}

void
session_free(struct session *s)
{
	free(s);
}
