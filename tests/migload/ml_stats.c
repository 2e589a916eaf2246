/*
 * ml_stats.c - the clients' quality of service, as SPECweb2005 counts it:
 * a page request (the page and its images) is Good within page_good
 * seconds, Tolerable within page_tol, else it Fails; a download is Good at
 * dl_good bytes/s or more, Tolerable at dl_tol or more, else it Fails.  An
 * error (reset, timeout, bad response) Fails.  POP3 (migload's POP3
 * mode): a command is judged as a page, by the time to its complete
 * response; a RETR of n bytes is Good within page_good + n / dl_good
 * seconds, Tolerable within page_tol + n / dl_tol (a page's allowance
 * plus the time a download of that size may take).  One CSV line a
 * record, the totals for the run and for the window the caller names.
 */
#include <stdlib.h>
#include <string.h>

#include "migload.h"

struct ml_stats {
	const struct ml_opts	*o;
	FILE			*csv;
	struct ml_record	*rec;
	size_t			 nrec, cap;
	unsigned long		 resets, retries;
	double			 t0;
};

static const char *const stats_qname[] = { "-", "good", "tolerable", "fail" };
static const char *const stats_kname[KIND_N] = { "page", "download", "command", "retr" };

/* A RETR of r->expected bytes, finished or projected (see the file comment). */
static enum qos
stats_classify_retr(const struct ml_opts *o, const struct ml_record *r)
{
	double el = r->end - r->start, n = (double)r->expected;
	double good = o->page_good + (o->dl_good > 0 ? n / o->dl_good : 0);
	double tol = o->page_tol + (o->dl_tol > 0 ? n / o->dl_tol : 0);

	if (!r->done) {
		/* Cut short by the end of the run: when it would end at the line rate. */
		if (o->line_rate <= 0 || r->expected < r->bytes)
			return el > tol ? QOS_FAIL : QOS_NONE;
		el += (double)(r->expected - r->bytes) / o->line_rate;
	}
	return el <= good ? QOS_GOOD : el <= tol ? QOS_TOLERABLE : QOS_FAIL;
}

/* NULL on failure (said on stderr). */
struct ml_stats *
stats_open(const struct ml_opts *o)
{
	struct ml_stats *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->o = o;
	s->t0 = ev_time();
	if (o->csv != NULL) {
		if ((s->csv = fopen(o->csv, "w")) == NULL) {
			perror(o->csv);
			free(s);
			return NULL;
		}
		fprintf(s->csv, "start_ms,end_ms,session,kind,page,done,requests,bytes,"
		    "expected,elapsed_ms,rate_Bps,qos,err\n");
	}
	return s;
}

/* The QoS class of a record (QOS_NONE: cut short too early to judge). */
enum qos
stats_classify(const struct ml_opts *o, const struct ml_record *r)
{
	double el = r->end - r->start, rate;

	if (r->err != NULL)
		return QOS_FAIL;
	if (r->kind == KIND_RETR)
		return stats_classify_retr(o, r);
	if (r->kind != KIND_DOWNLOAD) {
		if (!r->done)
			return el > o->page_tol ? QOS_FAIL : QOS_NONE;
		return el <= o->page_good ? QOS_GOOD : el <= o->page_tol ?
		    QOS_TOLERABLE : QOS_FAIL;
	}
	rate = el > 0 ? (double)r->bytes / el : 0;
	if (!r->done) {
		/*
		 * Cut short by the end of the run: judged at the rate it would
		 * end with if the rest came at the line rate (a 36 MiB download
		 * lasts six minutes at 100 kB/s; a short run must not count a
		 * stall as if the whole download were that slow).
		 */
		if (o->line_rate <= 0 || r->expected <= r->bytes)
			return el < 5 ? QOS_NONE : rate >= o->dl_good ? QOS_GOOD :
			    rate >= o->dl_tol ? QOS_TOLERABLE : QOS_FAIL;
		rate = (double)r->expected / (el + (double)(r->expected - r->bytes) /
		    o->line_rate);
	}
	return rate >= o->dl_good ? QOS_GOOD : rate >= o->dl_tol ? QOS_TOLERABLE :
	    QOS_FAIL;
}

/* Record r (copied); classifies it. */
void
stats_add(struct ml_stats *s, struct ml_record *r)
{
	struct ml_record *n;
	double el = r->end - r->start;

	r->qos = stats_classify(s->o, r);
	if (s->nrec == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		if ((n = realloc(s->rec, s->cap * sizeof(*n))) == NULL) {
			perror("migload");
			exit(1);
		}
		s->rec = n;
	}
	s->rec[s->nrec++] = *r;
	if (s->csv != NULL)
		fprintf(s->csv, "%.0f,%.0f,%d,%s,%s,%d,%d,%llu,%llu,%.0f,%.0f,%s,%s\n",
		    r->start * 1e3, r->end * 1e3, r->session, stats_kname[r->kind],
		    r->kind >= KIND_COMMAND ? psess_cmd_name(r->page) :
		    work_page_name(r->page), r->done, r->requests,
		    (unsigned long long)r->bytes, (unsigned long long)r->expected,
		    el * 1e3, el > 0 ? (double)r->bytes / el : 0, stats_qname[r->qos],
		    r->err ? r->err : "");
}

