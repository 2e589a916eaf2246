/*
 * mod_migstate.c - how many of this Apache's client connections a pause of
 * a few seconds would hurt, published in shared memory for migstate-agent.
 *
 * Every client connection (HTTP/1.x and HTTP/2, after mod_ssl) is in one
 * state, and every request outstanding on it in one more:
 *
 *   connection  NEW        accepted, no byte yet                 unsuitable
 *               HANDSHAKE  TLS bytes seen, no plaintext yet      unsuitable
 *               READING    first byte of a request seen          unsuitable
 *               IDLE       keep-alive after >= 1 response        suitable
 *               (none)     requests outstanding, or closing      not counted
 *   request     PROCESSING request head read, no response yet    unsuitable
 *               WRITING_SMALL  response < MigStateLargeTransfer,
 *                              unknown length or no body        unsuitable
 *               WRITING_LARGE  Content-Length >= threshold       suitable
 *
 * The counts are gauges by enum wire_reason in this child's slot of the
 * file described in proto/migshm.h: +1 on entering a state, -1 on leaving
 * it, atomic adds only, each change followed by the mark of the slot's
 * hint bit (the SEQ_CST add is the same instruction as a relaxed one on
 * x86; the mark is a load and a test, and a locked or only when the agent
 * cleared the bit since).  HTTP/2 streams are requests of their
 * primary connection, which is IDLE once >= 1 stream completed and none is
 * open.  Pipelined HTTP/1.1 requests each count while outstanding, from
 * the moment Apache reads them.
 *
 * Sources of the transitions (httpd 2.4.71):
 *   pre_connection          NEW (primary connections only)
 *   MIGSTATE_TLS  filter    first ciphertext byte on an SSL connection:
 *                           HANDSHAKE; removes itself at once
 *   MIGSTATE_IN   filter    first plaintext byte after pre_connection or
 *                           pre_read_request armed it (found by a 1-byte
 *                           speculative read before the blocking read of
 *                           the request line, so half a line counts):
 *                           READING; a successful empty read (mod_ssl's
 *                           AP_MODE_INIT) ends HANDSHAKE: back to NEW.
 *                           Under an async MPM (event) it leaves the chain
 *                           once the first request was read:
 *   pre_read_request        event resumes a connection only once bytes
 *                           arrived, so from the second request on it
 *                           starts READING itself; sync MPMs: arms the
 *                           filter
 *   post_read_request       request PROCESSING, connection state ends
 *   MIGSTATE_CONN_OUT       (HTTP/1, a connection filter: no per-request
 *                           filter to add) the first response bytes after
 *                           post_read_request that are not a 1xx interim
 *                           response, i.e. the final status line: the
 *                           header filter has fixed Content-Length by then:
 *                           WRITING_SMALL or WRITING_LARGE
 *   MIGSTATE_OUT  filter    (HTTP/2 streams, added in post_read_request)
 *                           the same on the stream's first brigade, after
 *                           mod_http2's response filter; removes itself
 *   log_transaction         request done (EOR: the bytes left); the
 *                           connection goes IDLE when it was the last
 *                           outstanding one and the connection stays open
 *   c->pool cleanup         closing: whatever the connection holds ends
 *
 * Idle is decided at completion in every MPM (event's keep-alive queue is
 * entered right after, prefork/worker block in the next read), so the
 * suspend/resume hooks are not needed.  The connection word is updated by
 * compare-and-swap because HTTP/2 streams open and close in mod_http2's
 * worker threads concurrently with each other.
 *
 * Cost: per HTTP/1 keep-alive request under event, three hook calls
 * (pre_read_request, post_read_request, log_transaction), no allocation,
 * three compare-and-swaps and eight atomic adds with their hint marks, one
 * test of a pointer per brigade written and one per read of the first
 * request only: 330 instructions here (docs/mod_migstate.md,
 * tests/bench/bench-mod_migstate.sh).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "httpd.h"
#include "http_config.h"
#include "http_connection.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "http_ssl.h"
#include "ap_mpm.h"
#include "mpm_common.h"
#include "util_filter.h"
#include "apr_file_info.h"
#include "apr_strings.h"

#include "migshm.h"

/* Module-private log numbers, in the spirit of APLOGNO(). */
#define MSLOGNO(n)		"MS" #n ": "

module AP_MODULE_DECLARE_DATA migstate_module;

#define MIGSTATE_DEFAULT_THRESHOLD	4194304
#define MIGSTATE_RETAINED_KEY		"mod_migstate_retained"

#define MIGSTATE_LIKELY(x)	__builtin_expect(!!(x), 1)
#define MIGSTATE_UNLIKELY(x)	__builtin_expect(!!(x), 0)
/*
 * Keeps a slower path out of its caller, whose fast path stays a few
 * instructions (no frame, no stack protector); COLD for the rare ones.
 */
#define MIGSTATE_SLOW		__attribute__((noinline))
#define MIGSTATE_COLD		__attribute__((noinline, cold))

/* Server configuration (global only: the module is server-wide). */
typedef struct {
	int		 enabled;	/* MigState: 1 On, 0 Off, -1 unset (On) */
	const char	*shm_path;	/* MigStateShmFile, NULL unset */
	apr_off_t	 threshold;	/* MigStateLargeTransfer in bytes, -1 unset */
} migstate_srv_conf;

