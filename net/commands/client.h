/* client.h: a client session: one connection (net/wire/conn.h) and what
 * the commands keep for it: the selected database, protocol version,
 * authentication, MULTI's queue, watched keys, a blocking wait.
 *
 * A session starts at client_accept (the loop's accept handler); its
 * commands run through dispatch.c, its replies are written with reply.h. */
#ifndef RINGKV_NET_COMMANDS_CLIENT_H
#define RINGKV_NET_COMMANDS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/core/args.h"
#include "net/wire/conn.h"

#define CLIENT_NAME_BYTES_MAX 1024

struct acl_user;
struct buf;
struct command;
struct commands;
struct db;

enum client_flag {
    CLIENT_MONITOR = 1 << 0,
    CLIENT_MULTI = 1 << 1,          /* inside MULTI: commands are queued */
    CLIENT_DIRTY_EXEC = 1 << 2,     /* a command failed to queue: EXEC aborts */
    CLIENT_NO_EVICT = 1 << 3,
    CLIENT_FAKE = 1 << 4,           /* not a connection: AOF loading, tests */
    CLIENT_DIRTY_CAS = 1 << 5,      /* a watched key changed: EXEC replies null */
    /* Set while EXEC runs the queue: a blocking command (BLPOP...) must not
     * block but answer as if its timeout had passed, as in Redis. */
    CLIENT_DENY_BLOCKING = 1 << 6,
    CLIENT_BLOCKED = 1 << 7,        /* waiting in a blocking command (blocking.c) */
    CLIENT_POSTPONED = 1 << 8,      /* its command waits for CLIENT PAUSE to end (pause.c) */
    /* CLIENT REPLY: OFF mutes every reply until ON; SKIP_NEXT turns into
     * SKIP when the CLIENT REPLY SKIP command ends, and SKIP mutes the
     * replies of the command after it (client_command_done). */
    CLIENT_REPLY_OFF = 1 << 9,
    CLIENT_REPLY_SKIP_NEXT = 1 << 10,
    CLIENT_REPLY_SKIP = 1 << 11,
    /* Replication (net/repl/): the link to our master, a replica of
     * ours, a client waiting in WAIT (runs nothing more until replied), and
     * one replication keeps a record of (told when it closes). */
    CLIENT_MASTER = 1 << 12,
    CLIENT_REPLICA = 1 << 13,
    CLIENT_REPL_WAIT = 1 << 14,
    CLIENT_REPL_KNOWN = 1 << 15,
    /* The client scripts run their commands on (script_lua.c): a command
     * that must act differently from a script tests it (XREAD BLOCK's
     * refusal, as Redis's CLIENT_SCRIPT). */
    CLIENT_SCRIPT = 1 << 16,
    /* Client-side caching (tracking.c), Redis's names. High bits, apart
     * from the flags above. */
    CLIENT_TRACKING = 1 << 20,              /* CLIENT TRACKING ON */
    CLIENT_TRACKING_BROKEN_REDIR = 1 << 21, /* the REDIRECT client is gone */
    CLIENT_TRACKING_BCAST = 1 << 22,
    CLIENT_TRACKING_OPTIN = 1 << 23,
    CLIENT_TRACKING_OPTOUT = 1 << 24,
    CLIENT_TRACKING_CACHING = 1 << 25,      /* CLIENT CACHING given for the next command */
    CLIENT_TRACKING_NOLOOP = 1 << 26,
    CLIENT_TRACKING_KNOWN = 1 << 27,        /* in tracking.c's id map until it is freed */
};

/* What a blocked client waits for: the key type that can serve it. */
enum blocked_kind {
    BLOCKED_NONE = 0,
    BLOCKED_LIST,  /* BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP */
    BLOCKED_ZSET,  /* BZPOPMIN, BZPOPMAX, BZMPOP */
    BLOCKED_WAITAOF, /* WAITAOF: no keys, waits for fsyncs (waitaof.c) */
    BLOCKED_STREAM,  /* XREAD, XREADGROUP with BLOCK */
};

struct blocking_key; /* blocking.c */

/* A blocked client's state (blocking.c owns its logic). The command is kept whole, as
 * an owned copy of its arguments (keys, destination, ends, count): a
 * wake-up runs the command's handler again on that copy, restricted to the
 * key that became ready, so the blocking forms share their reply and pop
 * code with the immediate path. */
struct blocked_state {
    enum blocked_kind kind;
    int db_id;
    int64_t timeout_ms;            /* absolute, 0 blocks forever */
    struct command *cmd;           /* borrowed: the static tables */
    int argc;
    struct resp_arg *argv;         /* owned: one block holding the array, then the bytes */
    struct blocking_key **keys;    /* owned array of borrowed map nodes, one per distinct key */
    int key_count;
    /* Set while a wake-up re-runs the command: the ready key, and whether
     * the handler found nothing for it and asked to stay blocked. */
    const char *serving_key;
    size_t serving_key_len;
    bool serving;
    bool reblock;
    /* The handler's time when the command blocked: the slow log counts it
     * with the time the wake-up takes, as Redis 7.0 does (not the wait). */
    long long call_us;
    /* WAITAOF: the fsyncs asked for, local (0 or 1) and on replicas. */
    int waitaof_local;
    long long waitaof_replicas;
};

struct pubsub_name; /* pubsub.c */

/* One kind of a client's Pub/Sub subscriptions (pubsub.c owns the logic). */
struct pubsub_subscriptions {
    struct pubsub_name **names; /* owned array of borrowed map nodes, oldest first */
    int count;
    int cap;
};
#define CLIENT_PUBSUB_KINDS 3 /* channels, patterns, shard channels (pubsub.h) */