void
stats_note_reset(struct ml_stats *s)
{
	s->resets++;
}

void
stats_note_retry(struct ml_stats *s)
{
	s->retries++;
}

struct stats_sum {
	unsigned long	 n[KIND_N][4];	/* [kind][qos] */
	unsigned long	 errs, unfinished;
};

/* Sum the records overlapping [from, to] (seconds; to 0: all). */
static void
stats_sum(const struct ml_stats *s, double from, double to, struct stats_sum *t)
{
	const struct ml_record *r;
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < s->nrec; i++) {
		r = &s->rec[i];
		if (to > 0 && (r->end < from || r->start > to))
			continue;
		t->n[r->kind][r->qos]++;
		if (r->err != NULL)
			t->errs++;
		if (!r->done)
			t->unfinished++;
	}
}

static void
stats_line(FILE *f, const char *scope, const char *kind, const unsigned long *g,
    const unsigned long *d)
{
	unsigned long q[4], n;
	int i;

	for (i = 0; i < 4; i++)
		q[i] = g[i] + (d ? d[i] : 0);
	n = q[QOS_GOOD] + q[QOS_TOLERABLE] + q[QOS_FAIL];
	fprintf(f, "%-7s %-9s %7lu %7lu %9lu %6lu %7.1f %10.1f %6.1f\n", scope, kind, n,
	    q[QOS_GOOD], q[QOS_TOLERABLE], q[QOS_FAIL], n ? 100.0 * q[QOS_GOOD] / n : 0,
	    n ? 100.0 * q[QOS_TOLERABLE] / n : 0, n ? 100.0 * q[QOS_FAIL] / n : 0);
}

static void
stats_block(FILE *f, int proto, const char *scope, const struct stats_sum *t)
{
	int k = proto == ML_POP3 ? KIND_COMMAND : KIND_PAGE;

	stats_line(f, scope, stats_kname[k], t->n[k], NULL);
	stats_line(f, scope, stats_kname[k + 1], t->n[k + 1], NULL);
	stats_line(f, scope, "all", t->n[k], t->n[k + 1]);
}

/* The window: from the options, else from o->window_file ("START END" ms). */
static int
stats_window(const struct ml_opts *o, double *from, double *to)
{
	FILE *f;
	double a, b;

	if (o->win_end > 0) {
		*from = o->win_start / 1e3, *to = o->win_end / 1e3;
		return 1;
	}
	if (o->window_file == NULL || (f = fopen(o->window_file, "r")) == NULL)
		return 0;
	if (fscanf(f, "%lf %lf", &a, &b) != 2 || b < a) {
		fclose(f);
		return 0;
	}
	fclose(f);
	*from = a / 1e3, *to = b / 1e3;
	return 1;
}

/* The closing summary. */
void
stats_summary(struct ml_stats *s, FILE *f)
{
	struct stats_sum t;
	double from, to;

	fprintf(f, "%-7s %-9s %7s %7s %9s %6s %7s %10s %6s\n", "scope", "kind", "count",
	    "good", "tolerable", "fail", "good%", "tolerable%", "fail%");
	stats_sum(s, 0, 0, &t);
	stats_block(f, s->o->proto, "run", &t);
	if (stats_window(s->o, &from, &to)) {
		struct stats_sum w;

		stats_sum(s, from, to, &w);
		stats_block(f, s->o->proto, "window", &w);
		fprintf(f, "window: %.3f .. %.3f (%.1f s)\n", from, to, to - from);
	}
	fprintf(f, "errors=%lu resets=%lu stale_keepalive_retries=%lu unfinished=%lu "
	    "records=%zu\n", t.errs, s->resets, s->retries, t.unfinished, s->nrec);
}

/* One progress line on stderr. */
void
stats_progress(struct ml_stats *s, double now, int busy)
{
	unsigned long q[4] = { 0 }, kinds[KIND_N] = { 0 }, errs = 0, n;
	int k = s->o->proto == ML_POP3 ? KIND_COMMAND : KIND_PAGE;
	size_t i;

	for (i = 0; i < s->nrec; i++) {
		q[s->rec[i].qos]++;
		kinds[s->rec[i].kind]++;
		if (s->rec[i].err)
			errs++;
	}
	n = q[QOS_GOOD] + q[QOS_TOLERABLE] + q[QOS_FAIL];
	fprintf(stderr, "migload: t=%.0fs busy=%d %ss=%lu %ss=%lu good=%.1f%% "
	    "tolerable=%.1f%% fail=%.1f%% errors=%lu resets=%lu\n", now - s->t0, busy,
	    stats_kname[k], kinds[k], stats_kname[k + 1], kinds[k + 1],
	    n ? 100.0 * q[QOS_GOOD] / n : 0, n ? 100.0 * q[QOS_TOLERABLE] / n : 0,
	    n ? 100.0 * q[QOS_FAIL] / n : 0, errs, s->resets);
}

void
stats_close(struct ml_stats *s)
{
	if (s->csv != NULL)
		fclose(s->csv);
	free(s->rec);
	free(s);
}