/* What the parent keeps across restarts (ap_retained_data). */
typedef struct {
	char		 path[1024];	/* the file mapped */
	void		*map;		/* MAP_SHARED, inherited by children */
	size_t		 maplen;
	uint32_t	 nslots;
} migstate_retained;

typedef struct migstate_conn migstate_conn;

/* Per-request state, from post_read_request to log_transaction. */
typedef struct migstate_req {
	migstate_conn	*mc;		/* the primary connection's state */
	request_rec	*r;		/* as read (r->next: internal redirects) */
	int		 state;		/* enum wire_reason held, or -1 */
} migstate_req;

/*
 * Per-connection state, in c->conn_config of the primary connection.
 * word packs the connection state, flags and the number of outstanding
 * requests; it changes only by compare-and-swap (see migstate_conn_apply).
 * The other fields belong to the thread that handles the primary
 * connection (HTTP/1) and are not touched by HTTP/2 streams.
 */
struct migstate_conn {
	uint32_t	 word;
	int		 armed;		/* next non-empty read starts a request */
	int		 drop;		/* event: MIGSTATE_IN to leave the chain */
	ap_filter_t	*in;		/* MIGSTATE_IN while in the chain */
	migstate_req	*pending;	/* HTTP/1: read, response not started */
	migstate_req	 rq1;		/* HTTP/1: a request's state, if free */
	apr_bucket_brigade *peek;	/* for the speculative read, lazily */
};

#define W_CSTATE(w)	((w) & 0xfu)	/* enum wire_reason or CS_NONE */
#define CS_NONE		0xfu
#define W_CLOSING	0x10u		/* the connection is gone */
#define W_OPEN_ONE	0x100u		/* outstanding requests, bits 8..31 */
#define W_OPEN(w)	((w) >> 8)

/* Connection events, applied by migstate_conn_next(). */
enum migstate_ev {
	EV_TLS_BYTES,		/* NEW -> HANDSHAKE */
	EV_TLS_DONE,		/* HANDSHAKE -> NEW */
	EV_READ,		/* first byte of a request -> READING */
	EV_REQ_OPEN,		/* a request (stream) was read */
	EV_REQ_DONE,		/* it completed; arg: the state to take if last */
	EV_CLOSE		/* connection closed */
};

/* Parent and children: set in post_config, inherited by fork. */
static migstate_retained	*migstate_ret;
static int			 migstate_on;
static apr_off_t		 migstate_threshold = MIGSTATE_DEFAULT_THRESHOLD;
static int			 migstate_async;	/* the MPM is event */
/* Children only: the slot claimed in child_init, NULL = inactive. */
static struct migshm_slot	*migstate_slot;
/* Children only: the slot's hint word and bit in the header (migshm.h). */
static uint64_t			*migstate_hint_word;
static uint64_t			 migstate_hint_bit;

static ap_filter_rec_t		*migstate_in_handle;
static ap_filter_rec_t		*migstate_tls_handle;
static ap_filter_rec_t		*migstate_out_handle;
static ap_filter_rec_t		*migstate_conn_out_handle;

/* ------------------------------------------------------------ gauges */

/*
 * Move a gauge, not yet marked.  SEQ_CST, as the hint contract wants
 * (migshm.h); on x86 the same lock add as a relaxed add.
 */
static inline void
migstate_add(unsigned reason, int32_t delta)
{
	if (reason < WIRE_REASON_MAX)
		__atomic_add_fetch(&migstate_slot->count[reason], delta, __ATOMIC_SEQ_CST);
}

/* Tell the agent this slot changed: after the change (migshm.h). */
static inline void
migstate_mark(void)
{
	migshm_hint_set(migstate_hint_word, migstate_hint_bit);
}

static inline void
migstate_gauge(unsigned reason, int32_t delta)
{
	migstate_add(reason, delta);
	migstate_mark();
}

static inline struct migshm_slot *
migstate_slots(void)
{
	return (struct migshm_slot *)((char *)migstate_ret->map + MIGSHM_HEADER_SIZE);
}

/* The word after ev on old; arg is EV_REQ_DONE's state to take. */
static inline __attribute__((always_inline)) uint32_t
migstate_conn_next(uint32_t old, enum migstate_ev ev, uint32_t arg)
{
	uint32_t cs = W_CSTATE(old), flags = old & ~0xfu;

	if (old & W_CLOSING)
		return old;
	switch (ev) {
	case EV_TLS_BYTES:
		return cs == WIRE_R_NEW ? flags | WIRE_R_HANDSHAKE : old;
	case EV_TLS_DONE:
		return cs == WIRE_R_HANDSHAKE ? flags | WIRE_R_NEW : old;
	case EV_READ:
		return flags | WIRE_R_READING;
	case EV_REQ_OPEN:
		return (flags + W_OPEN_ONE) | CS_NONE;
	case EV_REQ_DONE:
		if (W_OPEN(old) == 0)
			return old;	/* cannot happen: keep the books sane */
		flags -= W_OPEN_ONE;
		/* A request read meanwhile (pipelining) keeps READING. */
		if (W_OPEN(flags) > 0 || cs != CS_NONE)
			return flags | cs;
		return flags | arg;
	case EV_CLOSE:
		return W_CLOSING | CS_NONE;
	}
	return old;
}

/*
 * Apply ev to the connection and move its gauge if its state changed.
 * Each value of the state is entered by the thread that swapped it in and
 * left by the one that swapped it out, so the gauges stay exact whatever
 * the interleaving of HTTP/2 streams.  Inlined: ev is a constant at every
 * call, so each call compiles to its own short transition.
 */
