/* propagate.c: what each write command leaves in the AOF.
 *
 * Owns the current unit of propagation: the commands that one top-level
 * command call (an EXEC with everything it ran, a blocked client's wake-up,
 * one key expired by the tick) asks to log. They are encoded as RESP
 * records as they come and handed to the AOF in one piece when the unit
 * ends, wrapped in MULTI ... EXEC when there is more than one, as Redis 7.0
 * does (its propagatePendingCommands). The AOF (aof.c) adds the SELECTs.
 *
 * The same pieces go to replication (net/repl/, through cs->repl_feed)
 * while it keeps a backlog; it adds its own SELECTs.
 *
 * Without an AOF or a backlog nothing is encoded: every entry point tests
 * that first, so a server without persistence pays a branch per command. */
#include "net/commands/propagate.h"

#include <assert.h>
#include <string.h>

#include "engine/alloc.h"
#include "net/commands/client.h"
#include "net/commands/command.h"
#include "net/commands/commands.h"
#include "net/persist/aof.h"
#include "net/persist/persist.h"

/* Propagation of the current unit of work (propagate.c). */
struct propagate_entry {
    int db_id;
    unsigned targets;   /* PROPAGATE_AOF | PROPAGATE_REPL */
    size_t offset, len; /* the record in propagate_state.records */
};

struct propagate_state {
    struct aof_buffer records;         /* encoded commands of the current unit */
    struct propagate_entry *entries;   /* owned */
    int count, cap;
    int depth;                         /* command calls in progress */
    unsigned targets;                  /* where new entries go (redis.set_repl) */
    /* The running command's own choice (propagate_as/none). */
    bool override_set, none;
    struct aof_buffer override;        /* its record */
};

_Static_assert(sizeof(struct resp_arg) == sizeof(struct aof_arg) &&
                   offsetof(struct resp_arg, ptr) == offsetof(struct aof_arg, ptr) &&
                   offsetof(struct resp_arg, len) == offsetof(struct aof_arg, len),
               "a client's argv is logged as it is: the two spans must match");

static bool propagate_aof_on(const struct commands *cs)
{
    return cs->persist->aof.status != AOF_OFF && !cs->persist->aof.loading;
}

/* The AOF or replication (a backlog exists) takes what writes log. */
static bool propagate_enabled(const struct commands *cs)
{
    return propagate_aof_on(cs) || cs->repl_feeding;
}

/* One piece of a unit to the AOF and to replication, each if it is on
 * and among targets. */
static void propagate_feed(struct commands *cs, int db_id, const char *data, size_t len,
                           bool command, unsigned targets)
{
    if ((targets & PROPAGATE_AOF) && propagate_aof_on(cs))
        aof_feed(cs->persist, db_id, data, len, command);
    if ((targets & PROPAGATE_REPL) && cs->repl_feeding)
        cs->repl_feed(cs->repl_ctx, db_id, data, len);
}

/* Records the entry for the bytes appended to records since start. */
static void propagate_note(struct commands *cs, int db_id, size_t start)
{
    struct propagate_state *p = cs->prop;
    if (p->count == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 8;
        p->entries = alloc_resize(p->entries, (size_t)p->cap * sizeof(*p->entries));
    }
    p->entries[p->count++] = (struct propagate_entry){
        .db_id = db_id,
        .targets = p->targets,
        .offset = start,
        .len = p->records.len - start,
    };
}

/* Appends one command to the unit, encoded in place. */
static void propagate_push_args(struct commands *cs, int db_id, int argc, const struct aof_arg *argv)
{
    size_t start = cs->prop->records.len;
    aof_encode_command(&cs->prop->records, (size_t)argc, argv);
    propagate_note(cs, db_id, start);
}

