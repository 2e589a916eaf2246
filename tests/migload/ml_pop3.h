/*
 * ml_pop3.h - migload's POP3 response push parser (RFC 1939).
 *
 * The responses come from the server under test: untrusted.  The parser
 * does no I/O and no allocation; it is fed bytes as they arrive and reads
 * one response: a status line ("+OK ..." or "-ERR ...", section 3) and,
 * for a command whose +OK answer is multi-line (LIST, RETR, ...), the
 * lines up to the terminating ".CRLF", undoing the byte-stuffing of lines
 * that begin with "." (section 3).  LIST's scan listings (section 5) are
 * collected.  Hard limits: a status or listing line of POP3_LINE_MAX
 * bytes (section 3: 512 with the CRLF), a message line of POP3_TEXT_MAX
 * (RFC 5322 section 2.1.1: 998 + CRLF), POP3_LIST_MAX listings.  Errors
 * are sticky.
 */
#ifndef ML_POP3_H
#define ML_POP3_H

#include <stddef.h>
#include <stdint.h>

#define POP3_LINE_MAX	512
#define POP3_TEXT_MAX	1000
#define POP3_LIST_MAX	1024
#define POP3_SIZE_MAX	(1ULL << 40)	/* a message size or number beyond this is bogus */

enum pop3_state {
	POP3_STATUS = 0,	/* reading the status line */
	POP3_DATA,		/* reading the lines of a multi-line +OK */
	POP3_DONE,		/* the response is complete */
	POP3_ERROR		/* sticky; see reason */
};

/* What the response is for: decides whether a +OK is multi-line. */
enum pop3_expect {
	POP3_SINGLE = 0,	/* greeting, USER, PASS, QUIT, DELE, ... */
	POP3_MULTI,		/* RETR, TOP, UIDL or CAPA without argument */
	POP3_LISTING		/* LIST without argument: multi-line, scan listings kept */
};

struct pop3 {
	enum pop3_state	 state;
	enum pop3_expect expect;
	int		 ok;		/* +OK (1) or -ERR (0), once the status is in */
	int		 has_octets;	/* "+OK <n> octets" (RETR's customary form) */
	uint64_t	 octets;
	uint64_t	 data;		/* bytes of the multi-line body, un-stuffed, line ends included */
	uint64_t	 lines;		/* lines of the body */
	unsigned	 nlist;		/* scan listings kept (POP3_LISTING) */
	uint32_t	 list_msg[POP3_LIST_MAX];
	uint64_t	 list_size[POP3_LIST_MAX];
	const char	*reason;	/* set in POP3_ERROR */
	int		 bol;		/* at the beginning of a body line */
	int		 dot;		/* the body line began with "." */
	int		 cr;		/* the last byte was CR */
	size_t		 col;		/* length of the current body line */
	size_t		 line_len;
	char		 line[POP3_LINE_MAX];
};

/* Reset p to read one response of kind expect.  Never fails. */
void	pop3_init(struct pop3 *p, enum pop3_expect expect);

/*
 * Feed len bytes.  Returns how many were consumed: all of them, or fewer
 * when the response ended inside buf (POP3 has no pipelining here: the
 * caller treats the rest as a protocol error) or an error was found.
 * Check p->state afterwards.  Cannot fail otherwise.
 */
size_t	pop3_feed(struct pop3 *p, const char *buf, size_t len);

#endif
