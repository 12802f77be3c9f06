/* command.h: the command table and dispatch.
 *
 * Each net/cmd_*.c file defines a NULL-name-terminated array of `struct
 * command` for its group and exports it here; command.c registers them all
 * in a case-insensitive dict at start-up. Dispatch checks, in Redis's order:
 * unknown command, arity, authentication, then runs the handler and
 * accounts calls, time and errors for INFO commandstats/errorstats.
 *
 * Handlers read c->argc / c->argv (argv[0] is the command name) and must
 * send exactly one reply. A handler that modifies the keyspace calls
 * server_key_modified for each key it changes (dirty counter, WATCH). */
#ifndef RINGKV_NET_COMMAND_H
#define RINGKV_NET_COMMAND_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "engine/alloc.h"
#include "net/server/server.h"

/* Command flags, as COMMAND INFO reports them (Redis 7.0 names). */
enum command_flag {
    CMD_WRITE = 1 << 0,         /* "write" */
    CMD_READONLY = 1 << 1,      /* "readonly" */
    CMD_DENYOOM = 1 << 2,       /* "denyoom" */
    CMD_ADMIN = 1 << 3,         /* "admin" */
    CMD_PUBSUB = 1 << 4,        /* "pubsub" */
    CMD_NOSCRIPT = 1 << 5,      /* "noscript" */
    CMD_BLOCKING = 1 << 6,      /* "blocking" */
    CMD_LOADING = 1 << 7,       /* "loading": allowed while loading */
    CMD_STALE = 1 << 8,         /* "stale" */
    CMD_SKIP_MONITOR = 1 << 9,  /* "skip_monitor" */
    CMD_SKIP_SLOWLOG = 1 << 10, /* "skip_slowlog" */
    CMD_FAST = 1 << 11,         /* "fast" */
    CMD_NO_AUTH = 1 << 12,      /* "no_auth": allowed before AUTH */
    CMD_MAY_REPLICATE = 1 << 13,/* "may_replicate" */
    CMD_NO_MULTI = 1 << 14,     /* "no_multi" */
    CMD_ALLOW_BUSY = 1 << 15,   /* "allow_busy" */
    CMD_SENTINEL = 1 << 16,     /* "sentinel" */
    CMD_NO_MANDATORY_KEYS = 1 << 17, /* "no_mandatory_keys" */
    CMD_NO_ASYNC_LOADING = 1 << 18,  /* "no_async_loading" */
    /* Internal, never reported: the command logs only what it runs (EXEC). */
    CMD_NO_PROPAGATE_SELF = 1 << 24,
};

/* ACL categories (COMMAND INFO / DOCS "@name"). */
enum command_acl {
    ACL_KEYSPACE = 1 << 0, ACL_READ = 1 << 1, ACL_WRITE = 1 << 2, ACL_SET = 1 << 3,
    ACL_SORTEDSET = 1 << 4, ACL_LIST = 1 << 5, ACL_HASH = 1 << 6, ACL_STRING = 1 << 7,
    ACL_BITMAP = 1 << 8, ACL_HYPERLOGLOG = 1 << 9, ACL_GEO = 1 << 10, ACL_STREAM = 1 << 11,
    ACL_PUBSUB = 1 << 12, ACL_ADMIN = 1 << 13, ACL_FAST = 1 << 14, ACL_SLOW = 1 << 15,
    ACL_BLOCKING = 1 << 16, ACL_DANGEROUS = 1 << 17, ACL_CONNECTION = 1 << 18,
    ACL_TRANSACTION = 1 << 19, ACL_SCRIPTING = 1 << 20,
};

struct command_stats {
    long long calls;
    long long usec;
    long long rejected_calls;
    long long failed_calls;
};

struct command {
    const char *name;                  /* lower case; NULL ends a table */
    void (*proc)(struct client *c);    /* NULL for a container with subcommands */
    int arity;                         /* >0 exact argc, <0 at least -arity */
    uint32_t flags;                    /* enum command_flag */
    uint32_t acl;                      /* enum command_acl */
    int first_key, last_key, key_step; /* legacy key positions (last -1: to the end) */
    const char *summary;               /* COMMAND DOCS */
    const char *since;                 /* "1.0.0" */
    const char *group;                 /* "string", "generic", "connection", "server", ... */
    const char *complexity;
    struct command *subcommands;       /* NULL-name-terminated, or NULL */

    /* filled at registration */
    const struct command *parent;      /* for subcommands */
    char fullname[64];                 /* "config|get" */
    struct command_stats stats;
};

