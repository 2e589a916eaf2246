/*
 * ml_pop3sess.c - one emulated mail user (migload's POP3 mode): connect
 * (and TLS for pop3s), read the greeting, USER, PASS, LIST, then RETR
 * between retrs_min and retrs_max messages picked at random from the
 * listing (each read at the line rate), thinking (idle in the TRANSACTION
 * state) after each, then QUIT; think, and a new session starts on a new
 * connection.  One record per command: its time to the complete response.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migload.h"

struct psess {
	struct ev_loop		*loop;
	const struct ml_opts	*o;
	struct ml_stats		*stats;
	int			 id;
	uint64_t		 rng;
	struct conn		 c;
	ev_timer		 think;
	int			 busy;		/* a record is open */
	int			 stopped;
	int			 retrs_left;
	uint64_t		 resets;	/* already reported */
	unsigned		 nmsg;
	uint32_t		 msg[POP3_LIST_MAX];
	uint64_t		 size[POP3_LIST_MAX];
	struct pop3		 p;
	struct ml_record	 rec;
	char			 line[300];
};

static const char *const psess_names[CMD_N] = {
	"greeting", "user", "pass", "list", "retr", "quit"
};

static void	psess_think_cb(struct ev_loop *, ev_timer *, int);
static void	psess_step(struct conn *, void *, const char *);

/* The name of a POP3 record's command (CSV's page column). */
const char *
psess_cmd_name(int cmd)
{
	return cmd >= 0 && cmd < CMD_N ? psess_names[cmd] : "?";
}

/* NULL when out of memory. */
struct psess *
psess_new(struct ev_loop *loop, const struct ml_opts *o, SSL_CTX *ctx,
    struct ml_stats *st, int id, uint64_t seed)
{
	struct psess *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->loop = loop;
	s->o = o;
	s->stats = st;
	s->id = id;
	s->rng = seed;
	conn_init(&s->c, loop, o, ctx);
	ev_init(&s->think, psess_think_cb);
	s->think.data = s;
	return s;
}

/* The first login after delay seconds. */
void
psess_start(struct psess *s, double delay)
{
	ev_timer_set(&s->think, delay, 0);
	ev_timer_start(s->loop, &s->think);
}

int
psess_active(const struct psess *s)
{
	return s->busy;
}

static void
psess_record(struct psess *s, int done, const char *err)
{
	s->rec.end = ev_time();
	s->rec.done = done;
	s->rec.err = err;
	s->rec.bytes = s->rec.kind == KIND_RETR ? s->p.data : s->c.bytes;
	stats_add(s->stats, &s->rec);
	s->busy = 0;
	for (; s->resets < s->c.resets; s->resets++)
		stats_note_reset(s->stats);
}

/* Send one command (CMD_GREETING: connect) and open its record. */
static void
psess_send(struct psess *s, int cmd, uint64_t expected)
{
	static const char *const verb[CMD_N] = { NULL, "USER", "PASS", "LIST", "RETR", "QUIT" };
	enum pop3_expect e = cmd == CMD_LIST ? POP3_LISTING : cmd == CMD_RETR ? POP3_MULTI :
	    POP3_SINGLE;

	memset(&s->rec, 0, sizeof(s->rec));
	s->rec.start = ev_time();
	s->rec.session = s->id;
	s->rec.kind = cmd == CMD_RETR ? KIND_RETR : KIND_COMMAND;
	s->rec.page = cmd;
	s->rec.requests = 1;
	s->rec.expected = expected;
	s->busy = 1;
	if (cmd == CMD_USER)
		snprintf(s->line, sizeof(s->line), "USER %s", s->o->user);
	else if (cmd == CMD_PASS)
		snprintf(s->line, sizeof(s->line), "PASS %s", s->o->pass);
	else if (cmd != CMD_RETR && cmd != CMD_GREETING)
		snprintf(s->line, sizeof(s->line), "%s", verb[cmd]);
	pop3_init(&s->p, e);
	conn_pop3(&s->c, cmd == CMD_GREETING ? NULL : s->line, &s->p,
	    cmd == CMD_RETR ? s->o->line_rate : s->o->page_rate, psess_step, s);
}

static void
psess_think(struct psess *s)
{
	double u = work_uniform(&s->rng);

	ev_timer_set(&s->think, work_think(s->o, u), 0);
	ev_timer_start(s->loop, &s->think);
}

/* RETR one message of the listing, at random. */
static void
psess_retr(struct psess *s)
{
	unsigned i = (unsigned)(work_uniform(&s->rng) * s->nmsg);

	s->retrs_left--;
	snprintf(s->line, sizeof(s->line), "RETR %u", s->msg[i]);
	psess_send(s, CMD_RETR, s->size[i]);
}

/* After the think time: log in, or the next RETR, or QUIT. */
static void
psess_think_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct psess *s = w->data;

	(void)loop, (void)revents;
	if (s->stopped)
		return;
	if (!conn_is_open(&s->c))	/* a new user, or the server dropped us */
		psess_send(s, CMD_GREETING, 0);
	else if (s->retrs_left > 0 && s->nmsg > 0)
		psess_retr(s);
	else
		psess_send(s, CMD_QUIT, 0);
}

/* The listing: keep the messages and decide how many to RETR. */
static void
psess_listed(struct psess *s)
{
	int span = s->o->retrs_max - s->o->retrs_min + 1;

	s->nmsg = s->p.nlist;
	memcpy(s->msg, s->p.list_msg, s->nmsg * sizeof(s->msg[0]));
	memcpy(s->size, s->p.list_size, s->nmsg * sizeof(s->size[0]));
	s->retrs_left = s->o->retrs_min + (int)(work_uniform(&s->rng) * span);
	if (s->retrs_left > 0 && s->nmsg > 0)
		psess_retr(s);
	else
		psess_think(s);
}

/* A response is in (or the exchange failed): record it, then the next step. */
static void
psess_step(struct conn *c, void *arg, const char *err)
{
	struct psess *s = arg;
	int cmd = s->rec.page;

	(void)c;
	if (err == NULL && !s->p.ok)
		err = "pop3-err";
	psess_record(s, 1, err);
	if (err != NULL || cmd == CMD_QUIT)
		conn_close(&s->c);
	if (s->stopped)
		return;
	if (err != NULL || cmd == CMD_QUIT || cmd == CMD_RETR) {
		psess_think(s);
		return;
	}
	if (cmd == CMD_LIST)
		psess_listed(s);
	else
		psess_send(s, cmd + 1, 0);	/* greeting, USER, PASS: at once */
}

/* The run ends: an open record is kept as unfinished; the connection closes. */
void
psess_stop(struct psess *s, double now)
{
	(void)now;
	s->stopped = 1;
	ev_timer_stop(s->loop, &s->think);
	if (s->busy)
		psess_record(s, 0, NULL);
	conn_close(&s->c);
}

void
psess_free(struct psess *s)
{
	free(s);
}