static inline __attribute__((always_inline)) void
migstate_conn_apply(migstate_conn *mc, enum migstate_ev ev, uint32_t arg)
{
	uint32_t old = __atomic_load_n(&mc->word, __ATOMIC_RELAXED), new;

	do {
		new = migstate_conn_next(old, ev, arg);
		if (new == old)
			return;
	} while (!__atomic_compare_exchange_n(&mc->word, &old, new, 1,
	    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	if (W_CSTATE(old) != W_CSTATE(new)) {
		migstate_add(W_CSTATE(old), -1);
		migstate_add(W_CSTATE(new), 1);
		migstate_mark();
	}
}

static migstate_conn *
migstate_conn_get(conn_rec *c)
{
	while (c->master != NULL)
		c = c->master;
	return ap_get_module_config(c->conn_config, &migstate_module);
}

/* Leave PROCESSING for reason (a writing state), once. */
static void
migstate_req_write(migstate_req *rq, int reason)
{
	if (rq->state == WIRE_R_PROCESSING) {
		migstate_add((unsigned)reason, 1);
		migstate_add(WIRE_R_PROCESSING, -1);
		migstate_mark();
		rq->state = reason;
	}
}

/*
 * The request completed: leave its state (which frees rq) and, if it was
 * the connection's last one, let the connection go idle, unless it is
 * about to close.
 */
static void
migstate_req_end(migstate_req *rq)
{
	migstate_conn	*mc = rq->mc;
	conn_rec	*c = rq->r->connection;
	uint32_t	 next = WIRE_R_IDLE;

	migstate_gauge((unsigned)rq->state, -1);
	if (c->master == NULL && mc->pending == rq)
		mc->pending = NULL;
	rq->state = -1;		/* mc->rq1 is free again */
	/*
	 * Pipelined data waiting is not looked at (c->data_in_input_filters
	 * is stale here): the next request's read ends IDLE microseconds
	 * later, or already did (then the connection is READING and stays).
	 */
	if (c->master == NULL && (c->aborted || c->keepalive == AP_CONN_CLOSE))
		next = CS_NONE;
	migstate_conn_apply(mc, EV_REQ_DONE, next);
}

static apr_status_t
migstate_conn_cleanup(void *arg)
{
	migstate_conn_apply(arg, EV_CLOSE, 0);
	return APR_SUCCESS;
}

/* ----------------------------------------------------------- filters */

/* 1 if bb holds at least one byte (metadata buckets do not count). */
static int
migstate_has_data(apr_bucket_brigade *bb)
{
	apr_bucket *b;

	for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb); b = APR_BUCKET_NEXT(b))
		if (!APR_BUCKET_IS_METADATA(b) && b->length != 0)
			return 1;
	return 0;
}

/*
 * The first byte of a request arrived: READING.  Under event, the filter
 * is then no longer needed: the next pre_read_request takes it out of the
 * chain and takes over (see there).
 */
static void
migstate_in_started(migstate_conn *mc)
{
	mc->armed = 0;
	mc->drop = migstate_async;
	migstate_conn_apply(mc, EV_READ, 0);
}

/* migstate_in_filter's work while armed. */
static MIGSTATE_COLD apr_status_t
migstate_in_armed(ap_filter_t *f, apr_bucket_brigade *bb, ap_input_mode_t mode,
    apr_read_type_e block, apr_off_t readbytes)
{
	migstate_conn	*mc = f->ctx;
	apr_status_t	 rv;

	if (mode == AP_MODE_GETLINE && block == APR_BLOCK_READ) {
		/*
		 * The request line is read whole (the core filter blocks until
		 * LF): wait for its first byte without consuming it, so that
		 * half a request line already counts as reading.
		 */
		if (mc->peek == NULL)
			mc->peek = apr_brigade_create(f->c->pool, f->c->bucket_alloc);
		rv = ap_get_brigade(f->next, mc->peek, AP_MODE_SPECULATIVE, APR_BLOCK_READ, 1);
		if (rv == APR_SUCCESS && migstate_has_data(mc->peek))
			migstate_in_started(mc);
		apr_brigade_cleanup(mc->peek);
	}
	rv = ap_get_brigade(f->next, bb, mode, block, readbytes);
	if (!mc->armed || rv != APR_SUCCESS)
		return rv;
	if (migstate_has_data(bb))
		migstate_in_started(mc);
	else if (W_CSTATE(__atomic_load_n(&mc->word, __ATOMIC_RELAXED)) == WIRE_R_HANDSHAKE)
		migstate_conn_apply(mc, EV_TLS_DONE, 0);	/* mod_ssl succeeded */
	return rv;
}

/*
 * MIGSTATE_IN (AP_FTYPE_CONNECTION, above mod_ssl: plaintext).  Armed by
 * pre_connection and (sync MPMs) pre_read_request; the first read that
 * returns data (or finds some waiting) starts READING and disarms, so
 * request bodies never count as reading.  Disarmed, it only passes on.
 */
static apr_status_t
migstate_in_filter(ap_filter_t *f, apr_bucket_brigade *bb, ap_input_mode_t mode,
    apr_read_type_e block, apr_off_t readbytes)
{
	if (MIGSTATE_LIKELY(!((migstate_conn *)f->ctx)->armed))
		return ap_get_brigade(f->next, bb, mode, block, readbytes);
	return migstate_in_armed(f, bb, mode, block, readbytes);
}