struct tracking_prefix;      /* tracking.c */
struct transaction_command; /* transaction.c */
struct watch_key;           /* transaction.c */

struct client {
    struct conn conn;           /* its bytes; c->conn.id is CLIENT ID */
    struct commands *commands;  /* borrowed */
    struct db *db;              /* borrowed, the selected database */
    int resp;                   /* 2 or 3 */
    bool authenticated;
    struct acl_user *user;      /* borrowed from acl.c's table; NULL: the fake superuser */
    unsigned flags;             /* enum client_flag */
    char *name;                 /* owned, NULL when unnamed */

    int argc;                   /* the command being run */
    struct resp_arg *argv;      /* borrowed from the request, valid during the command */
    const struct command *cmd;      /* the command being run */
    const struct command *last_cmd; /* for CLIENT LIST cmd= */

    /* transaction (transaction.c) */
    struct transaction_command *queued; /* owned array, MULTI's queue in arrival order */
    int queued_count;
    int queued_cap;
    struct watch_key **watched;         /* owned array of borrowed watch map nodes */
    int watched_count;
    int watched_cap;

    /* blocking commands (blocking.c) */
    struct blocked_state blocked;

    /* CLIENT PAUSE (pause.c): the next postponed client */
    struct client *postponed_next;

    /* Pub/Sub (pubsub.c), by enum pubsub_kind */
    struct pubsub_subscriptions pubsub[CLIENT_PUBSUB_KINDS];

    /* Where its last write (a command that logged something) ended, for
     * WAITAOF (Redis's c->woff): the AOF offset and the epoch of that
     * offset (aof_token_epoch), and the replication offset
     * (commands.repl_offset; 0 without replication). */
    uint64_t aof_woff;
    uint64_t aof_woff_epoch;
    long long repl_woff;

    /* client-side caching (tracking.c) */
    uint64_t tracking_redirect;                   /* REDIRECT's client id, 0: none */
    struct tracking_prefix **tracking_prefixes;   /* owned array of borrowed nodes, sorted */
    int tracking_prefix_count;
    int tracking_prefix_cap;
};

/* The client a connection belongs to. */
static inline struct client *client_of(struct conn *conn)
{
    return (struct client *)((char *)conn - offsetof(struct client, conn));
}

/* A new session on fd (-1: a fake client, for AOF loading and tests).
 * Returns owned; it is freed when its connection closes. */
struct client *client_create(struct commands *cs, int fd);
/* Closes now if nothing is in flight, else once the ops complete; the
 * session ends in dispatch_closed. */
void client_close(struct client *c);
/* Frees c's session and connection (from dispatch_closed, once c is out of
 * every WATCH list and blocking FIFO). */
void client_free(struct client *c);
/* Closes after the pending output is sent. */
void client_close_after_reply(struct client *c);
/* Formats the CLIENT LIST / CLIENT INFO line for c into b (no newline). */
void client_info_line(struct client *c, struct buf *b);
void client_set_name(struct client *c, const char *name, size_t len);
/* Resets to a fresh connection's state (RESET): name, database, protocol,
 * authentication, MONITOR. The transaction is the caller's to reset. */
void client_reset(struct client *c);
/* Feeds a command to every MONITOR client (before it runs). */
void client_feed_monitors(struct client *c);
/* Iteration over every client in creation order (fake ones too): the
 * first, and the one after c; NULL at the end. Borrowed. */
struct client *client_first(struct commands *cs);
struct client *client_next(struct client *c);
/* The open client with this id, or NULL. Borrowed. */
struct client *client_by_id(struct commands *cs, uint64_t id);
/* c left the blocked state (its command ended): its pipelined commands
 * run before the loop next sleeps, in order. */
void client_unblocked(struct client *c);
/* Sets the connection's muting from the CLIENT REPLY flags. */
void client_reply_mode_apply(struct client *c);
/* Around a push that must reach c whatever CLIENT REPLY says (Pub/Sub
 * messages and confirmations; Redis 7.0.15's CLIENT_PUSHING): begin
 * unmutes and returns whether c was muted, end restores that. */
static inline bool client_push_begin(struct client *c)
{
    bool muted = c->conn.flags & CONN_MUTED;
    c->conn.flags &= ~(unsigned)CONN_MUTED;
    return muted;
}
static inline void client_push_end(struct client *c, bool muted)
{
    if (muted)
        c->conn.flags |= CONN_MUTED;
}
/* Redis's mustObeyClient: our master's stream and the AOF being replayed
 * are applied whatever the limits say (a script's own client, also fake,
 * is not). */
static inline bool client_must_obey(const struct client *c)
{
    return (c->flags & CLIENT_MASTER) || (c->flags & (CLIENT_FAKE | CLIENT_SCRIPT)) == CLIENT_FAKE;
}

/* c's command ended (not blocked, not postponed): CLIENT REPLY SKIP's
 * mute moves on, as Redis's resetClient does. One branch when unused. */
static inline void client_command_done(struct client *c)
{
    if (c->flags & (CLIENT_REPLY_SKIP | CLIENT_REPLY_SKIP_NEXT)) {
        bool next = c->flags & CLIENT_REPLY_SKIP_NEXT;
        c->flags &= ~(unsigned)(CLIENT_REPLY_SKIP | CLIENT_REPLY_SKIP_NEXT);
        if (next)
            c->flags |= CLIENT_REPLY_SKIP;
        client_reply_mode_apply(c);
    }
}
/* The loop's accept handler: a new session on fd. */
void client_accept(void *commands, int fd);
/* The loop's describe handler: the connection's CLIENT LIST line, for the
 * wire's log lines (output buffer limits). */
void client_describe(struct conn *conn, struct buf *out);

#endif
