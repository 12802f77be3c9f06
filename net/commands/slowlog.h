/* slowlog.h: the slow log, SLOWLOG's memory (Redis 7.0's slowlog.c).
 *
 * dispatch_call hands every command it ran with the time its handler took;
 * the log keeps those that took at least slowlog-log-slower-than
 * microseconds, newest first, at most slowlog-max-len of them (trimmed on
 * the next push, as in Redis). cmd_slowlog.c replies from it. */
#ifndef RINGKV_NET_COMMANDS_SLOWLOG_H
#define RINGKV_NET_COMMANDS_SLOWLOG_H

#include <stddef.h>

struct client;
struct command;
struct commands;

/* Redis's SLOWLOG_ENTRY_MAX_ARGC and SLOWLOG_ENTRY_MAX_STRING: an entry
 * keeps at most this many arguments (the last one saying how many more
 * there were) and this many bytes of each (plus a note of how many more). */
#define SLOWLOG_ENTRY_ARGS_MAX 32
#define SLOWLOG_ENTRY_ARG_BYTES_MAX 128

struct slowlog_arg {
    char *ptr; /* owned */
    size_t len;
};

struct slowlog_entry {
    struct slowlog_entry *newer; /* borrowed links; owned by the log */
    struct slowlog_entry *older;
    long long id;                /* from 0, never reset */
    long long time_s;            /* unix time when the command ended */
    long long duration_us;
    int argc;                    /* 0..SLOWLOG_ENTRY_ARGS_MAX */
    struct slowlog_arg *argv;    /* owned array */
    char *peer;                  /* owned "ip:port" */
    char *name;                  /* owned client name, "" when unnamed */
};

struct slowlog {
    struct slowlog_entry *newest; /* owned list, newest first */
    struct slowlog_entry *oldest;
    long long len;
    long long next_id;
};

void slowlog_init(struct commands *cs);
void slowlog_free(struct commands *cs);
/* Records c's current command (c->argv) if cmd may be logged and took at
 * least slowlog-log-slower-than; then trims to slowlog-max-len. c->argc
 * may be 0: an entry without arguments (a blocked command ended by CLIENT
 * UNBLOCK, as Redis 7.0 logs it). */
void slowlog_push_if_needed(struct client *c, const struct command *cmd, long long duration_us);
/* Drops every entry; ids keep counting (SLOWLOG RESET). */
void slowlog_reset(struct slowlog *log);

#endif
