/*
 * trackbench.c - the HTTP tracker against Debian's libhttp-parser on the
 * same bytes: a corpus of HTTP/1.1 requests (pipelined in batches of 16)
 * and their responses (Content-Length and chunked), fed in 16 KiB pieces.
 *
 * usage: trackbench track|http_parser [pairs [rounds [heads]]]
 * With "heads", every body is empty: only heads are parsed.
 * Prints "<parser> bytes=N seconds=S MBps=M".  Under callgrind, run with
 * --toggle-collect=bench_run so only the parsing is counted.
 */
#include <http_parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "track.h"

#define BATCH	16
#define PIECE	16384

struct corpus {
	char	*c, *s;		/* client and server streams */
	size_t	 clen, slen;
	size_t	*cbatch, *sbatch;	/* batch boundaries */
	size_t	 nbatch;
};

static void
put(char **buf, size_t *len, size_t *cap, const char *p, size_t n)
{
	if (*len + n > *cap) {
		*cap = (*cap + n) * 2;
		if ((*buf = realloc(*buf, *cap)) == NULL)
			exit(2);
	}
	memcpy(*buf + *len, p, n);
	*len += n;
}

static void
make_corpus(struct corpus *k, size_t pairs, int heads)
{
	static const char *paths[] = { "/", "/index.html", "/static/css/site.css",
	    "/api/v1/items?page=2&sort=name", "/images/logo-2x.png", "/favicon.ico" };
	char line[2048], body[4096];
	size_t ccap = 0, scap = 0, i, n, blen;

	memset(k, 0, sizeof(*k));
	memset(body, 'x', sizeof(body));
	k->nbatch = (pairs + BATCH - 1) / BATCH;
	k->cbatch = calloc(k->nbatch + 1, sizeof(size_t));
	k->sbatch = calloc(k->nbatch + 1, sizeof(size_t));
	for (i = 0; i < pairs; i++) {
		if (i % BATCH == 0) {
			k->cbatch[i / BATCH] = k->clen;
			k->sbatch[i / BATCH] = k->slen;
		}
		n = (size_t)snprintf(line, sizeof(line), "GET %s HTTP/1.1\r\n"
		    "Host: www.example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; "
		    "rv:109.0) Gecko/20100101 Firefox/115.0\r\nAccept: text/html,application/"
		    "xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\nAccept-Language: en-US,en;"
		    "q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\nConnection: keep-alive\r\n"
		    "Cookie: session=%08zx; theme=dark\r\n\r\n", paths[i % 6], i * 2654435761u);
		put(&k->c, &k->clen, &ccap, line, n);
		blen = heads ? 0 : (i * 7919) % 3000;
		if (i % 5 == 4 && !heads) {
			n = (size_t)snprintf(line, sizeof(line), "HTTP/1.1 200 OK\r\n"
			    "Date: Thu, 26 Nov 2026 15:00:00 GMT\r\nServer: Apache/2.4.62 (Debian)\r\n"
			    "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
			    "Vary: Accept-Encoding\r\n\r\n%zx\r\n", blen + 1);
			put(&k->s, &k->slen, &scap, line, n);
			put(&k->s, &k->slen, &scap, body, blen + 1);
			put(&k->s, &k->slen, &scap, "\r\n0\r\n\r\n", 7);
		} else {
			n = (size_t)snprintf(line, sizeof(line), "HTTP/1.1 200 OK\r\n"
			    "Date: Thu, 26 Nov 2026 15:00:00 GMT\r\nServer: Apache/2.4.62 (Debian)\r\n"
			    "Last-Modified: Mon, 02 Nov 2026 10:00:00 GMT\r\nETag: \"%zx-5f0\"\r\n"
			    "Accept-Ranges: bytes\r\nContent-Length: %zu\r\nCache-Control: max-age=3600\r\n"
			    "Keep-Alive: timeout=5, max=100\r\nConnection: Keep-Alive\r\n"
			    "Content-Type: text/html; charset=UTF-8\r\n\r\n", i, blen);
			put(&k->s, &k->slen, &scap, line, n);
			put(&k->s, &k->slen, &scap, body, blen);
		}
	}
	k->cbatch[k->nbatch] = k->clen;
	k->sbatch[k->nbatch] = k->slen;
}

/* Feed p[a..b) in PIECE-sized pieces. */
typedef int (*feed_fn)(void *, int dir, const char *, size_t);

static int
feed_range(feed_fn f, void *ctx, int dir, const char *p, size_t a, size_t b)
{
	size_t n;

	while (a < b) {
		n = b - a < PIECE ? b - a : PIECE;
		if (f(ctx, dir, p + a, n) != 0)
			return -1;
		a += n;
	}
	return 0;
}

static int
track_fn(void *ctx, int dir, const char *p, size_t n)
{
	return track_feed(ctx, dir ? TRACK_S2C : TRACK_C2S, p, n);
}

struct hp_pair {
	http_parser req, resp;
	http_parser_settings settings;
};

static int
hp_fn(void *ctx, int dir, const char *p, size_t n)
{
	struct hp_pair *h = ctx;
	http_parser *hp = dir ? &h->resp : &h->req;

	return http_parser_execute(hp, &h->settings, p, n) == n &&
	    HTTP_PARSER_ERRNO(hp) == HPE_OK ? 0 : -1;
}

/* The measured part (callgrind --toggle-collect=bench_run). */
__attribute__((noinline)) int
bench_run(const struct corpus *k, feed_fn f, void *ctx)
{
	size_t i;

	for (i = 0; i < k->nbatch; i++) {
		if (feed_range(f, ctx, 0, k->c, k->cbatch[i], k->cbatch[i + 1]) ||
		    feed_range(f, ctx, 1, k->s, k->sbatch[i], k->sbatch[i + 1]))
			return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct corpus k;
	struct track t;
	struct hp_pair h;
	struct timespec a, b;
	size_t pairs = argc > 2 ? strtoul(argv[2], NULL, 10) : 20000;
	int rounds = argc > 3 ? atoi(argv[3]) : 1, r, use_track;
	double secs;

	if (argc < 2 || (strcmp(argv[1], "track") && strcmp(argv[1], "http_parser"))) {
		fprintf(stderr, "usage: trackbench track|http_parser [pairs [rounds]]\n");
		return 2;
	}
	use_track = strcmp(argv[1], "track") == 0;
	make_corpus(&k, pairs, argc > 4 && strcmp(argv[4], "heads") == 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (r = 0; r < rounds; r++) {
		if (use_track) {
			track_init(&t, track_lookup("http"), NULL);
			if (bench_run(&k, track_fn, &t) != 0 ||
			    strcmp(track_state_name(&t), "idle") != 0) {
				fprintf(stderr, "track: %s\n", track_error(&t));
				return 1;
			}
		} else {
			memset(&h, 0, sizeof(h));
			http_parser_init(&h.req, HTTP_REQUEST);
			http_parser_init(&h.resp, HTTP_RESPONSE);
			if (bench_run(&k, hp_fn, &h) != 0) {
				fprintf(stderr, "http_parser: %s\n",
				    http_errno_name(HTTP_PARSER_ERRNO(&h.req)));
				return 1;
			}
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	printf("%s bytes=%zu seconds=%.6f MBps=%.1f\n", argv[1],
	    (k.clen + k.slen) * (size_t)rounds, secs,
	    (double)(k.clen + k.slen) * rounds / secs / 1e6);
	free(k.c);
	free(k.s);
	free(k.cbatch);
	free(k.sbatch);
	return 0;
}
