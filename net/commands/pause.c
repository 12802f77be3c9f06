/* pause.c: CLIENT PAUSE's state: the pause's type and deadline, and the
 * FIFO of clients whose command waits for it to end (see pause.h).
 *
 * Owns cs->pause_* and the CLIENT_POSTPONED flag. A postponed client's
 * command was not consumed from its query buffer: releasing it simply
 * resumes its connection, which parses and checks the command again. */
#include "net/commands/pause.h"

#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "engine/db.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/commands/transaction.h"
#include "net/wire/conn.h"
#include "net/wire/loop.h"

static int64_t pause_now_ms(const struct commands *cs)
{
    return cs->loop->now_ms;
}

void pause_start(struct commands *cs, int64_t end_ms, enum pause_type type)
{
    if ((int)type > cs->pause_type)
        cs->pause_type = (int)type;
    if (end_ms > cs->pause_end_ms)
        cs->pause_end_ms = end_ms;
    cs->keyspace->expire_deletes_paused = true;
}

void pause_end(struct commands *cs)
{
    cs->pause_type = PAUSE_OFF;
    cs->pause_end_ms = 0;
    cs->keyspace->expire_deletes_paused = false;
    while (cs->postponed_head) {
        struct client *c = cs->postponed_head;
        cs->postponed_head = c->postponed_next;
        c->postponed_next = NULL;
        c->flags &= ~(unsigned)CLIENT_POSTPONED;
        cs->blocked_clients--;
        assert(cs->blocked_clients >= 0);
        /* Resumed in this order; its command has not run yet, so this is
         * not client_unblocked (CLIENT REPLY SKIP still waits for it). */
        conn_resume(&c->conn);
    }
    cs->postponed_tail = NULL;
}

void pause_tick(struct commands *cs)
{
    if (cs->pause_type != PAUSE_OFF && cs->pause_end_ms <= pause_now_ms(cs))
        pause_end(cs);
}

/* Redis 7.0's "may replicate": a write, a may_replicate command (PUBLISH,
 * PFCOUNT...), or an EXEC with one in its queue. */
static bool pause_may_replicate(struct client *c, const struct command *cmd)
{
    if (cmd->flags & (CMD_WRITE | CMD_MAY_REPLICATE))
        return true;
    return !cmd->parent && strcmp(cmd->name, "exec") == 0 && (c->flags & CLIENT_MULTI) &&
           (transaction_queued_flags(c) & (CMD_WRITE | CMD_MAY_REPLICATE)) != 0;
}

bool pause_postpones(struct client *c, const struct command *cmd)
{
    struct commands *cs = c->commands;
    if (cs->pause_end_ms <= pause_now_ms(cs)) {
        pause_end(cs);
        return false;
    }
    if (c->flags & CLIENT_FAKE)
        return false; /* AOF loading: never a normal client */
    if (cs->pause_type == PAUSE_ALL)
        return true;
    return pause_may_replicate(c, cmd);
}

void pause_postpone(struct client *c)
{
    struct commands *cs = c->commands;
    assert(!(c->flags & CLIENT_POSTPONED));
    c->flags |= CLIENT_POSTPONED;
    c->postponed_next = NULL;
    if (cs->postponed_tail)
        cs->postponed_tail->postponed_next = c;
    else
        cs->postponed_head = c;
    cs->postponed_tail = c;
    cs->blocked_clients++;
}

void pause_client_gone(struct client *c)
{
    if (!(c->flags & CLIENT_POSTPONED))
        return;
    struct commands *cs = c->commands;
    struct client *prev = NULL;
    for (struct client *o = cs->postponed_head; o; prev = o, o = o->postponed_next) {
        if (o != c)
            continue;
        if (prev)
            prev->postponed_next = c->postponed_next;
        else
            cs->postponed_head = c->postponed_next;
        if (cs->postponed_tail == c)
            cs->postponed_tail = prev;
        break;
    }
    c->postponed_next = NULL;
    c->flags &= ~(unsigned)CLIENT_POSTPONED;
    cs->blocked_clients--;
}

bool pause_writes_active(const struct commands *cs)
{
    return cs->pause_type != PAUSE_OFF;
}
