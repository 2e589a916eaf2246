/*
 * migwire.h - the only definition of every message migstate's parts exchange.
 *
 * proto/PROTOCOL.md is the normative text; this header is its code.  Two
 * conversations use the same framing:
 *
 *   uplink:       migstate-agent (guest)  <->  migbridge (Dom-0), over a chan
 *   query socket: precopy hook / migbridge-ctl  <->  migbridge, Unix socket
 *
 * Framing: a header of two little-endian u32 {type, len}, then len payload
 * bytes.  A whole frame (header included) is at most WIRE_MAX_FRAME bytes.
 * Every payload below has a fixed layout: fixed-width little-endian fields,
 * no implicit padding, strings NUL-padded in fixed arrays.  The host structs
 * (struct wire_*) are decoded copies, never overlaid on received bytes.
 *
 * Everything received from another domain is untrusted until one of the
 * wire_sanitize_*() functions has accepted it.
 */
#ifndef MIGWIRE_H
#define MIGWIRE_H

#include <stddef.h>
#include <stdint.h>

#define WIRE_VERSION		1	/* the protocol version this code speaks */
#define WIRE_VERSION_MIN	1	/* the oldest it still accepts */

#define WIRE_HDR_SIZE		8
/* 64 KiB bounds the reader's buffer per channel and a peer's cost to us. */
#define WIRE_MAX_FRAME		65536
#define WIRE_MAX_PAYLOAD	(WIRE_MAX_FRAME - WIRE_HDR_SIZE)

/*
 * Message types.  The range says who may send it; a receiver drops a peer
 * that sends a type outside the ranges it accepts (wire_type_allowed()).
 */
enum wire_type {
	/* 0x0001-0x00ff: both directions of the uplink */
	WIRE_T_HELLO		= 0x0001, /* struct wire_hello, exact size */
	WIRE_T_BYE		= 0x0002, /* struct wire_bye, exact size */

	/* 0x0100-0x01ff: agent -> bridge */
	WIRE_T_STATE		= 0x0100, /* struct wire_state, 40 + 36*nproto */

	/* 0x0200-0x02ff: bridge -> agent */
	WIRE_T_QUERY		= 0x0200, /* struct wire_query, exact size */
	WIRE_T_MIGRATION	= 0x0201, /* struct wire_migration, exact size */

	/* 0x1000-0x10ff: query socket, client (hook, ctl) -> migbridge */
	WIRE_T_DOMAIN_QUERY	= 0x1000, /* struct wire_domain_query */
	WIRE_T_MIGRATION_END	= 0x1001, /* struct wire_migration_end */
	WIRE_T_LIST		= 0x1002, /* empty payload */
	WIRE_T_STATUS		= 0x1003, /* empty payload */
	WIRE_T_MIGRATE		= 0x1004, /* struct wire_migrate (QEMU mode) */
	WIRE_T_MIGRATE_STATUS	= 0x1005, /* struct wire_migrate_status (QEMU mode) */

	/* 0x1100-0x11ff: query socket, migbridge -> client */
	WIRE_T_VERDICT		= 0x1100, /* struct wire_verdict */
	WIRE_T_DOMAIN_INFO	= 0x1101, /* struct wire_domain_info, one per domain */
	WIRE_T_LIST_END		= 0x1102, /* struct wire_list_end */
	WIRE_T_BRIDGE_STATUS	= 0x1103, /* struct wire_bridge_status */
	WIRE_T_ERROR		= 0x1104, /* struct wire_error */
	WIRE_T_MIGRATE_INFO	= 0x1105, /* struct wire_migrate_info (QEMU mode) */
};

/* Who is receiving: selects the type ranges wire_type_allowed() accepts. */
enum wire_role {
	WIRE_ROLE_BRIDGE,	/* migbridge reading an agent's uplink */
	WIRE_ROLE_AGENT,	/* the agent reading migbridge's uplink */
	WIRE_ROLE_QSERVER,	/* migbridge reading a query-socket client */
	WIRE_ROLE_QCLIENT,	/* hook or ctl reading migbridge's answers */
};

