/* waitaof.c: WAITAOF (see waitaof.h): the command, its blocked clients
 * and their wake-ups. */
#include "net/commands/waitaof.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "engine/alloc.h"
#include "net/commands/arg.h"
#include "net/commands/blocking.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/reply.h"
#include "net/core/config.h"
#include "net/persist/aof.h"
#include "net/persist/persist.h"

#define WAITAOF_AOF_OFF_ERROR                                                                      \
    "WAITAOF cannot be used when numlocal is set but appendonly is disabled."
#define WAITAOF_REPLICA_ERROR                                                                      \
    "WAITAOF cannot be used with replica instances. Please also note that writes to replicas "    \
    "are just local and are not propagated."
/* Redis 7.2 unblocks every blocked client this way when a master turns
 * into a replica. */
#define WAITAOF_DEMOTED_ERROR                                                                      \
    "-UNBLOCKED force unblock from blocking operation, instance state changed (master -> "        \
    "replica?)"

void waitaof_init(struct commands *cs)
{
    cs->waitaof_waiters = NULL;
    cs->waitaof_count = 0;
    cs->waitaof_cap = 0;
}

void waitaof_free(struct commands *cs)
{
    alloc_free(cs->waitaof_waiters);
    cs->waitaof_waiters = NULL;
    cs->waitaof_count = 0;
    cs->waitaof_cap = 0;
}

static bool waitaof_is_replica(struct commands *cs)
{
    return cs->repl_replica;
}

/* 1 once c's last write is fsynced in the local AOF, 0 otherwise (and
 * always 0 while no AOF is written, as in Redis). */
static long long waitaof_local_count(struct client *c)
{
    struct commands *cs = c->commands;
    if (!cs->config->appendonly)
        return 0;
    return aof_fsynced(cs->persist, c->aof_woff_epoch, c->aof_woff) ? 1 : 0;
}

static long long waitaof_replica_count(struct client *c)
{
    struct commands *cs = c->commands;
    return cs->repl_acked_count ? cs->repl_acked_count(cs->repl_ctx, c->repl_woff, true) : 0;
}

static void waitaof_reply_pair(struct client *c, long long local, long long replicas)
{
    reply_array_len(c, 2);
    reply_integer(c, local);
    reply_integer(c, replicas);
}

void waitaof_reply_counts(struct client *c)
{
    waitaof_reply_pair(c, waitaof_local_count(c), waitaof_replica_count(c));
}

/* Redis 7.2's getTimeoutFromObjectOrReply in milliseconds: an integer, not
 * negative, and small enough to add to now. Returns the absolute deadline
 * (0: forever), or -1 after replying the error. */
static int64_t waitaof_parse_timeout(struct client *c, int i)
{
    long long ms;
    if (!arg_get_ll(c, i, &ms, "timeout is not an integer or out of range"))
        return -1;
    if (ms < 0) {
        reply_error(c, "timeout is negative");
        return -1;
    }
    if (ms == 0)
        return 0;
    int64_t now = c->commands->keyspace->now_ms;
    if (ms > INT64_MAX - now) {
        reply_error(c, "timeout is out of range");
        return -1;
    }
    return now + ms;
}

static void waitaof_add(struct client *c)
{
    struct commands *cs = c->commands;
    if (cs->waitaof_count == cs->waitaof_cap) {
        int cap = cs->waitaof_cap ? cs->waitaof_cap * 2 : 8;
        cs->waitaof_waiters =
            alloc_resize(cs->waitaof_waiters, sizeof(*cs->waitaof_waiters) * (size_t)cap);
        cs->waitaof_cap = cap;
    }
    cs->waitaof_waiters[cs->waitaof_count++] = c;
}

void waitaof_forget(struct client *c)
{
    struct commands *cs = c->commands;
    int i = 0;
    while (i < cs->waitaof_count && cs->waitaof_waiters[i] != c)
        i++;
    assert(i < cs->waitaof_count);
    memmove(&cs->waitaof_waiters[i], &cs->waitaof_waiters[i + 1],
            sizeof(*cs->waitaof_waiters) * (size_t)(cs->waitaof_count - i - 1));
    cs->waitaof_count--;
}

/* WAITAOF numlocal numreplicas timeout, with Redis 7.2's checks in its
 * order: the three arguments, then the role, then the AOF. */
static void waitaof_command(struct client *c)
{
    struct commands *cs = c->commands;
    long long numlocal, numreplicas;
    if (!arg_get_ll(c, 1, &numlocal, NULL))
        return;
    if (numlocal < 0 || numlocal > 1) {
        reply_error(c, "value is out of range, value must between 0 and 1");
        return;
    }
    static const char positive[] = "value is out of range, must be positive";
    if (!arg_get_ll(c, 2, &numreplicas, positive))
        return;
    if (numreplicas < 0) {
        reply_error(c, positive);
        return;
    }
    int64_t deadline = waitaof_parse_timeout(c, 3);
    if (deadline < 0)
        return;
    if (waitaof_is_replica(cs)) {
        reply_error(c, WAITAOF_REPLICA_ERROR);
        return;
    }
    if (numlocal && !cs->config->appendonly) {
        reply_error(c, WAITAOF_AOF_OFF_ERROR);
        return;
    }
    long long local = waitaof_local_count(c);
    long long replicas = waitaof_replica_count(c);
    /* Reached, or in a context that must not block (MULTI): the counts. */
    if ((local >= numlocal && replicas >= numreplicas) || (c->flags & CLIENT_DENY_BLOCKING)) {
        waitaof_reply_pair(c, local, replicas);
        return;
    }
    blocking_block_keyless(c, BLOCKED_WAITAOF, deadline);
    c->blocked.waitaof_local = (int)numlocal;
    c->blocked.waitaof_replicas = numreplicas;
    waitaof_add(c);
}

/* Whether the blocked c is answered now (and unblocked). */
static bool waitaof_serve_client(struct client *c)
{
    struct commands *cs = c->commands;
    const struct blocked_state *b = &c->blocked;
    if (waitaof_is_replica(cs)) {
        reply_error(c, WAITAOF_DEMOTED_ERROR);
    } else if (b->waitaof_local && !cs->config->appendonly) {
        /* CONFIG SET appendonly no while it waited: the fsync never comes. */
        reply_error(c, WAITAOF_AOF_OFF_ERROR);
    } else {
        long long local = waitaof_local_count(c);
        long long replicas = b->waitaof_replicas ? waitaof_replica_count(c) : 0;
        if (local < b->waitaof_local || replicas < b->waitaof_replicas)
            return false;
        waitaof_reply_pair(c, local, replicas);
    }
    blocking_unblock_served(c);
    return true;
}

void waitaof_serve(struct commands *cs)
{
    int i = 0;
    while (i < cs->waitaof_count) {
        /* Answering removes the client from the array (waitaof_forget):
         * the next one moves into its place. */
        if (!waitaof_serve_client(cs->waitaof_waiters[i]))
            i++;
    }
}

struct command waitaof_commands[] = {
    {.name = "waitaof", .proc = waitaof_command, .arity = 4, .flags = CMD_NOSCRIPT,
     .acl = ACL_SLOW | ACL_CONNECTION,
     .tips = "request_policy:all_shards response_policy:agg_min",
     .summary = "Blocks until all of the preceding write commands sent by the connection are "
                "written to the append-only file of the master and/or replicas.",
     .since = "7.2.0", .group = "generic", .complexity = "O(1)",
     .arguments = "numlocal^i numreplicas^i timeout^i"},
    {0},
};
