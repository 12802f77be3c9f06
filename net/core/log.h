/* log.h: the server log, in Redis's line format, and the wall clock.
 *
 * Every layer logs through a `struct log` it borrows from the server: the
 * level and file are read from the live configuration on each call, so a
 * CONFIG SET loglevel takes effect at once. */
#ifndef RINGKV_NET_CORE_LOG_H
#define RINGKV_NET_CORE_LOG_H

#include <stdint.h>
#include <sys/types.h>

#include "net/core/config.h"

struct log {
    const struct config *config; /* borrowed: loglevel, logfile */
    pid_t main_pid;              /* the server's pid; any other pid logs as a child ('C') */
};

/* Writes "pid:M dd Mon yyyy hh:mm:ss.mmm * msg" when level >= loglevel, to
 * logfile (opened per line, so a rotated file is picked up) or stdout. */
void log_write(const struct log *log, enum loglevel level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Wall-clock time (CLOCK_REALTIME), as Redis's ustime()/mstime(). */
long long log_clock_us(void);
int64_t log_clock_ms(void);

#endif