/*
 * Connection reasons.  The first WIRE_REASON_FIRST_SUITABLE are unsuitable
 * (a pause would be noticed), the rest suitable.  Values are on the wire.
 */
enum wire_reason {
	WIRE_R_NEW		= 0, /* accepted, no request byte yet */
	WIRE_R_READING		= 1, /* reading a request */
	WIRE_R_PROCESSING	= 2, /* request read, no response yet */
	WIRE_R_WRITING_SMALL	= 3, /* response < threshold or of unknown size */
	WIRE_R_HANDSHAKE	= 4, /* TLS handshake or upgrade in progress */
	WIRE_R_AUTH		= 5, /* authentication exchange */
	WIRE_R_IDLE		= 6, /* idle between requests after >= 1 response */
	WIRE_R_WRITING_LARGE	= 7, /* transfer of announced size >= threshold */
	WIRE_REASON_MAX		= 8
};
#define WIRE_REASON_FIRST_SUITABLE	WIRE_R_IDLE
#define wire_reason_suitable(r)		((r) >= WIRE_REASON_FIRST_SUITABLE)

/* Application protocols a STATE record may describe.  Values are on the wire. */
enum wire_proto {
	WIRE_P_HTTP	= 1,	/* HTTP/1.x and HTTP/2, mod_migstate or the proxy */
	WIRE_P_POP3	= 2,
	WIRE_P_IMAP	= 3,
	WIRE_P_SMTP	= 4,
	WIRE_P_FTP	= 5,
	WIRE_P_TCP	= 6,	/* opaque TCP: counted, not inspected */
	WIRE_PROTO_MAX	= 7	/* one past the highest value */
};

/* Limits, each with its reason. */
#define WIRE_MAX_PROTO		16	/* records in a STATE: every protocol, with room to grow */
#define WIRE_MAX_CONNS		(1u << 24) /* no guest holds 16M connections; bounds sums */
#define WIRE_NAME_LEN		64	/* guest name, NUL-padded, NUL-terminated */
#define WIRE_SOFTWARE_LEN	32	/* "migstate-agent 0.1.0", NUL-padded */
#define WIRE_TEXT_LEN		96	/* BYE and ERROR text, NUL-padded */

#define WIRE_DOMID_NONE		0xffffffffu /* unknown or not applicable */
#define WIRE_AGE_NONE		UINT64_MAX  /* no state ever received */

/* HELLO capability bits. */
#define WIRE_CAP_QUERY		0x1	/* agent answers QUERY */
#define WIRE_CAP_MIGRATION	0x2	/* agent understands MIGRATION */
#define WIRE_CAP_ALL		(WIRE_CAP_QUERY | WIRE_CAP_MIGRATION)

/*
 * HELLO (both ways, first frame, exact size 128).  Each side offers
 * [version_min, version_max]; both use min(max_a, max_b) if that is at least
 * max(min_a, min_b), else the receiver sends BYE(VERSION) and closes.
 * domid: in unix mode the domain the agent speaks for (from its
 * configuration); over vchan the bridge ignores it and uses the channel's.
 */
struct wire_hello {
	uint32_t version_min;
	uint32_t version_max;
	uint32_t caps;
	uint32_t domid;
	char	 software[WIRE_SOFTWARE_LEN];
	char	 name[WIRE_NAME_LEN];
	uint8_t	 boot_id[16];
};
#define WIRE_HELLO_SIZE		128

enum wire_bye_reason {
	WIRE_BYE_NORMAL		= 0, /* orderly shutdown */
	WIRE_BYE_VERSION	= 1, /* no common protocol version */
	WIRE_BYE_PROTOCOL	= 2, /* the peer sent an invalid frame */
	WIRE_BYE_QUIESCE	= 3, /* agent closes before a migration's stop */
	WIRE_BYE_REASON_MAX	= 4
};

/* BYE (both ways, exact size 100): the sender closes after it. */
struct wire_bye {
	uint32_t reason;		/* enum wire_bye_reason */
	char	 text[WIRE_TEXT_LEN];
};
#define WIRE_BYE_SIZE		100

