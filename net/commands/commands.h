/* commands.h: the command layer's state, shared by its modules.
 *
 * The server (net/server/) embeds one `struct commands`, points it at the
 * keyspace, persistence and the loop, and dispatch_init (dispatch.c) sets up
 * each module's part. Every client borrows it (c->commands). This header
 * holds data only: each module's functions are in the module's header. */
#ifndef RINGKV_NET_COMMANDS_COMMANDS_H
#define RINGKV_NET_COMMANDS_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "engine/dict.h"
#include "net/commands/keymap.h"

struct client;
struct command;
struct config;
struct keyspace;
struct log;
struct loop;
struct persist;
struct propagate_state;
struct blocking_ready;
struct keyspec_entry;
struct dirty_keys;
struct pubsub;
struct slowlog;
struct tracking;
struct evict_state;
struct acl;
struct function_registry;
struct latency_monitor;
struct script_state;
struct script_eval;

/* INFO errorstats: one counter per error code ("ERR", "WRONGTYPE"). Redis
 * also stops tracking new codes past 128. */
#define COMMANDS_ERROR_CODES_MAX 128
struct error_stat {
    char code[32];
    long long count;
};

struct commands_stats {
    long long total_commands_processed;
    long long total_error_replies;
    long long unexpected_error_replies;
    long long instantaneous_ops; /* computed by the tick */
    long long ops_sample_count;
    long long ops_sample_time_ms;
    struct error_stat errorstats[COMMANDS_ERROR_CODES_MAX];
    int errorstat_count;
};

struct commands {
    const struct config *config; /* borrowed */
    const struct log *log;       /* borrowed */
    struct keyspace *keyspace;   /* borrowed */
    struct persist *persist;     /* borrowed */
    struct loop *loop;           /* borrowed: connections, the cached time */

    /* command.c: name -> struct command_node, owned */
    struct dict table;
    int command_slots;                   /* commands and subcommands registered */
    struct keyspec_entry *key_specs;     /* keyspec.c's, by command index; owned */
    /* dirty_keys.c: keys written but not yet durable, owned */
    struct dirty_keys *dirty;
    /* dispatch.c's dispatch_call, for EXEC (transaction.c sits below
     * dispatch and runs its queue through this) */
    void (*call)(struct client *c, struct command *cmd);
    /* client.c */
    int monitors;
    /* transaction.c, WATCH: (db id, key) -> the clients watching it
     * (struct watch_key nodes, owned there) */
    struct keymap watched_keys;
    bool watch_settle_pending;           /* a whole-db change awaits transaction_settle */
    /* blocking.c: (db id, key) -> FIFO of the clients blocked on it
     * (struct blocking_key nodes, owned there), and the keys changed since
     * they were last served, in the order they changed */
    struct keymap blocking_keys;
    struct blocking_ready *ready_keys;   /* owned array */
    int ready_count;
    int ready_cap;
    int blocked_clients;
    /* pause.c: CLIENT PAUSE's type (enum pause_type), its deadline (loop
     * time, ms) and the FIFO of clients postponed until it ends (linked
     * through client.postponed_next; counted in blocked_clients) */
    int pause_type;
    int64_t pause_end_ms;
    struct client *postponed_head;
    struct client *postponed_tail;
    /* pubsub.c: every channel, pattern and shard channel's subscribers, owned */
    struct pubsub *pubsub;
    /* slowlog.c: the slow log's entries, owned */
    struct slowlog *slowlog;
    /* tracking.c: the tracking and prefix tables, owned; NULL until the
     * first CLIENT TRACKING ON (the hot path's one test) */
    struct tracking *tracking;
    int tracking_clients;                /* clients with tracking on */
    /* evict.c: maxmemory's eviction pool and statistics, owned */
    struct evict_state *evict;
    /* function.c: the function libraries and their Lua engine, owned */
    struct function_registry *functions;
    /* acl.c: users, the ACL log, owned */
    struct acl *acl;
    /* script_lua.c: the running script and redis.call's client, owned;
     * script_eval.c's cache (EVAL), owned */
    struct script_state *scripts;
    struct script_eval *script_eval;
    bool script_busy; /* a script runs past busy-reply-threshold: -BUSY (dispatch.c) */
    bool script_disable_deny; /* DEBUG SET-DISABLE-DENY-SCRIPTS: noscript commands allowed */
    /* cmd_dump.c: RESTORE skips the payload's CRC-64 (DEBUG
     * SET-SKIP-CHECKSUM-VALIDATION, for tests of damaged payloads) */
    bool skip_checksum_validation;
    /* propagate.c: the current unit of work, owned */
    struct propagate_state *prop;
    /* dispatch.c and reply.c */
    struct commands_stats stats;
    /* waitaof.c: the clients blocked in WAITAOF, in arrival order (owned
     * array of borrowed clients); checked before the loop sleeps */
    struct client **waitaof_waiters;
    int waitaof_count;
    int waitaof_cap;
    /* Replication (net/repl/, a layer above): its hooks, installed by
     * repl_init. The hot path reads only the two flags: repl_feeding is
     * set while a backlog exists (propagate.c then encodes every write for
     * repl_feed, as it does for the AOF), repl_replica while this server
     * is a replica (dispatch asks repl_deny about each command, as it does
     * while min-replicas-to-write is set). */
    bool repl_feeding;
    bool repl_replica;
    void *repl_ctx; /* borrowed */
    /* One piece of a unit of propagation in db_id (-1: no db), as aof_feed. */
    void (*repl_feed)(void *ctx, int db_id, const char *data, size_t len);
    /* The error text refusing cmd for c (without "-"), or NULL. */
    const char *(*repl_deny)(void *ctx, struct client *c, const struct command *cmd);
    /* Input of the link to our master (a CLIENT_MASTER client). */
    void (*repl_input)(struct client *c);
    /* A client that replication knows (CLIENT_REPL_KNOWN) closed. */
    void (*repl_closed)(void *ctx, struct client *c);
    /* For WAITAOF (net/commands): the replication offset now
     * (master_repl_offset), and how many online replicas acknowledged
     * offset or more (fsynced: their FACK, the offset their AOF made
     * durable). */
    long long (*repl_offset)(void *ctx);
    int (*repl_acked_count)(void *ctx, long long offset, bool fsynced);
    /* Set by whoever waits for acknowledgements (WAITAOF), NULL: replication
     * calls it after each REPLCONF ACK a replica sent. */
    void (*repl_acked)(struct commands *cs);
    /* the server's latency monitor (net/core/latency.h), borrowed:
     * dispatch records "command" and "fast-command" */
    struct latency_monitor *latency;
};

#endif