/*
 * MIGSTATE_TLS (AP_FTYPE_CONNECTION + 9, below mod_ssl: ciphertext).  The
 * first bytes from the client on an SSL connection start the handshake;
 * the filter then removes itself, so it costs one call per connection.
 */
static apr_status_t
migstate_tls_filter(ap_filter_t *f, apr_bucket_brigade *bb, ap_input_mode_t mode,
    apr_read_type_e block, apr_off_t readbytes)
{
	apr_status_t rv;

	rv = ap_get_brigade(f->next, bb, mode, block, readbytes);
	if (rv == APR_SUCCESS && migstate_has_data(bb)) {
		if (ap_ssl_conn_is_ssl(f->c))
			migstate_conn_apply(f->ctx, EV_TLS_BYTES, 0);
		ap_remove_input_filter(f);
	}
	return rv;
}

/*
 * The writing state for r's response, decided on its first bytes.
 * Content-Length is 1*DIGIT (RFC 9110, 8.6); anything else is an unknown
 * length.  Parsed here rather than by apr_strtoff: a hundred instructions
 * less on every request.  A length set with ap_set_content_length() (the
 * default handler, the content-length filter, which also recomputes it
 * after byterange) is in r->clength: below the threshold it settles the
 * question without looking the field up (a filter that changes the body
 * unsets the field, it does not enlarge it).
 */
static int
migstate_out_reason(request_rec *r)
{
	const char	*cl;
	apr_off_t	 len = 0;
	int		 n;

	if (r->header_only || r->status == HTTP_NO_CONTENT || r->status == HTTP_NOT_MODIFIED)
		return WIRE_R_WRITING_SMALL;
	if (r->clength > 0 && r->clength < migstate_threshold)
		return WIRE_R_WRITING_SMALL;
	/* After the HTTP header (and byterange) filters: the length sent. */
	cl = apr_table_get(r->headers_out, "Content-Length");
	if (cl == NULL || *cl == '\0')
		return WIRE_R_WRITING_SMALL;	/* unknown length (chunked, h2) */
	for (n = 0; cl[n] >= '0' && cl[n] <= '9'; n++) {
		if (n == 18)
			return WIRE_R_WRITING_LARGE;	/* >= 10^18: surely large */
		len = len * 10 + (cl[n] - '0');
	}
	if (cl[n] != '\0')
		return WIRE_R_WRITING_SMALL;
	return len >= migstate_threshold ? WIRE_R_WRITING_LARGE : WIRE_R_WRITING_SMALL;
}

/* 1 if the len bytes at s start a 1xx status line ("HTTP/1.1 100 ..."). */
static inline int
migstate_is_1xx(const char *s, apr_size_t len)
{
	return len >= 10 && s[0] == 'H' && s[1] == 'T' && s[2] == 'T' && s[3] == 'P' &&
	    s[4] == '/' && s[8] == ' ' && s[9] == '1';
}

/* migstate_is_interim() for the in-memory bucket types but heap. */
static MIGSTATE_COLD int
migstate_is_interim_read(apr_bucket *b)
{
	const char	*s;
	apr_size_t	 len;

	if (!APR_BUCKET_IS_POOL(b) && !APR_BUCKET_IS_TRANSIENT(b) && !APR_BUCKET_IS_IMMORTAL(b))
		return 0;
	if (apr_bucket_read(b, &s, &len, APR_NONBLOCK_READ) != APR_SUCCESS)
		return 0;
	return migstate_is_1xx(s, len);
}

/*
 * 1 if b, the first bytes of a response, start a 1xx interim response
 * ("HTTP/1.1 100 Continue", 101, 103): the final one is still to come.
 * Only in-memory buckets are looked at; mod_http's status lines are (the
 * header filter's in a heap bucket, read in place).
 */
static inline int
migstate_is_interim(apr_bucket *b)
{
	if (APR_BUCKET_IS_HEAP(b))
		return migstate_is_1xx(((apr_bucket_heap *)b->data)->base + b->start, b->length);
	return migstate_is_interim_read(b);
}

/*
 * The request asked for an Upgrade to h2c, and the first bytes after the
 * "101 Switching Protocols" are HTTP/2's: the request became stream 1,
 * which mod_http2 runs as a stream of its own (counted from its
 * post_read_request).  End the HTTP/1 request here, or the connection
 * would count twice until the HTTP/2 session first paused, and then not
 * at all (core closes it for HTTP/1) until another stream ended.  Until
 * stream 1 is read the connection is READING (the client's preface).
 */
static MIGSTATE_COLD void
migstate_switch_h2c(migstate_conn *mc, migstate_req *rq)
{
	migstate_gauge((unsigned)rq->state, -1);
	rq->state = -1;
	mc->pending = NULL;
	migstate_conn_apply(mc, EV_REQ_DONE, WIRE_R_READING);
}

/*
 * MIGSTATE_CONN_OUT's work while a request is pending: if bb holds the
 * first bytes of its final response, it is writing now.  Then pass bb on.
 */