/* One protocol's connections, by reason (on the wire: 36 bytes). */
struct wire_proto_counts {
	uint32_t proto;			/* enum wire_proto; unique within a STATE */
	uint32_t count[WIRE_REASON_MAX];
};
#define WIRE_PROTO_COUNTS_SIZE	36

#define WIRE_STATE_DETAILED	0x1	/* flags: detailed tracking on */

/*
 * STATE (agent -> bridge, 40 + 36 * nproto bytes).  Pushed on every change
 * of a count (coalesced), as a heartbeat every second, and in answer to a
 * QUERY (nonce echoed; 0 for a push).  Sanitized: nproto <= WIRE_MAX_PROTO,
 * protocols valid and unique, every count and sum <= WIRE_MAX_CONNS,
 * total == sum of all counts, unsuitable == sum of unsuitable counts.
 */
struct wire_state {
	uint64_t seq;			/* increases by one per STATE sent */
	uint64_t mono_us;		/* sender's CLOCK_MONOTONIC, microseconds */
	uint64_t nonce;			/* QUERY answered, or 0 */
	uint32_t total;
	uint32_t unsuitable;
	uint32_t flags;			/* WIRE_STATE_* */
	uint32_t nproto;
	struct wire_proto_counts proto[WIRE_MAX_PROTO];
};
#define WIRE_STATE_FIXED_SIZE	40
#define WIRE_STATE_SIZE(n)	(WIRE_STATE_FIXED_SIZE + WIRE_PROTO_COUNTS_SIZE * (n))

/* QUERY (bridge -> agent, exact size 8): answer with a fresh STATE. */
struct wire_query {
	uint64_t nonce;			/* nonzero */
};
#define WIRE_QUERY_SIZE		8

/* MIGRATION (bridge -> agent, exact size 8): a migration began or ended. */
struct wire_migration {
	uint32_t active;		/* 1 = started (track in detail), 0 = ended */
	uint32_t reserved;		/* 0 */
};
#define WIRE_MIGRATION_SIZE	8

/* The stock decision, and a verdict, as on the wire. */
enum wire_decision {
	WIRE_D_CONTINUE	= 0,		/* XGS_POLICY_CONTINUE_PRECOPY */
	WIRE_D_STOP	= 1,		/* XGS_POLICY_STOP_AND_COPY */
};

/* Why a verdict is what it is.  Values are on the wire and in logs. */
enum wire_vreason {
	WIRE_VR_STOCK_CONTINUE	= 0, /* stock would continue: passed through */
	WIRE_VR_SUITABLE	= 1, /* unsuitable <= tolerance: stop now */
	WIRE_VR_DEFER		= 2, /* unsuitable > tolerance: one more round */
	WIRE_VR_DEADLINE	= 3, /* deferred as long as allowed: stop */
	WIRE_VR_ITERATION_CAP	= 4, /* deferred for as many rounds as allowed: stop */
	WIRE_VR_NO_AGENT	= 5, /* fail open: no agent for this domain */
	WIRE_VR_STALE		= 6, /* fail open: its state is too old */
	WIRE_VR_ERROR		= 7, /* fail open: the bridge or hook erred */
	WIRE_VR_DISABLED	= 8, /* fail open: gating switched off */
	WIRE_VR_MAX		= 9
};

#define WIRE_DQ_FIRST		0x1	/* first call of a migration */
#define WIRE_DQ_FRESH		0x2	/* ask the agent for a fresh STATE first */

/*
 * DOMAIN-QUERY (hook -> migbridge, exact size 48): "may this domain be
 * stopped now?".  migration_id identifies one xc_domain_save call.
 */
struct wire_domain_query {
	uint32_t domid;
	uint32_t iteration;		/* precopy_stats.iteration */
	uint64_t migration_id;		/* random, nonzero, per migration */
	int64_t	 dirty_count;		/* precopy_stats.dirty_count, -1 unknown */
	uint64_t total_written;		/* precopy_stats.total_written */
	uint32_t stock;			/* enum wire_decision of the stock policy */
	uint32_t flags;			/* WIRE_DQ_* */
	uint64_t mono_us;		/* hook's CLOCK_MONOTONIC, for logs */
};
#define WIRE_DOMAIN_QUERY_SIZE	48

