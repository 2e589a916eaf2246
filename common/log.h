/*
 * log.h - the daemons' one logging module (after relayd's log.c).
 *
 * In the foreground (-d) lines go to stderr with a timestamp; otherwise to
 * syslog.  Every line should name the domain or connection it is about.
 * log_warn() appends strerror(errno).  fatal()/fatalx() log and exit(1):
 * only at start-up, on a bad configuration or corrupted internal state.
 */
#ifndef MIGLOG_H
#define MIGLOG_H

#include <stdarg.h>

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))

void	log_init(const char *ident, int foreground, int verbose);
void	log_setverbose(int verbose);
int	log_getverbose(void);
void	log_warn(const char *, ...) LOG_PRINTF(1, 2);
void	log_warnx(const char *, ...) LOG_PRINTF(1, 2);
void	log_info(const char *, ...) LOG_PRINTF(1, 2);
void	log_debug(const char *, ...) LOG_PRINTF(1, 2);
void	fatal(const char *, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));
void	fatalx(const char *, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));

#endif
