/* command.h: the command record and the table of them.
 *
 * Each cmd_*.c file defines a NULL-name-terminated array of `struct
 * command` for its group, one record per command next to its handler:
 * name, handler, arity, flags, key positions, and everything COMMAND INFO
 * and COMMAND DOCS report. dispatch_init registers the tables in a
 * case-insensitive dict (command.c); dispatch.c runs them.
 *
 * Handlers read c->argc / c->argv (argv[0] is the command name) and must
 * send exactly one reply. A handler that modifies the keyspace calls
 * notify_key_modified for each key it changes (dirty counter, WATCH,
 * blocked clients). */
#ifndef RINGKV_NET_COMMANDS_COMMAND_H
#define RINGKV_NET_COMMANDS_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct client;
struct commands;
struct resp_arg;
struct latency_histogram;

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
    CMD_ASKING = 1 << 19,       /* "asking": cluster imports (RESTORE-ASKING) */
    /* Internal, never reported: the command logs only what it runs (EXEC). */
    CMD_NO_PROPAGATE_SELF = 1 << 24,
    /* Internal, never reported (Redis 7.0's CMD_PROTECTED): refused unless
     * enable-debug-command allows the client (DEBUG). */
    CMD_PROTECTED = 1 << 25,
    /* Internal, never reported: dispatch's write, OOM and replica checks
     * take write/denyoom/stale from the script the command runs
     * (script_command_flags), as Redis's getCommandFlags (FCALL). */
    CMD_SCRIPT_FLAGS = 1 << 26,
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

/* Key specs one command can have (GEORADIUS and SORT have three). */
#define COMMAND_KEY_SPECS_MAX 4

/* One COMMAND DOCS history row. */
struct command_history {
    const char *version; /* "6.2.0"; NULL ends the list */
    const char *change;
};

/* Everything ringkv knows about a command, in one record declared next to its
 * handler in the family's table: what dispatch needs, then what COMMAND INFO
 * and COMMAND DOCS report, with the values redis-server 7.0.15 reports. The
 * text notations of key_specs and arguments are described in cmd_command.c,
 * which parses them. A field left out is absent from the replies. */
struct command {
    const char *name;                  /* lower case; NULL ends a table */
    void (*proc)(struct client *c);    /* NULL for a container with subcommands */
    int arity;                         /* >0 exact argc, <0 at least -arity */
    uint32_t flags;                    /* enum command_flag */
    uint32_t acl;                      /* enum command_acl */
    int first_key, last_key, key_step; /* legacy key positions (last -1: to the end) */

    /* COMMAND INFO */
    const char *tips;                  /* space-separated, or NULL */
    const char *key_specs;             /* "FLAGS/BEGIN/FIND;...", or NULL: one spec derived
                                          from first_key, last_key and key_step */
    const char *key_spec_notes[COMMAND_KEY_SPECS_MAX]; /* by key spec index, or NULL */

    /* COMMAND DOCS */
    const char *summary;
    const char *since;                 /* "1.0.0" */
    const char *group;                 /* "string", "generic", "connection", "server", ... */
    const char *complexity;
    const char *doc_flags;             /* space-separated, or NULL */
    const char *deprecated_since;      /* or NULL */
    const char *replaced_by;           /* or NULL */
    const struct command_history *history; /* {0}-terminated, oldest first, or NULL */
    const char *arguments;             /* argument tree in cmd_command.c's notation, or NULL */

    struct command *subcommands;       /* NULL-name-terminated, or NULL */

    /* Redis's getkeys_proc, for a command whose key specs cannot find all
     * its keys (SORT's STORE: a spec of unknown form): fills positions[]
     * (argv indexes) and specs[] (the index of the key spec whose flags
     * each key has) for argv, room for argc each, and returns the count.
     * ACL checks and COMMAND GETKEYS use it instead of the specs. NULL for
     * most commands. */
    int (*getkeys)(const struct resp_arg *argv, int argc, int *positions, int *specs);

    /* filled at registration */
    const struct command *parent;      /* for subcommands */
    char fullname[64];                 /* "config|get" */
    int index;                         /* 0..commands.command_slots-1 (keyspec.h's table) */
    struct command_stats stats;
    /* Owned, NULL until the command first runs with latency-tracking on;
     * freed by CONFIG RESETSTAT (command_latency_reset) and at exit. */
    struct latency_histogram *latency_histogram;
};

/* Per-group tables, defined in cmd_*.c (dispatch_init registers them). */
extern struct command connection_commands[];
extern struct command keyspace_commands[];
extern struct command string_commands[];
extern struct command command_commands[];
extern struct command list_commands[];
extern struct command hash_commands[];
extern struct command set_commands[];
extern struct command zset_commands[];
extern struct command stream_commands[];
extern struct command transaction_commands[];
extern struct command pubsub_commands[];
extern struct command slowlog_commands[];
extern struct command acl_commands[];
extern struct command waitaof_commands[];
extern struct command geo_commands[];
extern struct command sort_commands[];
extern struct command bitmap_commands[];
extern struct command hll_commands[];
extern struct command script_commands[];
extern struct command function_commands[];
extern struct command dump_commands[];

/* Sets up the empty table. */
void command_table_init(struct commands *cs);
/* Registers a NULL-name-terminated table (a group's, or one from a layer
 * above: the server's INFO, CONFIG, DEBUG...): borrowed, it must outlive
 * cs. */
void command_table_add(struct commands *cs, struct command *table);
void command_table_free(struct commands *cs);
/* Case-insensitive lookup of a top-level command; NULL if unknown. */
struct command *command_lookup(struct commands *cs, const char *name, size_t len);
/* Case-insensitive lookup of one of parent's subcommands; NULL if unknown. */
struct command *command_lookup_sub(struct command *parent, const char *name, size_t len);
/* Lookup with the subcommand resolved (for COMMAND INFO "config|get"). */
struct command *command_lookup_fullname(struct commands *cs, const char *name, size_t len);
/* Calls fn on every top-level command. */
void command_for_each(struct commands *cs, void (*fn)(struct command *cmd, void *ctx), void *ctx);
/* Calls fn on every command and every subcommand. */
void command_for_each_with_subs(struct commands *cs, void (*fn)(struct command *cmd, void *ctx),
                                void *ctx);
size_t command_count(struct commands *cs);

/* A growable list of command pointers (sorted reports, COMMAND LIST). */
struct command_list {
    struct command **items; /* owned array; the commands are borrowed */
    size_t count;
    size_t cap;
};

/* Fills l with every command and subcommand (or every top-level command),
 * sorted by full name. The caller frees l->items with alloc_free. */
void command_list_all(struct commands *cs, struct command_list *l);
void command_list_top(struct commands *cs, struct command_list *l);

/* After cmd ran for proc_us (its handler's time, as Redis's call() takes
 * it): the latency monitor's "command" / "fast-command" events and cmd's
 * histogram. Off (threshold 0, latency-tracking no), each costs a branch.
 * dispatch_call calls it; a blocked command, when it unblocks. */
void command_record_latency(struct commands *cs, struct command *cmd, long long proc_us);
/* Frees cmd's latency histogram and its subcommands' (CONFIG RESETSTAT). */
void command_latency_reset(struct command *cmd);

/* Whether cmd is a top-level command (not a subcommand) whose name is one
 * of names[0..count). */
bool command_is_one_of(const struct command *cmd, const char *const *names, size_t count);

#endif
