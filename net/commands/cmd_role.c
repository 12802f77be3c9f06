/* cmd_role.c: ROLE, the instance's part in replication, as Sentinel-aware
 * clients ask it.
 *
 * Replication owns the answer: when it sets commands.repl_role, that
 * writes the whole reply (a replica's "slave" form, a master's list of
 * replicas). Until then this server is a master without replicas, and
 * ROLE says so with the replication offset (commands.repl_offset, 0
 * without replication), as redis-server 7.0 does. */
#include <stddef.h>

#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/reply.h"

static void role_command(struct client *c)
{
    struct commands *cs = c->commands;
    if (cs->repl_role) {
        cs->repl_role(c);
        return;
    }
    reply_array_len(c, 3);
    reply_bulk_cstr(c, "master");
    reply_integer(c, cs->repl_offset ? cs->repl_offset(cs) : 0);
    reply_empty_array(c);
}

struct command role_commands[] = {
    {.name = "role", .proc = role_command, .arity = 1,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST,
     .acl = ACL_ADMIN | ACL_FAST | ACL_DANGEROUS,
     .summary = "Return the role of the instance in the context of replication",
     .since = "2.8.12", .group = "server", .complexity = "O(1)"},
    {0},
};