static MIGSTATE_SLOW apr_status_t
migstate_conn_out_first(ap_filter_t *f, apr_bucket_brigade *bb)
{
	migstate_conn	*mc = f->ctx;
	migstate_req	*rq = mc->pending;
	request_rec	*r = rq->r;
	apr_bucket	*b;

	for (b = APR_BRIGADE_FIRST(bb); b != APR_BRIGADE_SENTINEL(bb); b = APR_BUCKET_NEXT(b))
		if (!APR_BUCKET_IS_METADATA(b) && b->length != 0)
			break;
	if (b == APR_BRIGADE_SENTINEL(bb) || migstate_is_interim(b))
		return ap_pass_brigade(f->next, bb);
	if (MIGSTATE_UNLIKELY(r->status == HTTP_SWITCHING_PROTOCOLS) &&
	    !strcmp(ap_get_protocol(f->c), "h2c"))
		migstate_switch_h2c(mc, rq);
	else {
		/* An internal redirect (ErrorDocument, DirectoryIndex) answers. */
		while (r->next != NULL)
			r = r->next;
		migstate_req_write(rq, migstate_out_reason(r));
		mc->pending = NULL;
	}
	return ap_pass_brigade(f->next, bb);
}

/*
 * MIGSTATE_CONN_OUT (AP_FTYPE_CONNECTION, above mod_ssl: plaintext), on
 * primary connections.  HTTP/1 writes one response after the other on a
 * connection, each after its request was read: the first response bytes
 * after post_read_request are that request's status line and headers.
 * Otherwise it only passes on.
 */
static apr_status_t
migstate_conn_out_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
	if (MIGSTATE_UNLIKELY(((migstate_conn *)f->ctx)->pending != NULL))
		return migstate_conn_out_first(f, bb);
	return ap_pass_brigade(f->next, bb);
}

/*
 * MIGSTATE_OUT (AP_FTYPE_TRANSCODE), on HTTP/2 streams only.  The
 * response's first brigade moves the request from PROCESSING to writing;
 * the filter then removes itself.
 */
static apr_status_t
migstate_out_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
	migstate_req_write(f->ctx, migstate_out_reason(f->r));
	ap_remove_output_filter(f);
	return ap_pass_brigade(f->next, bb);
}

/* ------------------------------------------------------------- hooks */

/* Primary client connections get a state and the connection filters. */
static int
migstate_pre_connection(conn_rec *c, void *csd)
{
	migstate_conn *mc;

	(void)csd;
	if (migstate_slot == NULL || c->master != NULL || c->outgoing)
		return DECLINED;
	mc = apr_pcalloc(c->pool, sizeof(*mc));
	mc->word = WIRE_R_NEW;
	mc->armed = 1;
	mc->rq1.state = -1;
	ap_set_module_config(c->conn_config, &migstate_module, mc);
	apr_pool_cleanup_register(c->pool, mc, migstate_conn_cleanup, apr_pool_cleanup_null);
	migstate_gauge(WIRE_R_NEW, 1);
	mc->in = ap_add_input_filter_handle(migstate_in_handle, mc, NULL, c);
	ap_add_input_filter_handle(migstate_tls_handle, mc, NULL, c);
	ap_add_output_filter_handle(migstate_conn_out_handle, mc, NULL, c);
	return DECLINED;
}

/*
 * Take MIGSTATE_IN out of the input chain for good.  r, just created,
 * copied the chain's head: ap_remove_input_filter() fixes only the
 * connection's, so r's pointers (and any filter added before this hook
 * ran) are moved past it here.
 */
static void
migstate_in_drop(migstate_conn *mc, request_rec *r)
{
	ap_filter_t *f = mc->in, *g;

	ap_remove_input_filter(f);
	if (r->proto_input_filters == f)
		r->proto_input_filters = f->next;
	if (r->input_filters == f)
		r->input_filters = f->next;
	for (g = r->input_filters; g != NULL; g = g->next)
		if (g->next == f)
			g->next = f->next;
	mc->in = NULL;
}

/*
 * Fires before any byte of the next request is read (r is fresh).  Sync
 * MPMs, and event's first request: arm MIGSTATE_IN.  Event's later
 * requests: event resumes a kept-alive connection only when bytes arrived
 * (or are already buffered), so READING starts here, without the filter,
 * which leaves the chain.
 */
static void
migstate_pre_read_request(request_rec *r, conn_rec *c)
{
	migstate_conn *mc;

	if (migstate_slot == NULL || c->master != NULL ||
	    (mc = ap_get_module_config(c->conn_config, &migstate_module)) == NULL)
		return;
	if (MIGSTATE_UNLIKELY(mc->drop)) {
		mc->drop = 0;
		migstate_in_drop(mc, r);
	}
	if (mc->in == NULL)
		migstate_conn_apply(mc, EV_READ, 0);
	else
		mc->armed = 1;
}

/* The head of a request (or HTTP/2 stream) is read: PROCESSING. */
static int
migstate_post_read_request(request_rec *r)
{
	migstate_conn	*mc;
	migstate_req	*rq;

	if (migstate_slot == NULL || r->main != NULL || r->prev != NULL ||
	    (mc = migstate_conn_get(r->connection)) == NULL)
		return DECLINED;
	/* HTTP/1 uses the connection's slot unless requests overlap. */
	if (r->connection->master == NULL && mc->rq1.state < 0)
		rq = &mc->rq1;
	else
		rq = apr_palloc(r->pool, sizeof(*rq));
	rq->mc = mc;
	rq->r = r;
	rq->state = WIRE_R_PROCESSING;
	ap_set_module_config(r->request_config, &migstate_module, rq);
	migstate_gauge(WIRE_R_PROCESSING, 1);
	migstate_conn_apply(mc, EV_REQ_OPEN, 0);
	if (r->connection->master == NULL)
		mc->pending = rq;
	else
		ap_add_output_filter_handle(migstate_out_handle, rq, r, r->connection);
	return DECLINED;
}

