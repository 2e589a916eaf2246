/*
 * ml_resp.h - migload's HTTP/1.x response-head push parser.
 *
 * The head comes from the server under test: untrusted.  The parser does
 * no I/O and no allocation; it is fed bytes as they arrive and stops at
 * the blank line that ends the head (RFC 9112 section 2.1), leaving the
 * body to the caller.  Hard limits: a line of RESP_LINE_MAX bytes, a head
 * of RESP_HEAD_MAX bytes, RESP_FIELDS_MAX fields.  Errors are sticky.
 */
#ifndef ML_RESP_H
#define ML_RESP_H

#include <stddef.h>
#include <stdint.h>

#define RESP_LINE_MAX	8192
#define RESP_HEAD_MAX	(64 * 1024)
#define RESP_FIELDS_MAX	100

enum resp_state {
	RESP_STATUS = 0,	/* reading the status line */
	RESP_FIELDS,		/* reading header fields */
	RESP_DONE,		/* the head is complete */
	RESP_ERROR		/* sticky; see reason */
};

struct resp {
	enum resp_state	 state;
	int		 status;	/* 100..599 */
	int		 minor;		/* HTTP/1.minor */
	int		 close;		/* Connection: close, or HTTP/1.0 without keep-alive */
	int		 keepalive;	/* Connection: keep-alive seen */
	int		 has_length;
	uint64_t	 length;	/* Content-Length */
	const char	*reason;	/* set in RESP_ERROR */
	size_t		 head_len;
	unsigned	 fields;
	size_t		 line_len;
	char		 line[RESP_LINE_MAX];
};

/*
 * Feed len bytes of the response.  Returns how many were consumed: all of
 * them, or fewer when the head ended inside buf (the rest is body) or an
 * error was found.  Check r->state afterwards.  r starts zeroed (or via
 * resp_init).  Cannot fail otherwise.
 */
size_t	resp_feed(struct resp *r, const char *buf, size_t len);

/* Reset r for the next response on the same connection. */
void	resp_init(struct resp *r);

#endif
