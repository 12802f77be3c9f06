/* log.c: the server log and the wall clock (see log.h). */
#include "net/core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

long long log_clock_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

int64_t log_clock_ms(void)
{
    return log_clock_us() / 1000;
}

void log_write(const struct log *log, enum loglevel level, const char *fmt, ...)
{
    const struct config *cfg = log->config;
    if (level < cfg->loglevel)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    localtime_r(&tv.tv_sec, &tm);
    char when[64];
    size_t off = strftime(when, sizeof(when), "%d %b %Y %H:%M:%S.", &tm);
    snprintf(when + off, sizeof(when) - off, "%03d", (int)(tv.tv_usec / 1000));
    static const char marks[] = ".-*#";
    char mark = marks[level > 3 ? 3 : level];
    FILE *out = stdout;
    FILE *file = NULL;
    if (cfg->logfile && cfg->logfile[0]) {
        file = fopen(cfg->logfile, "a");
        if (file)
            out = file;
    }
    /* Redis's role mark: C for a forked child (the BGSAVE child logs too). */
    pid_t pid = getpid();
    char role = log->main_pid == 0 || pid == log->main_pid ? 'M' : 'C';
    fprintf(out, "%d:%c %s %c %s\n", (int)pid, role, when, mark, msg);
    fflush(out);
    if (file)
        fclose(file);
}