/*
 * The response left: log_transaction runs when the request's EOR bucket
 * is destroyed (a pre-cleanup of r->pool), which every request that went
 * through post_read_request gets, also on errors and aborts.
 */
static int
migstate_log_transaction(request_rec *r)
{
	migstate_req *rq;

	if (migstate_slot == NULL)
		return DECLINED;
	while (r->prev != NULL)
		r = r->prev;
	if (r->main == NULL && (rq = ap_get_module_config(r->request_config, &migstate_module)) != NULL &&
	    rq->state >= 0)
		migstate_req_end(rq);
	return DECLINED;
}

/*
 * Write the header of a fresh file at map, the magic last.  Hints are
 * announced here only: a file kept across a graceful restart that loaded
 * this module over an older one may have children that do not mark.
 */
static void
migstate_shm_init_header(void *map, uint32_t nslots)
{
	struct migshm_header *h = map;

	h->version = MIGSHM_VERSION;
	h->header_size = MIGSHM_HEADER_SIZE;
	h->slot_size = MIGSHM_SLOT_SIZE;
	h->nslots = nslots;
	h->features = MIGSHM_F_HINTS;
	__atomic_store_n(&h->magic, MIGSHM_MAGIC, __ATOMIC_RELEASE);
}

/*
 * Create path (a temporary file renamed over it, so readers of an old file
 * notice) with nslots zeroed slots and map it shared.  The parent, root,
 * maps it before forking: children inherit a writable mapping even after
 * they switch to User.  0, or -1 with errno and *what set.
 */
static int
migstate_shm_create(apr_pool_t *p, const char *path, uint32_t nslots, void **mapp,
    const char **what)
{
	char	*tmp, *dir;
	size_t	 len = MIGSHM_FILE_SIZE(nslots);
	void	*map = MAP_FAILED;
	int	 fd = -1, saved;

	dir = ap_make_dirstr_parent(p, path);
	*what = "create directory";
	if (apr_dir_make_recursive(dir, APR_FPROT_UREAD | APR_FPROT_UWRITE | APR_FPROT_UEXECUTE |
	    APR_FPROT_GREAD | APR_FPROT_GEXECUTE | APR_FPROT_WREAD | APR_FPROT_WEXECUTE, p) !=
	    APR_SUCCESS)
		goto fail;
	tmp = apr_psprintf(p, "%s.%ld.tmp", path, (long)getpid());
	*what = "create";
	if ((fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644)) == -1)
		goto fail;
	*what = "size";
	if (ftruncate(fd, (off_t)len) == -1)
		goto fail;
	*what = "map";
	if ((map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED)
		goto fail;
	migstate_shm_init_header(map, nslots);
	*what = "rename";
	if (rename(tmp, path) == -1)
		goto fail;
	close(fd);
	*mapp = map;
	return 0;
fail:
	saved = errno;
	if (map != MAP_FAILED)
		munmap(map, len);
	if (fd != -1) {
		close(fd);
		unlink(tmp);
	}
	errno = saved;
	return -1;
}

/* Map the file for this configuration, reusing the retained one if it fits. */
static int
migstate_shm_attach(apr_pool_t *p, server_rec *s, const char *path, uint32_t nslots)
{
	migstate_retained	*ret = migstate_ret;
	const char		*what;
	void			*map;

	if (ret->map != NULL && ret->nslots == nslots && strcmp(ret->path, path) == 0)
		return 0;
	if (strlen(path) >= sizeof(ret->path)) {
		ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, MSLOGNO(00001)
		    "MigStateShmFile %s: path too long; mod_migstate inactive", path);
		return -1;
	}
	if (migstate_shm_create(p, path, nslots, &map, &what) == -1) {
		ap_log_error(APLOG_MARK, APLOG_ERR, errno, s, MSLOGNO(00002)
		    "MigStateShmFile %s: cannot %s; mod_migstate inactive", path, what);
		return -1;
	}
	/* Children of the old generation keep their own (inherited) mapping. */
	if (ret->map != NULL)
		munmap(ret->map, ret->maplen);
	ret->map = map;
	ret->maplen = MIGSHM_FILE_SIZE(nslots);
	ret->nslots = nslots;
	apr_cpystrn(ret->path, path, sizeof(ret->path));
	ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, MSLOGNO(00003)
	    "MigStateShmFile %s: %u slots, threshold %" APR_OFF_T_FMT, path, nslots,
	    migstate_threshold);
	return 0;
}

/*
 * Parent, every configuration pass but the first (pre-config) one: create
 * or reuse the file, and publish this generation's settings in its header.
 */
