/*
 * migload.h - migload, a SPECweb2005 Support-like HTTPS load generator
 * (libev + OpenSSL).  Private header: prototypes under their file.
 */
#ifndef MIGLOAD_H
#define MIGLOAD_H

#include <stdint.h>
#include <stdio.h>

#include <ev.h>
#include <openssl/ssl.h>

#include "ml_pop3.h"
#include "ml_resp.h"

/* The page types of the Support workload, in the Markov chain's order. */
enum work_page {
	PAGE_HOME, PAGE_SEARCH, PAGE_CATALOG, PAGE_PRODUCT, PAGE_FILECATALOG,
	PAGE_FILE, PAGE_DOWNLOAD, PAGE_NTYPES
};

#define WORK_PAGE_FILES		4	/* files per page type */
#define WORK_IMAGES		48	/* image files */
#define WORK_DL_CLASSES		6
#define WORK_DL_MAX		3	/* files per download class */

/* What a migload process speaks (the URL's scheme says). */
enum ml_proto { ML_HTTP = 0, ML_POP3 };

/* POP3 commands a session sends, in order; the index is a record's "page". */
enum pop3_cmd { CMD_GREETING, CMD_USER, CMD_PASS, CMD_LIST, CMD_RETR, CMD_QUIT, CMD_N };

struct ml_opts {
	int		 proto;		/* enum ml_proto */
	char		 host[256];
	char		 port[8];
	char		 prefix[256];	/* URL path prefix, no trailing slash */
	int		 tls;
	int		 verify;	/* 0 only with --insecure */
	int		 sessions;
	double		 duration;	/* seconds; 0: until a signal */
	unsigned long	 seed;
	double		 think_mean;
	double		 think_max;
	double		 think_min;
	double		 ramp;		/* session starts spread over this */
	double		 end_prob;	/* a session ends after a page */
	double		 line_rate;	/* download read rate, bytes/s */
	double		 page_rate;	/* page and image read rate, bytes/s; 0: unlimited */
	double		 burst;		/* token bucket depth, bytes */
	double		 timeout;	/* no progress for this long: fail */
	int		 rcvbuf;	/* SO_RCVBUF, 0: kernel default */
	double		 page_good, page_tol;	/* seconds */
	double		 dl_good, dl_tol;	/* bytes/s */
	double		 win_start, win_end;	/* ms since the epoch, 0: none */
	const char	*window_file;
	const char	*csv;
	double		 progress;	/* seconds between progress lines, 0: off */
	int		 no_downloads;
	int		 images_min, images_max;
	char		 user[128], pass[128];	/* POP3 login */
	int		 retrs_min, retrs_max;	/* RETRs per POP3 session */
};

enum qos { QOS_NONE = 0, QOS_GOOD, QOS_TOLERABLE, QOS_FAIL };

/* What a record is: judged by time (page, command) or by size and time. */
enum ml_kind { KIND_PAGE = 0, KIND_DOWNLOAD, KIND_COMMAND, KIND_RETR, KIND_N };

/* One finished (or abandoned) page request, download or POP3 command. */
struct ml_record {
	double		 start, end;	/* seconds since the epoch */
	int		 session;
	int		 kind;		/* enum ml_kind */
	int		 page;		/* enum work_page, or enum pop3_cmd */
	int		 done;		/* 0: cut short by the end of the run */
	int		 requests;	/* HTTP requests it took */
	uint64_t	 bytes;
	uint64_t	 expected;	/* bytes announced */
	const char	*err;		/* NULL, or why it failed */
	enum qos	 qos;
};

struct conn;
typedef void (*conn_cb)(struct conn *, void *arg, const char *err);

/* A keep-alive HTTP(S) connection of one session. */
struct conn {
	struct ev_loop	*loop;
	const struct ml_opts *o;
	SSL_CTX		*ctx;
	SSL		*ssl;
	int		 fd;
	int		 state;		/* CONN_* in ml_conn.c */
	int		 reused;	/* a request went through it already */
	ev_io		 io;
	ev_timer	 throttle;
	ev_timer	 idle;		/* progress timeout */
	double		 last_io;
	char		 path[512];
	char		 out[1024];
	size_t		 out_len, out_off;
	double		 rate;		/* read rate of this response, 0: unlimited */
	double		 tokens, tokens_at;
	struct resp	 resp;
	uint64_t	 body_got;
	uint64_t	 bytes;		/* of the current response, head included */
	uint64_t	 resets;	/* ECONNRESET seen */
	uint64_t	 retries;	/* stale keep-alive retries */
	int		 retrying;
	struct pop3	*pop3;		/* a POP3 exchange: its parser; NULL: HTTP */
	conn_cb		 cb;
	void		*cb_arg;
};

struct ml_stats;

/* ml_conn.c */
SSL_CTX		*conn_tls_ctx(const struct ml_opts *);
int		 conn_resolve(const struct ml_opts *);
void		 conn_init(struct conn *, struct ev_loop *, const struct ml_opts *, SSL_CTX *);
void		 conn_get(struct conn *, const char *path, double rate, conn_cb, void *);
void		 conn_pop3(struct conn *, const char *cmd, struct pop3 *, double rate,
		    conn_cb, void *);
void		 conn_close(struct conn *);
int		 conn_busy(const struct conn *);
int		 conn_is_open(const struct conn *);

/* ml_work.c */
int		 work_chain_init(double end_prob);
int		 work_next_page(int cur, double u);
const char	*work_page_name(int);
int		 work_page_url(char *, size_t, const struct ml_opts *, int page, double u);
int		 work_image_url(char *, size_t, const struct ml_opts *, double u);
int		 work_download_url(char *, size_t, const struct ml_opts *, double u1, double u2);
int		 work_make_fileset(const char *dir, unsigned long seed);
double		 work_think(const struct ml_opts *, double u);
double		 work_uniform(uint64_t *state);
double		 work_shares(int page);
double		 work_prob(int from, int to);

/* ml_stats.c */
struct ml_stats	*stats_open(const struct ml_opts *);
void		 stats_add(struct ml_stats *, struct ml_record *);
void		 stats_progress(struct ml_stats *, double now, int active);
void		 stats_summary(struct ml_stats *, FILE *);
void		 stats_close(struct ml_stats *);
void		 stats_note_reset(struct ml_stats *);
void		 stats_note_retry(struct ml_stats *);
enum qos	 stats_classify(const struct ml_opts *, const struct ml_record *);

/* ml_pop3sess.c */
struct psess;
struct psess	*psess_new(struct ev_loop *, const struct ml_opts *, SSL_CTX *,
		    struct ml_stats *, int id, uint64_t seed);
void		 psess_start(struct psess *, double delay);
void		 psess_stop(struct psess *, double now);
void		 psess_free(struct psess *);
int		 psess_active(const struct psess *);
const char	*psess_cmd_name(int);

/* ml_session.c */
struct session;
struct session	*session_new(struct ev_loop *, const struct ml_opts *, SSL_CTX *,
		    struct ml_stats *, int id, uint64_t seed);
void		 session_start(struct session *, double delay);
void		 session_stop(struct session *, double now);
void		 session_free(struct session *);
int		 session_active(const struct session *);

#endif
