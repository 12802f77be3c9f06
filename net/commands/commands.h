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
struct latency_monitor;

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
    /* acl.c: users, the ACL log, owned */
    struct acl *acl;
    /* propagate.c: the current unit of work, owned */
    struct propagate_state *prop;
    /* dispatch.c and reply.c */
    struct commands_stats stats;
    /* waitaof.c: the clients blocked in WAITAOF, in arrival order (owned
     * array of borrowed clients); checked before the loop sleeps */
    struct client **waitaof_waiters;
    int waitaof_count;
    int waitaof_cap;
    /* Replication's answers, for WAITAOF (the replication module sets
     * them at start-up; each NULL means a master without replicas):
     *  - repl_is_replica: whether this server is a replica now (WAITAOF
     *    is refused there);
     *  - repl_offset: the master replication offset now (read after each
     *    command that logged something: the client's repl_woff);
     *  - replicas_fsynced: how many replicas acknowledged that their AOF
     *    is fsynced up to offset (REPLCONF ACK <offset> FACK <aofoffset>).
     * A blocked WAITAOF is checked again before every sleep of the loop,
     * so an ACK arriving needs no further call. */
    bool (*repl_is_replica)(struct commands *cs);
    long long (*repl_offset)(struct commands *cs);
    long long (*replicas_fsynced)(struct commands *cs, long long offset);
    /* ROLE's whole reply (cmd_role.c); NULL: a master without replicas. */
    void (*repl_role)(struct client *c);
    /* the server's latency monitor (net/core/latency.h), borrowed:
     * dispatch records "command" and "fast-command" */
    struct latency_monitor *latency;
};

#endif