/* MIGRATION-END (hook -> migbridge, exact size 24): the save returned. */
struct wire_migration_end {
	uint32_t domid;
	int32_t	 result;		/* xc_domain_save's return value */
	uint64_t migration_id;
	uint32_t stopped_unsuitable;	/* unsuitable at the stop, or ~0 unknown */
	uint32_t reserved;
};
#define WIRE_MIGRATION_END_SIZE	24

/*
 * VERDICT (migbridge -> hook, exact size 80).  Always answered, within the
 * bridge's query timeout; the hook fails open on anything else.
 */
struct wire_verdict {
	uint64_t migration_id;
	uint32_t decision;		/* enum wire_decision */
	uint32_t vreason;		/* enum wire_vreason */
	uint32_t total;			/* connections in the state judged */
	uint32_t unsuitable;
	uint32_t tolerance;		/* unsuitable tolerated at this deferral */
	uint32_t deferrals;		/* stops deferred so far in this migration */
	uint64_t state_age_us;		/* age of the state judged, or WIRE_AGE_NONE */
	uint64_t deferred_us;		/* time since the first deferral, or 0 */
	uint32_t reasons[WIRE_REASON_MAX]; /* counts by reason, all protocols */
};
#define WIRE_VERDICT_SIZE	80

#define WIRE_DI_CONNECTED	0x1	/* agent channel up */
#define WIRE_DI_GONE		0x2	/* domain destroyed; last state kept */
#define WIRE_DI_MIGRATING	0x4	/* a migration is asking about it */

/* DOMAIN-INFO (migbridge -> ctl, exact size 256): one per known domain. */
struct wire_domain_info {
	uint32_t domid;
	uint32_t flags;			/* WIRE_DI_* */
	char	 name[WIRE_NAME_LEN];
	char	 software[WIRE_SOFTWARE_LEN];
	uint64_t state_age_us;		/* or WIRE_AGE_NONE */
	uint64_t state_seq;
	uint64_t frames;		/* frames accepted from the agent */
	uint64_t rejects;		/* channels dropped for bad input */
	uint32_t total;
	uint32_t unsuitable;
	uint32_t reasons[WIRE_REASON_MAX];
	uint32_t last_decision;		/* enum wire_decision, or ~0 none */
	uint32_t last_vreason;		/* enum wire_vreason, or ~0 none */
	uint32_t verdicts[WIRE_VR_MAX];	/* decisions made, by reason */
	uint32_t reserved[9];
};
#define WIRE_DOMAIN_INFO_SIZE	256

/* LIST-END (migbridge -> ctl, exact size 4): closes a LIST answer. */
struct wire_list_end {
	uint32_t count;			/* DOMAIN-INFO frames sent before it */
};
#define WIRE_LIST_END_SIZE	4

/* BRIDGE-STATUS (migbridge -> ctl, exact size 48). */
struct wire_bridge_status {
	uint64_t uptime_us;
	uint64_t queries;		/* DOMAIN-QUERY answered */
	uint64_t failopen;		/* of which fail-open verdicts */
	uint64_t rejects;		/* guest channels dropped for bad input */
	uint32_t domains;		/* known */
	uint32_t connected;		/* with a live agent channel */
	uint32_t mode;			/* 0 = unix, 1 = xen */
	uint32_t version;		/* WIRE_VERSION */
};
#define WIRE_BRIDGE_STATUS_SIZE	48

/* ERROR (migbridge -> client, exact size 100). */
struct wire_error {
	uint32_t code;			/* errno-style value */
	char	 text[WIRE_TEXT_LEN];
};
#define WIRE_ERROR_SIZE		100

/*
 * QEMU mode (PROTOCOL.md, "QEMU migrations").  MIGRATE (client -> migbridge,
 * exact size 140): migbridge drives a migration of a QEMU guest; answered
 * at once by MIGRATE-INFO (started) or ERROR.  MIGRATE-STATUS (exact size
 * 4) asks how it goes; answered by MIGRATE-INFO (exact size 136).
 */