/* Per-group tables, defined in net/cmd_*.c. */
extern struct command connection_commands[];
extern struct command keyspace_commands[];
extern struct command string_commands[];
extern struct command server_commands[];
extern struct command command_commands[];
extern struct command list_commands[];
extern struct command hash_commands[];
extern struct command set_commands[];
extern struct command zset_commands[];
extern struct command transaction_commands[];

/* Registers every table into s->commands. */
void command_table_init(struct server *s);
void command_table_free(struct server *s);
/* Case-insensitive lookup of a top-level command; NULL if unknown. */
struct command *command_lookup(struct server *s, const char *name, size_t len);
/* Lookup with the subcommand resolved (for COMMAND INFO "config|get"). */
struct command *command_lookup_fullname(struct server *s, const char *name, size_t len);
/* Calls fn on every top-level command. */
void command_for_each(struct server *s, void (*fn)(struct command *cmd, void *ctx), void *ctx);
size_t command_count(struct server *s);

/* A growable list of command pointers (sorted reports, COMMAND LIST). */
struct command_list {
    struct command **items; /* owned array; the commands are borrowed */
    size_t count;
    size_t cap;
};

/* Fills l with every command and subcommand (or every top-level command),
 * sorted by full name. The caller frees l->items with alloc_free. */
void command_list_all(struct server *s, struct command_list *l);
void command_list_top(struct server *s, struct command_list *l);

/* Runs c's parsed command (c->argc/argv): command_check, then either
 * queues it (c is in MULTI) or runs it with command_call. */
void command_process(struct client *c);
/* Looks up c's command and applies Redis 7.0's checks in order: unknown
 * command or subcommand, arity, authentication, and commands refused inside
 * MULTI. Returns the command (borrowed, static), or NULL after replying the
 * error, counting a rejected call and flagging c's transaction (EXEC itself
 * failing a check aborts the transaction). */
struct command *command_check(struct client *c);
/* Runs cmd's handler on c->argc/argv, which may be anything the caller
 * keeps alive for the call (EXEC passes its queued copies). Accounts the
 * call (commandstats, total commands), feeds monitors and settles WATCH.
 * A nested call (from EXEC) keeps the outer command's time, as Redis
 * freezes time for a whole transaction. */
void command_call(struct client *c, struct command *cmd);

/* Helpers for handlers. */
static inline bool arg_equals(const struct resp_arg *a, const char *lower)
{
    size_t n = 0;
    for (; lower[n]; n++) {
        if (n >= a->len)
            return false;
        char ch = a->ptr[n];
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if (ch != lower[n])
            return false;
    }
    return n == a->len;
}
/* Returns an owned deep copy of argv[0..argc) (borrowed for the call), for a
 * command kept past its request (MULTI's queue, a blocked client): the parsed
 * argv points into the query buffer, which is reused once the command is
 * consumed. One block holds the array and then the bytes, so argv_free frees
 * it all. */
static inline struct resp_arg *argv_copy(int argc, const struct resp_arg *argv)
{
    assert(argc > 0);
    size_t bytes = 0;
    for (int i = 0; i < argc; i++)
        bytes += argv[i].len;
    struct resp_arg *copy = alloc_bytes(sizeof(*copy) * (size_t)argc + bytes);
    char *data = (char *)(copy + argc);
    for (int i = 0; i < argc; i++) {
        memcpy(data, argv[i].ptr, argv[i].len);
        copy[i] = (struct resp_arg){.ptr = data, .len = argv[i].len};
        data += argv[i].len;
    }
    return copy;
}
/* Takes ownership of a copy from argv_copy (may be NULL) and frees it. */
static inline void argv_free(struct resp_arg *copy)
{
    alloc_free(copy);
}
/* Parses argv[i] as a long long; on failure replies msg (or the standard
 * "value is not an integer or out of range") and returns false. */
bool arg_get_ll(struct client *c, int i, long long *out, const char *msg);
/* Parses a SCAN-family cursor as Redis 7.0 does (strtoul semantics: an
 * optional sign, a negative value wraps, "" is 0, overflow or trailing
 * bytes are invalid). Returns false without replying. */
bool arg_get_cursor(const struct resp_arg *arg, uint64_t *out);
/* SCAN's default COUNT. */
#define COMMAND_SCAN_COUNT_DEFAULT 10
/* HSCAN/SSCAN/ZSCAN options (COUNT, MATCH) from argv[first]; replies and
 * returns false on a bad one. *pattern is NULL when there is none or "*". */
bool arg_get_scan_options(struct client *c, int first, long long *count,
                          const struct resp_arg **pattern);
/* Parses argv[i] as a double; replies "value is not a valid float" on failure. */
bool arg_get_double(struct client *c, int i, double *out, const char *msg);

#endif
