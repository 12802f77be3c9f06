/* propagate.h: what a write command leaves in the AOF (see below). */
#ifndef RINGKV_NET_COMMANDS_PROPAGATE_H
#define RINGKV_NET_COMMANDS_PROPAGATE_H

#include <stdbool.h>
#include <string.h>

#include "engine/aof_encode.h"
#include "net/wire/resp.h"

struct client;
struct command;
struct commands;

/* What a write command leaves in the AOF. After a command ran, if it
 * changed the dirty counter, its argv is logged as the client sent it,
 * unless the handler said otherwise with one of these (Redis 7.0's
 * rewriteClientCommandVector / alsoPropagate / preventCommandPropagation):
 *   propagate_as: log this argv instead (copied now), e.g.
 *       SET key value PXAT <ms> for SET ... EX; calling it again replaces it.
 *   propagate_none: log nothing for the command itself (its
 *       effects were logged with propagate_add, e.g. SPOP as SREMs).
 *   propagate_add: log one more command (copied now) in db_id, in order,
 *       before the command's own. Outside any command (the expiry cycle)
 *       it is logged at once.
 * Everything one top-level command (EXEC included) logs is one unit: more
 * than one command is wrapped in MULTI ... EXEC, as Redis does. Without
 * an AOF these cost a flag test. */
void propagate_as(struct client *c, int argc, const struct aof_arg *argv);
void propagate_none(struct client *c);
void propagate_add(struct commands *cs, int db_id, int argc, const struct aof_arg *argv);
/* Logs one command at once as a unit of its own, even while a command
 * runs: eviction's DELs, which Redis propagates one by one (also when
 * CONFIG SET maxmemory evicts), never inside a MULTI. */
void propagate_alone(struct commands *cs, int db_id, int argc, const struct aof_arg *argv);
/* Where what is logged from now on goes (redis.set_repl in a script:
 * REPL_NONE, REPL_AOF, REPL_REPLICA, REPL_ALL); both by default. The
 * MULTI/EXEC around a unit goes to both. The caller restores the default. */
enum { PROPAGATE_AOF = 1, PROPAGATE_REPL = 2 };
void propagate_set_targets(struct commands *cs, unsigned targets);
/* Argument builders for the calls above. */
static inline struct aof_arg aof_arg_str(const char *s)
{
    return (struct aof_arg){s, strlen(s)};
}
static inline struct aof_arg aof_arg_of(const struct resp_arg *a)
{
    return (struct aof_arg){a->ptr, a->len};
}

/* Brackets one command call (dispatch.c, a blocked client's wake-up). */
struct propagate_frame {
    long long dirty;
    bool override_set, none;
};
void propagate_begin(struct commands *cs, struct propagate_frame *f);
void propagate_end(struct client *c, const struct command *cmd, struct propagate_frame *f);
/* The propagation state of cs: set up and freed with the layer. */
void propagate_init(struct commands *cs);
void propagate_free(struct commands *cs);

#endif