#define WIRE_URI_LEN		128	/* NUL-padded */
struct wire_migrate {
	uint32_t domid;
	uint32_t downtime_ms;		/* the operator's downtime, 1..600000 */
	uint32_t deadline_ms;		/* longest gating, 0..86400000 (0: policy's) */
	char	 uri[WIRE_URI_LEN];	/* QEMU's migration URI, printable ASCII */
};
#define WIRE_MIGRATE_SIZE	140

struct wire_migrate_status {
	uint32_t domid;
};
#define WIRE_MIGRATE_STATUS_SIZE 4

enum wire_mphase {
	WIRE_MP_NONE = 0,		/* no migration driven for this domain */
	WIRE_MP_GATED,			/* running, downtime-limit held at ~1 ms */
	WIRE_MP_RELEASED,		/* running, the operator's downtime allowed */
	WIRE_MP_SWITCHOVER,		/* paused at pre-switchover, continuing */
	WIRE_MP_COMPLETED,
	WIRE_MP_FAILED,
	WIRE_MP_MAX
};

struct wire_migrate_info {
	uint32_t domid;
	uint32_t phase;			/* enum wire_mphase */
	uint32_t passes;		/* precopy passes seen */
	uint32_t deferrals;		/* DEFER verdicts */
	uint32_t pre_total;		/* the agent's state at pre-switchover */
	uint32_t pre_unsuitable;	/* ~0: not recorded */
	uint64_t elapsed_us;		/* since the migration started */
	uint64_t released_us;		/* start to release, or WIRE_AGE_NONE */
	char	 text[WIRE_TEXT_LEN];	/* last event, or why it failed */
};
#define WIRE_MIGRATE_INFO_SIZE	136

/* The clock of the mono_us fields: CLOCK_MONOTONIC, microseconds.  Never fails. */
uint64_t wire_mono_us(void);

/* ------------------------------------------------------------------------ */
/* Names, for logs.  Never NULL: unknown values map to "?". */
const char *wire_type_name(uint32_t type);
const char *wire_reason_name(unsigned reason);
const char *wire_proto_name(unsigned proto);
const char *wire_vreason_name(unsigned vreason);
const char *wire_bye_name(unsigned reason);
/* Parse a protocol name ("http", "pop3", ...); returns 0 if unknown. */
unsigned wire_proto_from_name(const char *name);

/* 1 if a receiver in role may accept a frame of type, else 0. */
int wire_type_allowed(enum wire_role role, uint32_t type);

/*
 * Encoders.  Each writes a whole frame (header and payload) into buf and
 * returns its length, or 0 if cap is too small or the message is not
 * encodable (e.g. nproto > WIRE_MAX_PROTO).  They never fail otherwise.
 * Strings are truncated to their field and NUL-padded.
 */
size_t wire_encode_hello(uint8_t *buf, size_t cap, const struct wire_hello *);
size_t wire_encode_bye(uint8_t *buf, size_t cap, const struct wire_bye *);
size_t wire_encode_state(uint8_t *buf, size_t cap, const struct wire_state *);
size_t wire_encode_query(uint8_t *buf, size_t cap, const struct wire_query *);
size_t wire_encode_migration(uint8_t *buf, size_t cap, const struct wire_migration *);
size_t wire_encode_domain_query(uint8_t *buf, size_t cap, const struct wire_domain_query *);
size_t wire_encode_migration_end(uint8_t *buf, size_t cap, const struct wire_migration_end *);
size_t wire_encode_verdict(uint8_t *buf, size_t cap, const struct wire_verdict *);
size_t wire_encode_domain_info(uint8_t *buf, size_t cap, const struct wire_domain_info *);
size_t wire_encode_list_end(uint8_t *buf, size_t cap, const struct wire_list_end *);
size_t wire_encode_bridge_status(uint8_t *buf, size_t cap, const struct wire_bridge_status *);
size_t wire_encode_error(uint8_t *buf, size_t cap, const struct wire_error *);
size_t wire_encode_migrate(uint8_t *buf, size_t cap, const struct wire_migrate *);
size_t wire_encode_migrate_status(uint8_t *buf, size_t cap, const struct wire_migrate_status *);
size_t wire_encode_migrate_info(uint8_t *buf, size_t cap, const struct wire_migrate_info *);
/* A frame with an empty payload (LIST, STATUS). */
size_t wire_encode_empty(uint8_t *buf, size_t cap, uint32_t type);