static int
migstate_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
	migstate_srv_conf	*conf = ap_get_module_config(s->module_config, &migstate_module);
	struct migshm_header	*h;
	int			 hard = 0, gen = 0;

	(void)pconf, (void)plog;
	if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG)
		return OK;
	if ((migstate_ret = ap_retained_data_get(MIGSTATE_RETAINED_KEY)) == NULL)
		migstate_ret = ap_retained_data_create(MIGSTATE_RETAINED_KEY, sizeof(*migstate_ret));
	migstate_on = conf->enabled != 0;
	migstate_threshold = conf->threshold > 0 ? conf->threshold : MIGSTATE_DEFAULT_THRESHOLD;
	if (migstate_on) {
		if (ap_mpm_query(AP_MPMQ_HARD_LIMIT_DAEMONS, &hard) != APR_SUCCESS || hard <= 0)
			hard = 1;
		if ((uint32_t)hard > MIGSHM_MAX_SLOTS / 2)
			hard = MIGSHM_MAX_SLOTS / 2;
		/* Two generations of children fit during a graceful restart. */
		if (migstate_shm_attach(ptemp, s, conf->shm_path ? conf->shm_path :
		    MIGSHM_DEFAULT_PATH, 2 * (uint32_t)hard) == -1)
			migstate_on = 0;
	}
	if ((h = migstate_ret->map) != NULL) {
		ap_mpm_query(AP_MPMQ_GENERATION, &gen);
		__atomic_store_n(&h->threshold, (uint64_t)migstate_threshold, __ATOMIC_RELAXED);
		__atomic_store_n(&h->generation, (uint32_t)gen, __ATOMIC_RELAXED);
		__atomic_store_n(&h->enabled, (uint32_t)migstate_on, __ATOMIC_RELEASE);
	}
	return OK;
}

/*
 * Child: claim a free slot by compare-and-swap of its pid from 0.  Every
 * store is SEQ_CST and the slot marked after them (the hint contract).
 */