/* Hands the unit to the AOF and empties it. */
static void propagate_flush(struct commands *cs)
{
    struct propagate_state *p = cs->prop;
    if (p->count == 0)
        return;
    static const char multi[] = "*1\r\n$5\r\nMULTI\r\n";
    static const char exec[] = "*1\r\n$4\r\nEXEC\r\n";
    bool wrap = p->count > 1;
    /* MULTI takes the first command's db, so its SELECT comes first. */
    const unsigned both = PROPAGATE_AOF | PROPAGATE_REPL;
    if (wrap)
        propagate_feed(cs, p->entries[0].db_id, multi, sizeof(multi) - 1, false, both);
    for (int i = 0; i < p->count; i++)
        propagate_feed(cs, p->entries[i].db_id, p->records.data + p->entries[i].offset,
                 p->entries[i].len, true, p->entries[i].targets);
    if (wrap)
        propagate_feed(cs, p->entries[p->count - 1].db_id, exec, sizeof(exec) - 1, false, both);
    p->count = 0;
    aof_buffer_clear(&p->records);
}

void propagate_add(struct commands *cs, int db_id, int argc, const struct aof_arg *argv)
{
    if (!propagate_enabled(cs) || cs->prop->targets == 0)
        return;
    propagate_push_args(cs, db_id, argc, argv);
    if (cs->prop->depth == 0)
        propagate_flush(cs);
}

void propagate_alone(struct commands *cs, int db_id, int argc, const struct aof_arg *argv)
{
    if (!propagate_enabled(cs))
        return;
    /* Encoded past the current unit's records, fed, then cut off again:
     * the unit itself is left as it was. */
    struct aof_buffer *records = &cs->prop->records;
    size_t start = records->len;
    aof_encode_command(records, (size_t)argc, argv);
    propagate_feed(cs, db_id, records->data + start, records->len - start, true,
                   PROPAGATE_AOF | PROPAGATE_REPL);
    records->len = start;
}

void propagate_as(struct client *c, int argc, const struct aof_arg *argv)
{
    struct commands *cs = c->commands;
    if (!propagate_enabled(cs))
        return;
    aof_buffer_clear(&cs->prop->override);
    aof_encode_command(&cs->prop->override, (size_t)argc, argv);
    cs->prop->override_set = true;
    cs->prop->none = false;
}

void propagate_none(struct client *c)
{
    struct commands *cs = c->commands;
    cs->prop->none = true;
    cs->prop->override_set = false;
}

void propagate_begin(struct commands *cs, struct propagate_frame *f)
{
    f->dirty = cs->persist->dirty;
    f->override_set = cs->prop->override_set;
    f->none = cs->prop->none;
    cs->prop->override_set = false;
    cs->prop->none = false;
    cs->prop->depth++;
}

void propagate_end(struct client *c, const struct command *cmd, struct propagate_frame *f)
{
    struct commands *cs = c->commands;
    struct propagate_state *p = cs->prop;
    assert(p->depth > 0);
    /* EXEC logs what it ran, never itself; commands that changed nothing
     * log nothing. A save (SAVE, SHUTDOWN SAVE, DEBUG RELOAD) zeroes the
     * counter: that is no change either (Redis takes a negative difference
     * as 0), or a replica would run the master's SHUTDOWN. */
    bool changed = cs->persist->dirty > f->dirty && !(cmd->flags & CMD_NO_PROPAGATE_SELF);
    if (changed && !p->none && p->targets != 0 && propagate_enabled(cs)) {
        if (p->override_set) {
            size_t start = p->records.len;
            aof_buffer_append(&p->records, p->override.data, p->override.len);
            propagate_note(cs, c->db->id, start);
        } else {
            propagate_push_args(cs, c->db->id, c->argc, (const struct aof_arg *)c->argv);
        }
    }
    p->override_set = f->override_set;
    p->none = f->none;
    if (--p->depth == 0 && p->count > 0) {
        propagate_flush(cs);
        /* WAITAOF waits for this client's last write to be fsynced. */
        c->aof_woff = aof_write_offset(cs->persist);
        c->aof_woff_epoch = aof_token_epoch(cs->persist);
    }
}

void propagate_init(struct commands *cs)
{
    cs->prop = alloc_zeroed(sizeof(*cs->prop));
    cs->prop->targets = PROPAGATE_AOF | PROPAGATE_REPL;
}

void propagate_set_targets(struct commands *cs, unsigned targets)
{
    cs->prop->targets = targets;
}

void propagate_free(struct commands *cs)
{
    if (!cs->prop)
        return;
    aof_buffer_free(&cs->prop->records);
    aof_buffer_free(&cs->prop->override);
    alloc_free(cs->prop->entries);
    alloc_free(cs->prop);
    cs->prop = NULL;
}