/*
 * Sanitizers: decode an untrusted payload of len bytes into *out and
 * validate every field.  Return 0 on success; -1 with *why set to a static
 * reason string ("STATE: unsuitable 5 > total 3") on rejection, in which
 * case *out is unspecified.  They never read beyond len bytes.
 */
int wire_sanitize_hello(const void *untrusted, size_t len, struct wire_hello *out, const char **why);
int wire_sanitize_bye(const void *untrusted, size_t len, struct wire_bye *out, const char **why);
int wire_sanitize_state(const void *untrusted, size_t len, struct wire_state *out, const char **why);
int wire_sanitize_query(const void *untrusted, size_t len, struct wire_query *out, const char **why);
int wire_sanitize_migration(const void *untrusted, size_t len, struct wire_migration *out, const char **why);
int wire_sanitize_domain_query(const void *untrusted, size_t len, struct wire_domain_query *out, const char **why);
int wire_sanitize_migration_end(const void *untrusted, size_t len, struct wire_migration_end *out, const char **why);
int wire_sanitize_verdict(const void *untrusted, size_t len, struct wire_verdict *out, const char **why);
int wire_sanitize_domain_info(const void *untrusted, size_t len, struct wire_domain_info *out, const char **why);
int wire_sanitize_list_end(const void *untrusted, size_t len, struct wire_list_end *out, const char **why);
int wire_sanitize_bridge_status(const void *untrusted, size_t len, struct wire_bridge_status *out, const char **why);
int wire_sanitize_error(const void *untrusted, size_t len, struct wire_error *out, const char **why);
int wire_sanitize_migrate(const void *untrusted, size_t len, struct wire_migrate *out, const char **why);
int wire_sanitize_migrate_status(const void *untrusted, size_t len, struct wire_migrate_status *out, const char **why);
int wire_sanitize_migrate_info(const void *untrusted, size_t len, struct wire_migrate_info *out, const char **why);
int wire_sanitize_empty(const void *untrusted, size_t len, const char **why);

/*
 * Version negotiation: the version both speak, given the peer's HELLO, or 0
 * if there is none.
 */
uint32_t wire_negotiate(const struct wire_hello *peer);

/* Fill a STATE's total and unsuitable from its records. */
void wire_state_sum(struct wire_state *);

/* ------------------------------------------------------------------------ */
/*
 * Incremental frame reader.  Bytes go in with any split; whole frames come
 * out.  Zero-initialise (or wire_reader_init) before use.  No allocation:
 * the buffer is inline (64 KiB).  Errors are sticky.
 */
enum wire_rstatus {
	WIRE_RD_MORE	= 0,	/* all input consumed, no frame complete */
	WIRE_RD_FRAME	= 1,	/* a frame is ready in r->type/len/payload */
	WIRE_RD_ERROR	= -1,	/* sticky; r->why says why */
};

struct wire_reader {
	uint32_t	 type;		/* of the frame ready */
	uint32_t	 len;		/* its payload length */
	const uint8_t	*payload;	/* valid until the next wire_reader_feed */
	const char	*why;		/* reason of the error */
	size_t		 have;		/* bytes of the current frame buffered */
	int		 failed;
	uint8_t		 buf[WIRE_MAX_FRAME];
};

void wire_reader_init(struct wire_reader *);
/*
 * Consume up to len bytes of buf, stopping after the first complete frame.
 * *used is set to the bytes consumed; call again with the rest.  A header
 * whose len exceeds WIRE_MAX_PAYLOAD is an error.
 */
enum wire_rstatus wire_reader_feed(struct wire_reader *, const void *buf, size_t len,
    size_t *used);

#endif /* MIGWIRE_H */