static void
migstate_child_init(apr_pool_t *p, server_rec *s)
{
	struct migshm_header	*h;
	struct migshm_slot	*slots;
	int32_t			 pid = (int32_t)getpid(), zero;
	int			 gen = 0, j;
	uint32_t		 i, bit;

	(void)p;
	if (!migstate_on || migstate_ret == NULL || migstate_ret->map == NULL)
		return;
	slots = migstate_slots();
	for (i = 0; i < migstate_ret->nslots; i++) {
		zero = 0;
		if (__atomic_compare_exchange_n(&slots[i].pid, &zero, pid, 0,
		    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
			break;
	}
	if (i == migstate_ret->nslots) {
		ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, MSLOGNO(00004)
		    "no free slot in %s (%u slots): this child is not counted",
		    migstate_ret->path, migstate_ret->nslots);
		return;
	}
	/* The parent zeroed it when the last owner exited; be sure. */
	for (j = 0; j < WIRE_REASON_MAX; j++)
		__atomic_store_n(&slots[i].count[j], 0, __ATOMIC_SEQ_CST);
	ap_mpm_query(AP_MPMQ_GENERATION, &gen);
	__atomic_store_n(&slots[i].generation, (uint32_t)gen, __ATOMIC_SEQ_CST);
	if (ap_mpm_query(AP_MPMQ_IS_ASYNC, &migstate_async) != APR_SUCCESS)
		migstate_async = 0;
	h = migstate_ret->map;
	bit = i >> migshm_hint_shift(migstate_ret->nslots);
	migstate_hint_word = &h->hint[bit / 64];
	migstate_hint_bit = 1ull << (bit % 64);
	migstate_slot = &slots[i];
	migstate_mark();
}

/* Parent: a child exited (even by SIGKILL): its counts vanish (marked). */
static void
migstate_child_status(server_rec *s, pid_t pid, ap_generation_t gen, int slot,
    mpm_child_status state)
{
	struct migshm_slot	*slots;
	uint32_t		 i;
	int			 j;

	(void)s, (void)gen, (void)slot;
	if (state != MPM_CHILD_EXITED || migstate_ret == NULL || migstate_ret->map == NULL)
		return;
	slots = migstate_slots();
	for (i = 0; i < migstate_ret->nslots; i++) {
		if (__atomic_load_n(&slots[i].pid, __ATOMIC_ACQUIRE) != (int32_t)pid)
			continue;
		for (j = 0; j < WIRE_REASON_MAX; j++)
			__atomic_store_n(&slots[i].count[j], 0, __ATOMIC_SEQ_CST);
		__atomic_store_n(&slots[i].pid, 0, __ATOMIC_SEQ_CST);
		migshm_hint_mark(migstate_ret->map, i);
	}
}

/* ------------------------------------------------------------ config */

static void *
migstate_create_srv_config(apr_pool_t *p, server_rec *s)
{
	migstate_srv_conf *conf = apr_pcalloc(p, sizeof(*conf));

	(void)s;
	conf->enabled = -1;
	conf->shm_path = NULL;
	conf->threshold = -1;
	return conf;
}

#define MERGE_INT(b, a, f)	((a)->f == -1 ? (b)->f : (a)->f)
#define MERGE_PTR(b, a, f)	((a)->f == NULL ? (b)->f : (a)->f)

static void *
migstate_merge_srv_config(apr_pool_t *p, void *base_, void *add_)
{
	migstate_srv_conf *base = base_, *add = add_, *conf = apr_pcalloc(p, sizeof(*conf));

	conf->enabled = MERGE_INT(base, add, enabled);
	conf->shm_path = MERGE_PTR(base, add, shm_path);
	conf->threshold = MERGE_INT(base, add, threshold);
	return conf;
}

/* ------------------------------------------------------- directives */

static const char *
migstate_set_enabled(cmd_parms *cmd, void *dummy, int flag)
{
	migstate_srv_conf	*conf = ap_get_module_config(cmd->server->module_config, &migstate_module);
	const char		*err;

	(void)dummy;
	if ((err = ap_check_cmd_context(cmd, GLOBAL_ONLY)) != NULL)
		return err;
	conf->enabled = flag;
	return NULL;
}

static const char *
migstate_set_shm_file(cmd_parms *cmd, void *dummy, const char *arg)
{
	migstate_srv_conf	*conf = ap_get_module_config(cmd->server->module_config, &migstate_module);
	const char		*err, *path;

	(void)dummy;
	if ((err = ap_check_cmd_context(cmd, GLOBAL_ONLY)) != NULL)
		return err;
	if (*arg == '\0' || (path = ap_server_root_relative(cmd->pool, arg)) == NULL)
		return apr_pstrcat(cmd->pool, "MigStateShmFile: invalid path '", arg, "'", NULL);
	if (strlen(path) >= sizeof(((migstate_retained *)0)->path))
		return "MigStateShmFile: path longer than 1023 bytes";
	if (path[strlen(path) - 1] == '/')
		return "MigStateShmFile: expects a file name, not a directory";
	conf->shm_path = path;
	return NULL;
}

static const char *
migstate_set_large(cmd_parms *cmd, void *dummy, const char *arg)
{
	migstate_srv_conf	*conf = ap_get_module_config(cmd->server->module_config, &migstate_module);
	const char		*err;
	char			*end;
	apr_off_t		 n;

	(void)dummy;
	if ((err = ap_check_cmd_context(cmd, GLOBAL_ONLY)) != NULL)
		return err;
	if (apr_strtoff(&n, arg, &end, 10) != APR_SUCCESS || *end != '\0' || n <= 0)
		return apr_pstrcat(cmd->pool, "MigStateLargeTransfer: '", arg,
		    "' is not a positive number of bytes", NULL);
	conf->threshold = n;
	return NULL;
}

static const command_rec migstate_cmds[] = {
	AP_INIT_FLAG("MigState", migstate_set_enabled, NULL, RSRC_CONF,
	    "On (default) to publish connection states, Off to stop"),
	AP_INIT_TAKE1("MigStateShmFile", migstate_set_shm_file, NULL, RSRC_CONF,
	    "the shared-memory file (default " MIGSHM_DEFAULT_PATH ")"),
	AP_INIT_TAKE1("MigStateLargeTransfer", migstate_set_large, NULL, RSRC_CONF,
	    "bytes from which a response counts as a large transfer (default 4194304)"),
	{ NULL }
};

/* ------------------------------------------------------------ module */

static void
migstate_register_hooks(apr_pool_t *p)
{
	(void)p;
	/* Create the file before the MPM forks (any position is before). */
	ap_hook_post_config(migstate_post_config, NULL, NULL, APR_HOOK_MIDDLE);
	ap_hook_child_init(migstate_child_init, NULL, NULL, APR_HOOK_MIDDLE);
	ap_hook_child_status(migstate_child_status, NULL, NULL, APR_HOOK_MIDDLE);
	/* Early, so the NEW count covers the whole life of the connection. */
	ap_hook_pre_connection(migstate_pre_connection, NULL, NULL, APR_HOOK_FIRST);
	/* Before the request line is read; no order needed. */
	ap_hook_pre_read_request(migstate_pre_read_request, NULL, NULL, APR_HOOK_MIDDLE);
	/* First: PROCESSING starts as soon as the head is read. */
	ap_hook_post_read_request(migstate_post_read_request, NULL, NULL, APR_HOOK_REALLY_FIRST);
	/* Last: the response is over once every logger wrote its line. */
	ap_hook_log_transaction(migstate_log_transaction, NULL, NULL, APR_HOOK_REALLY_LAST);
	/*
	 * No insert_filter hook: the output filters are added by
	 * pre_connection (HTTP/1) and post_read_request (HTTP/2).
	 */

	/* Above mod_ssl (CONNECTION + 5): sees plaintext. */
	migstate_in_handle = ap_register_input_filter("MIGSTATE_IN", migstate_in_filter,
	    NULL, AP_FTYPE_CONNECTION);
	/* Below mod_ssl, next to the network: sees the first TLS record. */
	migstate_tls_handle = ap_register_input_filter("MIGSTATE_TLS", migstate_tls_filter,
	    NULL, AP_FTYPE_CONNECTION + 9);
	/* HTTP/2: after mod_http2's response and the byterange filters. */
	migstate_out_handle = ap_register_output_filter("MIGSTATE_OUT", migstate_out_filter,
	    NULL, AP_FTYPE_TRANSCODE);
	/* HTTP/1: above mod_ssl (CONNECTION + 5), after the header filter. */
	migstate_conn_out_handle = ap_register_output_filter("MIGSTATE_CONN_OUT",
	    migstate_conn_out_filter, NULL, AP_FTYPE_CONNECTION);
}

AP_DECLARE_MODULE(migstate) = {
	STANDARD20_MODULE_STUFF,
	NULL,				/* create per-directory config */
	NULL,				/* merge per-directory config */
	migstate_create_srv_config,	/* create per-server config */
	migstate_merge_srv_config,	/* merge per-server config */
	migstate_cmds,			/* directives */
	migstate_register_hooks,	/* register hooks */
	AP_MODULE_FLAG_NONE		/* flags */
};
