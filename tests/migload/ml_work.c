/*
 * ml_work.c - the SPECweb2005 Support-like workload: the Markov chain over
 * the page types, the file set's layout (shared by the generator and the
 * clients), think times and the random numbers.
 *
 * The chain: the allowed transitions follow the site's links (home leads
 * to search, catalog and products; a file page to its download; ...).  The
 * transition probabilities are derived from them at start-up so that the
 * chain's stationary distribution is the Support request mix exactly:
 * flows F on the allowed transitions are scaled (Sinkhorn) until every
 * page type's outflow and inflow equal its share; then P(i->j) = F(i,j) /
 * share(i).  A session starts at home, and a user who logs off (with
 * probability end_prob after each page) is followed by a new one at home:
 * the flows into home are lowered to match, so the mix, restarts
 * included, is still the Support mix (hence end_prob < home's share).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migload.h"

/* Request shares of the Support workload, percent. */
static const double work_share[PAGE_NTYPES] = {
	8.1, 12.6, 11.7, 24.8, 22.5, 13.5, 6.76
};
static const char *const work_name[PAGE_NTYPES] = {
	"home", "search", "catalog", "product", "fileCatalog", "file", "download"
};
/* Allowed transitions (row: from, column: to). */
static const unsigned char work_link[PAGE_NTYPES][PAGE_NTYPES] = {
	/* home srch cat prod fcat file dl */
	{ 0, 1, 1, 1, 0, 0, 0 },	/* home */
	{ 1, 1, 1, 1, 1, 0, 0 },	/* search */
	{ 0, 1, 1, 1, 0, 0, 0 },	/* catalog */
	{ 1, 1, 1, 1, 1, 0, 0 },	/* product */
	{ 0, 1, 0, 1, 1, 1, 0 },	/* fileCatalog */
	{ 1, 1, 0, 0, 1, 1, 1 },	/* file */
	{ 1, 1, 1, 1, 1, 1, 0 },	/* download */
};
static double work_p[PAGE_NTYPES][PAGE_NTYPES];

/* Download classes: share (percent) and the files' sizes in MiB. */
static const struct {
	double	share;
	int	nfiles;
	double	mib[WORK_DL_MAX];
} work_dl[WORK_DL_CLASSES] = {
	{ 13.66, 3, { 0.1, 0.3, 0.5 } },
	{ 12.61, 3, { 0.6, 0.72, 0.84 } },
	{ 28.40, 3, { 1.0, 1.7, 2.41 } },
	{ 22.32, 2, { 4.0, 5.29 } },
	{ 12.50, 1, { 9.53 } },
	{ 10.51, 1, { 36.0 } },
};

/* splitmix64: a uniform double in [0, 1).  Never fails. */
double
work_uniform(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) / 9007199254740992.0;
}

/*
 * Derive the transition matrix for a log-off probability end_prob (see
 * the file comment).  Returns 0, or -1 if end_prob is not below home's
 * share.  Idempotent.
 */
int
work_chain_init(double end_prob)
{
	double f[PAGE_NTYPES][PAGE_NTYPES], pi[PAGE_NTYPES], in[PAGE_NTYPES], s, tot = 0;
	int i, j, it;

	for (i = 0; i < PAGE_NTYPES; i++)
		tot += work_share[i];
	if (end_prob < 0 || end_prob >= work_share[PAGE_HOME] / tot)
		return -1;
	for (i = 0; i < PAGE_NTYPES; i++) {
		pi[i] = work_share[i] / tot;
		for (j = 0; j < PAGE_NTYPES; j++)
			f[i][j] = work_link[i][j];
	}
	/* Inflows through the chain; home gets the rest from restarts. */
	for (j = 0; j < PAGE_NTYPES; j++)
		in[j] = (pi[j] - (j == PAGE_HOME ? end_prob : 0)) / (1 - end_prob);
	for (it = 0; it < 2000; it++) {
		for (i = 0; i < PAGE_NTYPES; i++) {
			for (s = 0, j = 0; j < PAGE_NTYPES; j++)
				s += f[i][j];
			for (j = 0; j < PAGE_NTYPES; j++)
				f[i][j] *= pi[i] / s;
		}
		for (j = 0; j < PAGE_NTYPES; j++) {
			for (s = 0, i = 0; i < PAGE_NTYPES; i++)
				s += f[i][j];
			for (i = 0; i < PAGE_NTYPES; i++)
				f[i][j] *= in[j] / s;
		}
	}
	for (i = 0; i < PAGE_NTYPES; i++) {
		for (s = 0, j = 0; j < PAGE_NTYPES; j++)
			s += f[i][j];
		for (j = 0; j < PAGE_NTYPES; j++)
			work_p[i][j] = f[i][j] / s;
	}
	return 0;
}

/* The share (percent) of page type p in the request mix. */
double
work_shares(int p)
{
	return work_share[p];
}

/* The page after cur, for u uniform in [0, 1). */
int
work_next_page(int cur, double u)
{
	int j;

	for (j = 0; j < PAGE_NTYPES - 1; j++) {
		if (u < work_p[cur][j])
			return j;
		u -= work_p[cur][j];
	}
	return PAGE_NTYPES - 1;
}

/* Transition probability (for --print-chain). */
double
work_prob(int from, int to)
{
	return work_p[from][to];
}

const char *
work_page_name(int p)
{
	return p >= 0 && p < PAGE_NTYPES ? work_name[p] : "?";
}

/* Exponential think time, capped.  Seconds. */
double
work_think(const struct ml_opts *o, double u)
{
	double t = -o->think_mean * log(1 - u);

	if (t > o->think_max)
		t = o->think_max;
	if (t < o->think_min)
		t = o->think_min;
	return t;
}

/* URL of one of page type p's files.  Returns snprintf's result. */
int
work_page_url(char *buf, size_t n, const struct ml_opts *o, int p, double u)
{
	return snprintf(buf, n, "%s/support/%s/%d.html", o->prefix, work_name[p],
	    (int)(u * WORK_PAGE_FILES));
}

int
work_image_url(char *buf, size_t n, const struct ml_opts *o, double u)
{
	return snprintf(buf, n, "%s/support/img/%d.gif", o->prefix, (int)(u * WORK_IMAGES));
}

/* A download: class by share (u1), file within the class (u2). */
int
work_download_url(char *buf, size_t n, const struct ml_opts *o, double u1, double u2)
{
	int k;

	u1 *= 100;
	for (k = 0; k < WORK_DL_CLASSES - 1; k++) {
		if (u1 < work_dl[k].share)
			break;
		u1 -= work_dl[k].share;
	}
	return snprintf(buf, n, "%s/support/dl/c%d-%d.bin", o->prefix, k + 1,
	    (int)(u2 * work_dl[k].nfiles));
}

/* Sizes: pages 18..113 KB, images 30 B..5.7 KB (log-spread), fixed by index. */
static size_t
work_page_size(int p, int i)
{
	double x = fmod((p * WORK_PAGE_FILES + i) * 0.6180339887 + 0.1, 1.0);

	return (size_t)(18000 + x * (113000 - 18000));
}

static size_t
work_image_size(int i)
{
	double x = fmod(i * 0.6180339887 + 0.05, 1.0);

	return (size_t)(30 * pow(5700.0 / 30, x));
}

/* mkdir, accepting an existing folder. */
static int
work_mkdir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "migload: mkdir %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Write a file of size bytes: text-like filler for pages and images,
 * sparse (a hole, no disk) for downloads.  0 or -1 (said on stderr).
 */
static int
work_write(const char *path, size_t size, int sparse, uint64_t *rng)
{
	char buf[4096];
	size_t i, n, done = 0;
	int fd, rc = -1;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		goto done;
	if (sparse) {
		rc = ftruncate(fd, (off_t)size);
		goto done;
	}
	while (done < size) {
		n = size - done < sizeof(buf) ? size - done : sizeof(buf);
		for (i = 0; i < n; i++)
			buf[i] = (char)('a' + (int)(work_uniform(rng) * 26));
		if (write(fd, buf, n) != (ssize_t)n)
			goto done;
		done += n;
	}
	rc = 0;
done:
	if (rc < 0)
		fprintf(stderr, "migload: %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

/*
 * Create the file set under dir (which must exist): dir/support/<page
 * type>/N.html, dir/support/img/N.gif, dir/support/dl/cK-N.bin.  About
 * 2.5 MB written; the downloads (about 60 MiB) are sparse.  0 or -1.
 */
int
work_make_fileset(const char *dir, unsigned long seed)
{
	char path[4096];
	uint64_t rng = seed;
	int p, i, k;

	snprintf(path, sizeof(path), "%s/support", dir);
	if (work_mkdir(path) < 0)
		return -1;
	for (p = 0; p < PAGE_NTYPES - 1; p++) {
		snprintf(path, sizeof(path), "%s/support/%s", dir, work_name[p]);
		if (work_mkdir(path) < 0)
			return -1;
		for (i = 0; i < WORK_PAGE_FILES; i++) {
			snprintf(path, sizeof(path), "%s/support/%s/%d.html", dir,
			    work_name[p], i);
			if (work_write(path, work_page_size(p, i), 0, &rng) < 0)
				return -1;
		}
	}
	snprintf(path, sizeof(path), "%s/support/img", dir);
	if (work_mkdir(path) < 0)
		return -1;
	for (i = 0; i < WORK_IMAGES; i++) {
		snprintf(path, sizeof(path), "%s/support/img/%d.gif", dir, i);
		if (work_write(path, work_image_size(i), 0, &rng) < 0)
			return -1;
	}
	snprintf(path, sizeof(path), "%s/support/dl", dir);
	if (work_mkdir(path) < 0)
		return -1;
	for (k = 0; k < WORK_DL_CLASSES; k++)
		for (i = 0; i < work_dl[k].nfiles; i++) {
			snprintf(path, sizeof(path), "%s/support/dl/c%d-%d.bin", dir, k + 1, i);
			if (work_write(path, (size_t)(work_dl[k].mib[i] * 1048576), 1,
			    &rng) < 0)
				return -1;
		}
	return 0;
}
